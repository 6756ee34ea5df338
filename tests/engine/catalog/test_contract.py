"""The catalog's contract: every TrackingTime action, called with its example input against
the simulator over a real socket, answers what its declared output schema says.

The examples run in catalog order on one simulator (``tt_actions.py`` says why): an example
may read what an earlier one made. An action without an example fails here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import jsonschema_rs
import pytest
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth
from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient
from ghltt.engine.catalog import ACTIONS, call_action
from ghltt.engine.context import BridgeContext, Repositories
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import open_database, upgrade
from tests.support.server import serve_asgi

pytestmark = pytest.mark.anyio

TT_ACTIONS = [name for name in ACTIONS if name.startswith("tt.")]
OWN_ACTIONS = [name for name in ACTIONS if name.startswith("ghltt.")]  # read the store


@pytest.fixture(scope="module")
def tt_url() -> Iterator[tuple[TrackingTimeSimulator, str]]:
    sim = TrackingTimeSimulator()
    with serve_asgi(sim.app) as url:
        yield sim, url


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    path = Path(tmp_path_factory.mktemp("contract")) / "ghltt.db"
    db = open_database(f"sqlite:///{path}")
    upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
async def remote(
    tt_url: tuple[TrackingTimeSimulator, str], store: sa.Engine
) -> AsyncIterator[BridgeContext]:
    sim, url = tt_url
    ghl_sim = GhlSimulator(GhlSimulatorConfig(rsa_key_size=2048))
    ghl = GhlClient(
        auth=StaticTokenAuth(ghl_sim.sample_token),
        location_id=ghl_sim.sample_location_id,
        transport=httpx2.ASGITransport(app=ghl_sim.app),
    )
    tt = TrackingTimeClient(
        AppPassword(str(sim.credentials()[0]["app_password"])),
        account_id=sim.account_id,
        base_url=f"{url}/api/v4",
        account_timezone="America/New_York",
    )
    context = BridgeContext(
        bridge_id="contract",
        mode="live",
        ghl=ghl,
        tt=tt,
        repos=Repositories.of(store),
        now=datetime.now(UTC),
        location_tz="America/Chicago",
        tt_timezone="America/New_York",
        params={},
    )
    try:
        yield context
    finally:
        await context.aclose()


def test_there_are_at_least_seventy_tt_actions() -> None:
    assert len(TT_ACTIONS) >= 70


@pytest.mark.parametrize("name", TT_ACTIONS + OWN_ACTIONS)
async def test_the_example_answers_as_declared(name: str, remote: BridgeContext) -> None:
    """Every TrackingTime action, and ghltt's own, runs its example and answers its schema."""
    action = ACTIONS[name]
    assert action.example is not None, f"{name} has no example"
    assert action.input_schema is not None and action.output_schema is not None
    jsonschema_rs.validate(dict(action.input_schema), dict(action.example))
    answer = await call_action(remote, name, action.example)
    jsonschema_rs.validate(dict(action.output_schema), answer)
