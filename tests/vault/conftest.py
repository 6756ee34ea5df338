"""Fixtures of the vault tests (and the bridges tests, which import them): a migrated store, a
vault, both simulators and the services."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.bridges import BridgeService, Clients, Remotes
from ghltt.connectors.ghl import OAuthApp
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.ghl.oauth import OAuthClient
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import open_database, upgrade
from ghltt.vault import Cipher, ConnectionService, FileKeySource, OAuthFlow, Vault
from ghltt.vault.keys import ensure_key_file

GHL_BASE = "https://services.leadconnectorhq.com"
TT_BASE = "https://api.trackingtime.co/api/v4"
PUBLIC_URL = "http://ghltt.test"
CALLBACK = PUBLIC_URL + "/oauth/ghl/callback"


@pytest.fixture
def db(database_url: str) -> Iterator[sa.Engine]:
    eng = open_database(database_url)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "master.key"
    ensure_key_file(path)
    return path


@pytest.fixture
def vault(db: sa.Engine, key_file: Path) -> Vault:
    return Vault(db, Cipher(FileKeySource(key_file)))


@pytest.fixture
def ghl_sim() -> GhlSimulator:
    return GhlSimulator(GhlSimulatorConfig(rsa_key_size=2048))


@pytest.fixture
def tt_sim() -> TrackingTimeSimulator:
    return TrackingTimeSimulator()


@pytest.fixture
def oauth_client(ghl_sim: GhlSimulator) -> OAuthClient:
    return ghl_sim.oauth.register_client(redirect_uris=[CALLBACK], name="ghltt test")


@pytest.fixture
def remotes(
    ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator, oauth_client: OAuthClient
) -> Remotes:
    from pydantic import SecretStr

    return Remotes(
        ghl_base_url=GHL_BASE,
        tt_base_url=TT_BASE,
        ghl_transport=httpx2.ASGITransport(app=ghl_sim.app),
        tt_transport=httpx2.ASGITransport(app=tt_sim.app),
        client_id=oauth_client.client_id,
        client_secret=SecretStr(oauth_client.client_secret),
        timeout=5.0,
    )


@pytest.fixture
def connections(db: sa.Engine, vault: Vault, remotes: Remotes) -> ConnectionService:
    return ConnectionService(db, vault, remotes)


@pytest.fixture
def clients(connections: ConnectionService, remotes: Remotes) -> Clients:
    return Clients(connections, remotes)


@pytest.fixture
def bridges(clients: Clients) -> BridgeService:
    return BridgeService(clients, PUBLIC_URL)


@pytest.fixture
def flow(connections: ConnectionService, bridges: BridgeService) -> OAuthFlow:
    return OAuthFlow(
        connections, authorize_url=GHL_BASE + "/oauth/chooselocation", redirect_uri=CALLBACK
    )


@pytest.fixture
async def oauth_app(remotes: Remotes) -> AsyncIterator[OAuthApp]:
    app = remotes.oauth_app()
    try:
        yield app
    finally:
        await app.aclose()


def tt_app_password(sim: TrackingTimeSimulator) -> str:
    return str(sim.credentials()[0]["app_password"])
