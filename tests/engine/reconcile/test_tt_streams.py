"""TT streams against the TT simulator: changes TT never pushes are seen by the poll."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ghltt.connectors.trackingtime import TrackingTimeClient
from ghltt.core import EventOrigin, EventSource, FixedClock
from ghltt.engine.reconcile import TT_STREAMS, ReconcileReport, reconcile
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store.cursors import CursorRepository

pytestmark = pytest.mark.anyio

Sims = tuple[GhlSimulator, TrackingTimeSimulator]


async def _poll(
    tt: TrackingTimeClient, cursors: CursorRepository, clock: FixedClock
) -> ReconcileReport:
    return await reconcile("b1", None, tt, cursors, streams=TT_STREAMS, now=clock.now())


def _kinds(report: ReconcileReport) -> dict[str, set[str | None]]:
    found: dict[str, set[str | None]] = {}
    for event in report.events:
        found.setdefault(event.kind, set()).add(event.object_id)
    return found


async def test_new_users_customers_projects_and_tasks_are_seen(
    sims: Sims,
    tt: TrackingTimeClient,
    cursors: CursorRepository,
    db: sa.Engine,
    clock: FixedClock,
) -> None:
    first = await _poll(tt, cursors, clock)
    assert first.events == [] and set(first.cursors) == set(TT_STREAMS)
    first.commit(db)
    clock.advance(timedelta(minutes=1))

    user = await tt.users.add("Nina", "CO_WORKER", surname="Simone", email="nina@example.com")
    customer = await tt.customers.add("Poll Co")
    project = await tt.projects.add("Poll project", customer_id=customer.id)
    task = await tt.tasks.add("Poll task", project_id=project.id)
    clock.advance(timedelta(minutes=10))

    report = await _poll(tt, cursors, clock)
    kinds = _kinds(report)
    assert kinds["user.created"] == {str(user.id)}
    assert kinds["customer.created"] == {str(customer.id)}
    assert kinds["project.created"] == {str(project.id)}
    assert kinds["task.created"] == {str(task.id)}
    event = next(e for e in report.events if e.kind == "user.created")
    assert event.source is EventSource.TT and event.origin is EventOrigin.POLL
    assert event.object_type == "user" and event.payload["data"]["email"] == "nina@example.com"
    assert event.payload["event"] == "user.created"
    report.commit(db)

    again = await _poll(tt, cursors, clock)
    assert again.events == []


async def test_updates_deletes_and_time_entries(
    sims: Sims,
    tt: TrackingTimeClient,
    cursors: CursorRepository,
    db: sa.Engine,
    clock: FixedClock,
) -> None:
    (await _poll(tt, cursors, clock)).commit(db)
    clock.advance(timedelta(minutes=1))
    customer = (await tt.customers.list(filter="ACTIVE"))[0]
    await tt.customers.update(customer.id, name=customer.name, notes="renegotiated")
    doomed = await tt.customers.add("Short-lived")
    task = (await tt.tasks.list(filter="ACTIVE"))[0]
    start = clock.now() - timedelta(hours=2)
    entry = await tt.events.add(start, start + timedelta(hours=1), zone="UTC", task_id=task.id)
    clock.advance(timedelta(minutes=10))
    seen = await _poll(tt, cursors, clock)
    seen.commit(db)
    kinds = _kinds(seen)
    assert str(customer.id) in kinds["customer.updated"]
    assert kinds["event.created"] == {str(entry.id)}

    await tt.customers.delete(doomed.id)
    await tt.events.update(entry.id, start=start, end=start + timedelta(hours=2), zone="UTC")
    clock.advance(timedelta(minutes=10))
    later = await _poll(tt, cursors, clock)
    kinds = _kinds(later)
    assert kinds["customer.deleted"] == {str(doomed.id)}
    assert kinds["event.updated"] == {str(entry.id)}
    assert later.commit(db).inserted == len(later.events)
