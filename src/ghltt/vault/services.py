"""Build the vault and its services from settings: one place for the CLI and the web app."""

from __future__ import annotations

from dataclasses import dataclass

import httpx2
import sqlalchemy as sa

from ghltt.settings import Settings
from ghltt.vault.bridges import BridgeService
from ghltt.vault.connections import ConnectionService
from ghltt.vault.crypto import Cipher
from ghltt.vault.keys import key_source
from ghltt.vault.oauth_flow import OAuthFlow
from ghltt.vault.remotes import Remotes
from ghltt.vault.secrets import Vault

CALLBACK_PATH = "/oauth/ghl/callback"


@dataclass(frozen=True)
class VaultServices:
    vault: Vault
    connections: ConnectionService
    bridges: BridgeService
    oauth: OAuthFlow


def open_vault(settings: Settings, engine: sa.Engine, *, create_key: bool = True) -> Vault:
    master = settings.master_key.get_secret_value() if settings.master_key else None
    return Vault(engine, Cipher(key_source(master, settings.key_file, create=create_key)))


def build_services(
    settings: Settings,
    engine: sa.Engine,
    *,
    ghl_transport: httpx2.AsyncBaseTransport | None = None,
    tt_transport: httpx2.AsyncBaseTransport | None = None,
) -> VaultServices:
    vault = open_vault(settings, engine)
    remotes = Remotes(
        ghl_base_url=settings.ghl_base_url,
        tt_base_url=settings.tt_base_url,
        ghl_transport=ghl_transport,
        tt_transport=tt_transport,
        client_id=settings.ghl_client_id,
        client_secret=settings.ghl_client_secret,
    )
    connections = ConnectionService(engine, vault, remotes)
    bridges = BridgeService(connections, settings.public_url)
    oauth = OAuthFlow(
        connections,
        authorize_url=settings.ghl_authorize_url,
        redirect_uri=settings.public_url + CALLBACK_PATH,
        state_ttl=settings.oauth_state_ttl,
    )
    return VaultServices(vault, connections, bridges, oauth)
