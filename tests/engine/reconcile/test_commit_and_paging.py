"""Events and cursors commit together; a failing stream keeps its cursor; paging ends."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth
from ghltt.connectors.http import RetryPolicy
from ghltt.connectors.trackingtime import TrackingTimeClient
from ghltt.core import FixedClock
from ghltt.engine.reconcile import ReconcileSettings, reconcile
from ghltt.engine.reconcile.ghl import poll_contacts
from ghltt.engine.reconcile.model import PollContext
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import open_database, upgrade
from ghltt.store.cursors import CursorRepository
from ghltt.store.inbox import InboxRepository

Sims = tuple[GhlSimulator, TrackingTimeSimulator]


@pytest.mark.anyio
async def test_a_crash_between_events_and_cursor_keeps_neither(
    sims: Sims,
    ghl: GhlClient,
    tt: TrackingTimeClient,
    database_url: str,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = open_database(database_url)
    upgrade(db)
    cursors = CursorRepository(db)
    streams = ["ghl.contacts", "tt.customers"]
    (await reconcile("b1", ghl, tt, cursors, streams=streams, now=clock.now())).commit(db)
    before = cursors.get_all("b1")
    clock.advance(timedelta(minutes=1))
    await ghl.contacts.create({"firstName": "Ivo", "email": "ivo@example.com"})
    await tt.customers.add("Atomic Co")
    clock.advance(timedelta(minutes=10))
    report = await reconcile("b1", ghl, tt, cursors, streams=streams, now=clock.now())
    assert len(report.events) == 2

    def crash(*_: Any) -> None:
        raise RuntimeError("power cut after the events, before the cursor")

    monkeypatch.setattr(CursorRepository, "save_in", staticmethod(crash))
    with pytest.raises(RuntimeError):
        report.commit(db)
    monkeypatch.undo()
    assert InboxRepository(db).count() == 0 and cursors.get_all("b1") == before

    retry = await reconcile("b1", ghl, tt, cursors, streams=streams, now=clock.now())
    assert {e.dedup_key for e in retry.events} == {e.dedup_key for e in report.events}
    assert retry.commit(db).inserted == 2
    assert cursors.get_all("b1") == retry.cursors
    db.dispose()


@pytest.mark.anyio
async def test_a_failing_side_keeps_its_cursor_while_the_other_advances(
    sims: Sims,
    tt: TrackingTimeClient,
    cursors: CursorRepository,
    db: sa.Engine,
    clock: FixedClock,
) -> None:
    ghl_sim = sims[0]
    async with GhlClient(
        auth=StaticTokenAuth(ghl_sim.sample_token),
        location_id=ghl_sim.sample_location_id,
        transport=httpx2.ASGITransport(app=ghl_sim.app),
        policy=RetryPolicy(max_attempts=1),
    ) as ghl:
        streams = ["ghl.contacts", "ghl.tasks", "tt.users"]
        (await reconcile("b1", ghl, tt, cursors, streams=streams, now=clock.now())).commit(db)
        stored = cursors.get("b1", "ghl.contacts")
        ghl_sim.set_faults(error_rate=1.0)
        await tt.users.add("Ola", "CO_WORKER", email="ola@example.com")
        clock.advance(timedelta(minutes=10))
        report = await reconcile("b1", ghl, tt, cursors, streams=streams, now=clock.now())
    assert set(report.errors) == {"ghl.contacts", "ghl.tasks"}
    assert [e.kind for e in report.events] == ["user.created"]
    report.commit(db)
    assert cursors.get("b1", "ghl.contacts") == stored


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(page_limit=st.integers(1, 5), changes=st.integers(0, 11))
def test_contact_paging_ends_and_finds_each_change_once(
    sims: Sims, clock: FixedClock, page_limit: int, changes: int
) -> None:
    ghl_sim = sims[0]  # reset once per test; the examples share it and move the clock on

    async def run() -> None:
        async with GhlClient(
            auth=StaticTokenAuth(ghl_sim.sample_token),
            location_id=ghl_sim.sample_location_id,
            transport=httpx2.ASGITransport(app=ghl_sim.app),
        ) as ghl:
            ctx = PollContext(
                bridge="b", now=clock.now(), settings=ReconcileSettings(page_limit=page_limit)
            )
            stored = (await poll_contacts(ghl, ctx, None)).result.cursor
            ids = list(ghl_sim.state.contacts)[:changes]
            for index, cid in enumerate(ids):
                clock.advance(timedelta(seconds=1))
                await ghl.contacts.update(cid, {"city": f"City {index}"})
            clock.advance(timedelta(minutes=10))
            ghl_sim.clear_requests()
            ctx = PollContext(bridge="b", now=clock.now(), settings=ctx.settings)
            found = await poll_contacts(ghl, ctx, stored)
            assert sorted(e.object_id or "" for e in found.result.events) == sorted(ids)
            pages = ghl_sim.count_requests(path="/contacts/search")
            assert pages <= changes // page_limit + 1

    clock.advance(timedelta(hours=3))  # past every earlier example's overlap window
    asyncio.run(run())
