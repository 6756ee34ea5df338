"""Shared fixtures: a fresh simulator per test and an httpx2 client bound to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx2
import pytest

from ghltt.core.clock import FixedClock
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig

VERSION = "2021-07-28"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))


@pytest.fixture
def sim(clock: FixedClock) -> GhlSimulator:
    config = GhlSimulatorConfig(seed=7, webhook_retry_delay_s=0.05, webhook_retry_jitter_s=0.0)
    return GhlSimulator(config, clock=clock)


def auth(token: str, version: str = VERSION) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Version": version}


@pytest.fixture
def headers(sim: GhlSimulator) -> dict[str, str]:
    return auth(sim.sample_token)


@pytest.fixture
async def client(sim: GhlSimulator) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=sim.app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://ghl.test") as http:
        yield http
    await sim.aclose()
