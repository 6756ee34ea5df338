"""Real-time runs go first: an import's next record waits while a run for an event is under
way in the process, and no longer than its bound."""

from __future__ import annotations

import asyncio

import pytest

from ghltt.engine.foreground import real_time, yield_to_real_time

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_bulk_work_waits_for_a_real_time_run_to_end() -> None:
    order: list[str] = []
    started = asyncio.Event()
    done = asyncio.Event()

    async def webhook_run() -> None:
        with real_time():
            started.set()
            await done.wait()
            order.append("run done")

    async def next_record() -> None:
        await started.wait()
        await yield_to_real_time(most=60)
        order.append("record started")

    run, record = asyncio.create_task(webhook_run()), asyncio.create_task(next_record())
    await started.wait()
    await asyncio.sleep(0.05)
    assert order == []  # the record waits while the run is under way
    done.set()
    await asyncio.gather(run, record)
    assert order == ["run done", "record started"]


async def test_bulk_work_is_not_held_longer_than_its_bound() -> None:
    with real_time():
        await yield_to_real_time(most=0.01)  # returns although the run is still under way
    await yield_to_real_time()  # nothing under way: at once
