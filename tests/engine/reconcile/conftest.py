"""Both simulators in-process, clients wired to them, and a migrated store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth
from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient
from ghltt.core import FixedClock
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import open_database, upgrade
from ghltt.store.cursors import CursorRepository

START = datetime(2026, 4, 14, 15, 0, tzinfo=UTC)
ZONE = "America/New_York"


@pytest.fixture(scope="session")
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def ghl_sim(clock: FixedClock) -> GhlSimulator:
    # No webhook target is registered: every change is a "dropped" webhook.
    return GhlSimulator(GhlSimulatorConfig(rsa_key_size=2048), clock=clock)


@pytest.fixture(scope="session")
def tt_sim(clock: FixedClock) -> TrackingTimeSimulator:
    hooks = httpx2.MockTransport(lambda request: httpx2.Response(200))
    return TrackingTimeSimulator(clock=clock, webhook_transport=hooks)


@pytest.fixture
def sims(
    clock: FixedClock, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> Iterator[tuple[GhlSimulator, TrackingTimeSimulator]]:
    clock.set(START)
    ghl_sim.reset()
    tt_sim.reset()
    yield ghl_sim, tt_sim


@pytest.fixture
async def ghl(sims: tuple[GhlSimulator, TrackingTimeSimulator]) -> AsyncIterator[GhlClient]:
    sim = sims[0]
    async with GhlClient(
        auth=StaticTokenAuth(sim.sample_token),
        location_id=sim.sample_location_id,
        transport=httpx2.ASGITransport(app=sim.app),
    ) as client:
        yield client


@pytest.fixture
async def tt(
    sims: tuple[GhlSimulator, TrackingTimeSimulator], clock: FixedClock
) -> AsyncIterator[TrackingTimeClient]:
    sim = sims[1]
    async with TrackingTimeClient(
        AppPassword(sim.seeded[0].app_password),
        account_id=sim.account_id,
        transport=httpx2.ASGITransport(app=sim.app),
        account_timezone=ZONE,
        clock=clock,
    ) as client:
        yield client


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sa.Engine]:
    db = open_database(f"sqlite:///{tmp_path / 'ghltt.sqlite'}")
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def cursors(db: sa.Engine) -> CursorRepository:
    return CursorRepository(db)
