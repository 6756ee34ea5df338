"""Several workers on one GHL location share its rate budget through PostgreSQL or Redis.

Each worker here is a thread with its own event loop, client and budget registry: nothing in
memory is shared, as between processes; only the shared window (the store or Redis) is common.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth, default_registry
from ghltt.connectors.http import SharedWindow
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.store import open_database, upgrade
from ghltt.store.rate_windows import PostgresWindow, RedisWindow
from tests.support.server import serve_asgi

REDIS_URL = "redis://127.0.0.1:6379/0"
LIMIT, WINDOW_MS = 10, 1000
WORKERS, CALLS = 3, 12


@pytest.fixture(params=["postgres", "redis"])
def window(request: pytest.FixtureRequest) -> Iterator[SharedWindow]:
    if request.param == "redis":
        # A fresh prefix per test: Redis is shared by everything on the machine.
        yield RedisWindow(REDIS_URL, prefix=f"ghltt-test:{uuid.uuid4().hex}:")
        return
    db = open_database(request.getfixturevalue("postgres_url"))
    upgrade(db)
    yield PostgresWindow(db)
    db.dispose()


@pytest.fixture(params=[LIMIT, 4 * LIMIT], ids=["limit10", "limit40"])
def sim(request: pytest.FixtureRequest) -> Iterator[tuple[GhlSimulator, str]]:
    """The simulator limited to 10 a second, or to 40 (where each process leases 4 bookings
    of the shared window at a time)."""
    simulator = GhlSimulator()
    simulator.set_rate_limits(burst=request.param, window_ms=WINDOW_MS)
    with serve_asgi(simulator.app) as url:
        yield simulator, url


def _calls(sim: GhlSimulator) -> int:
    """Each worker's calls: together more than the location allows in a window."""
    return CALLS * sim.ratelimit.settings()["burst"] // LIMIT


def _worker(sim: GhlSimulator, url: str, shared: SharedWindow | None, errors: list[str]) -> None:
    async def calls() -> None:
        # A new client per worker with its own registry, as in another process; a Redis
        # window's connections belong to one event loop, so each worker opens its own.
        own = (
            RedisWindow(REDIS_URL, prefix=shared._prefix)
            if isinstance(shared, RedisWindow)
            else shared
        )
        client = GhlClient(
            auth=StaticTokenAuth(sim.sample_token),
            location_id=sim.sample_location_id,
            base_url=url,
            budgets=default_registry(own),
        )
        try:
            for _ in range(_calls(sim)):
                await client.users.list_for_location()
        finally:
            await client.aclose()
            if isinstance(own, RedisWindow) and own is not shared:
                await own.close()

    try:
        asyncio.run(calls())
    except Exception as exc:  # reported to the test, which fails on it
        errors.append(repr(exc))


def _run_workers(sim: GhlSimulator, url: str, shared: SharedWindow | None) -> list[str]:
    errors: list[str] = []
    threads = [
        threading.Thread(target=_worker, args=(sim, url, shared, errors)) for _ in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_three_workers_sharing_a_window_never_get_a_429(
    sim: tuple[GhlSimulator, str], window: SharedWindow
) -> None:
    simulator, url = sim
    assert _run_workers(simulator, url, window) == []
    assert simulator.count_requests(status=200) == WORKERS * _calls(simulator)
    assert simulator.count_requests(status=429) == 0


def test_without_a_shared_window_the_same_workers_overrun_the_location(
    sim: tuple[GhlSimulator, str],
) -> None:
    simulator, url = sim
    assert _run_workers(simulator, url, None) == []  # the client retries each 429...
    assert simulator.count_requests(status=429) > 0  # ...which the location had to send


@pytest.mark.anyio
async def test_a_refusal_blocks_every_process_and_foreign_usage_is_booked(
    window: SharedWindow,
) -> None:
    key = f"ghl:{uuid.uuid4().hex}"
    now = time.time()  # a Redis block expires by the server's clock
    assert await window.book(key, ["a"], limit=2, span=1.0, now=now) == (1, 0)
    await window.reconcile(key, used=2, span=1.0, now=now)  # another app used one more
    booked, wait = await window.book(key, ["b"], limit=2, span=1.0, now=now + 0.1)
    assert booked == 0  # both slots taken until the oldest expires
    assert wait == pytest.approx(0.9, abs=0.01)
    assert await window.book(key, ["b"], limit=2, span=1.0, now=now + 1.01) == (1, 0)
    await window.block(key, until=now + 30)
    booked, wait = await window.book(key, ["c"], limit=2, span=1.0, now=now + 5)
    assert booked == 0 and wait == pytest.approx(25)
    if isinstance(window, RedisWindow):
        await window.close()
