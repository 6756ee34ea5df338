"""Build the services of the entry points from settings: one place for the CLI, the web app
and the executor."""

from __future__ import annotations

from dataclasses import dataclass

import httpx2

from ghltt.bridges.clients import Clients, Remotes, tt_registry
from ghltt.bridges.service import BridgeService
from ghltt.connectors.ghl import default_registry
from ghltt.settings import Settings
from ghltt.store.database import Database
from ghltt.store.rate_windows import shared_window
from ghltt.vault import CALLBACK_PATH, ConnectionService, OAuthFlow, Vault, open_vault


@dataclass(frozen=True)
class Services:
    vault: Vault
    connections: ConnectionService
    bridges: BridgeService
    oauth: OAuthFlow

    @property
    def clients(self) -> Clients:
        return self.bridges.clients


def build_services(
    settings: Settings,
    db: Database,
    *,
    ghl_transport: httpx2.AsyncBaseTransport | None = None,
    tt_transport: httpx2.AsyncBaseTransport | None = None,
) -> Services:
    vault = open_vault(settings, db)
    # The processes of a deployment share each location's and account's rate budget.
    window = shared_window(db, settings.redis_url)
    remotes = Remotes(
        ghl_base_url=settings.ghl_base_url,
        tt_base_url=settings.tt_base_url,
        ghl_transport=ghl_transport,
        tt_transport=tt_transport,
        client_id=settings.ghl_client_id,
        client_secret=settings.ghl_client_secret,
        budgets=default_registry(window),
        tt_budgets=tt_registry(settings.tt_rate_limit, window),
    )
    connections = ConnectionService(db, vault, remotes)
    bridges = BridgeService(Clients(connections, remotes), settings.public_url)
    oauth = OAuthFlow(
        connections,
        authorize_url=settings.ghl_authorize_url,
        redirect_uri=settings.public_url + CALLBACK_PATH,
        state_ttl=settings.oauth_state_ttl,
    )
    return Services(vault, connections, bridges, oauth)
