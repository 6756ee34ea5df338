"""GHL streams against the GHL simulator: dropped webhooks come back as poll events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient
from ghltt.core import EventOrigin, EventSource, FixedClock
from ghltt.engine.reconcile import ReconcileReport, ReconcileSettings, reconcile
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import InboxRepository
from ghltt.store.cursors import CursorRepository
from ghltt.store.links import Link, LinkRepository
from ghltt.store.tables import inbox_events

pytestmark = pytest.mark.anyio

GHL = ("ghl.contacts", "ghl.tasks", "ghl.notes", "ghl.appointments")
Sims = tuple[GhlSimulator, TrackingTimeSimulator]


async def _poll(
    ghl: GhlClient,
    cursors: CursorRepository,
    clock: FixedClock,
    *,
    streams: Sequence[str] = GHL,
    overlap: timedelta | None = None,
) -> ReconcileReport:
    return await reconcile(
        "b1", ghl, None, cursors, streams=streams, now=clock.now(), overlap=overlap
    )


def _by_kind(report: ReconcileReport) -> dict[str, set[str | None]]:
    found: dict[str, set[str | None]] = {}
    for event in report.events:
        found.setdefault(event.kind, set()).add(event.object_id)
    return found


async def _baseline(
    ghl: GhlClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    first = await _poll(ghl, cursors, clock)
    assert first.events == [] and not first.errors
    assert set(first.cursors) == set(GHL)
    first.commit(db)
    clock.advance(timedelta(minutes=1))


async def test_first_run_sets_a_cursor_without_emitting_history(
    sims: Sims, ghl: GhlClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    await _baseline(ghl, cursors, db, clock)
    assert InboxRepository(db).count() == 0
    backfill = await reconcile(
        "b2", ghl, None, cursors, streams=["ghl.contacts"], now=clock.now(), backfill=True
    )
    assert len(backfill.events) >= 5  # asked for: the seeded contacts of the last 30 days


async def test_a_dropped_contact_webhook_is_recovered_and_not_repeated(
    sims: Sims, ghl: GhlClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    ghl_sim = sims[0]
    await _baseline(ghl, cursors, db, clock)
    ghl_sim.set_faults(webhook_drop_rate=1.0)
    contact = await anext(aiter(ghl.contacts.search(page_limit=1)))
    await ghl.contacts.update(contact.id, {"city": "Lisbon"})
    clock.advance(timedelta(seconds=5))
    created = await ghl.contacts.create({"firstName": "Nova", "email": "nova@example.com"})
    clock.advance(timedelta(minutes=10))
    ghl_sim.clear_requests()

    report = await _poll(ghl, cursors, clock, streams=["ghl.contacts"])
    assert _by_kind(report) == {"contact.updated": {contact.id}, "contact.created": {created.id}}
    event = next(e for e in report.events if e.object_id == contact.id)
    assert event.source is EventSource.GHL and event.origin is EventOrigin.POLL
    assert event.object_type == "contact" and event.payload["city"] == "Lisbon"
    assert event.payload["type"] == "ContactUpdate" and event.dedup_key.startswith(
        "poll:ghl.contacts:" + contact.id + ":"
    )
    # Budget: one search page, not a walk of the location.
    assert ghl_sim.count_requests(path="/contacts/search") == 1
    assert report.commit(db).inserted == 2

    again = await _poll(ghl, cursors, clock, streams=["ghl.contacts"])
    assert again.events == []
    # Polled again from the same cursor, the same changes carry the same dedup keys.
    with db.connect() as conn:
        conn.execute(sa.text("DELETE FROM sync_cursors"))
        conn.commit()
    cursors.save("b1", "ghl.contacts", report.cursors["ghl.contacts"] | {"recent": []})
    replay = await _poll(ghl, cursors, clock, streams=["ghl.contacts"])
    assert {e.dedup_key for e in replay.events} == {e.dedup_key for e in report.events}
    assert replay.commit(db).inserted == 0


async def test_the_overlap_window_catches_a_change_stamped_before_the_cursor(
    sims: Sims, ghl: GhlClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    ghl_sim = sims[0]
    await _baseline(ghl, cursors, db, clock)
    touched = await ghl.contacts.update(next(iter(ghl_sim.state.contacts)), {"city": "Porto"})
    clock.advance(timedelta(minutes=10))
    seen = await _poll(ghl, cursors, clock, streams=["ghl.contacts"])
    seen.commit(db)
    # A slow write lands now, stamped 30 s before the newest change the cursor holds.
    late_id = next(cid for cid in ghl_sim.state.contacts if cid != touched.id)
    record = ghl_sim.state.contacts[late_id]
    record["city"] = "Faro"
    assert isinstance(touched.date_updated, datetime)
    stamp = touched.date_updated - timedelta(seconds=30)
    record["dateUpdated"] = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    blind = await _poll(ghl, cursors, clock, streams=["ghl.contacts"], overlap=timedelta(0))
    assert blind.events == []
    caught = await _poll(ghl, cursors, clock, streams=["ghl.contacts"])
    assert _by_kind(caught) == {"contact.updated": {late_id}}


async def test_tasks_and_notes_of_changed_contacts(
    sims: Sims, ghl: GhlClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    await _baseline(ghl, cursors, db, clock)
    contact = await ghl.contacts.create({"firstName": "Tess", "email": "tess@example.com"})
    task = await ghl.tasks.create(contact.id, {"title": "Call", "dueDate": "2026-04-20T10:00:00Z"})
    note = await ghl.notes.create(contact.id, {"body": "first call went well"})
    clock.advance(timedelta(minutes=10))
    first = await _poll(ghl, cursors, clock)
    assert _by_kind(first) == {
        "contact.created": {contact.id},
        "task.created": {task.id},
        "note.created": {note.id},
    }
    first.commit(db)

    await ghl.tasks.set_completed(contact.id, task.id)
    await ghl.notes.delete(contact.id, note.id)
    await ghl.contacts.update(contact.id, {"city": "Oslo"})
    clock.advance(timedelta(minutes=10))
    second = await _poll(ghl, cursors, clock)
    assert _by_kind(second) == {
        "contact.updated": {contact.id},
        "task.completed": {task.id},
        "note.deleted": {note.id},
    }
    assert second.commit(db).inserted == 3


async def test_a_new_appointment_is_seen(
    sims: Sims, ghl: GhlClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    ghl_sim = sims[0]
    await _baseline(ghl, cursors, db, clock)
    calendar_id = next(iter(ghl_sim.state.calendars))
    contact_id = next(iter(ghl_sim.state.contacts))
    start = (clock.now() + timedelta(days=3)).isoformat()
    booked = await ghl.appointments.create(
        {"calendarId": calendar_id, "contactId": contact_id, "startTime": start}
    )
    clock.advance(timedelta(minutes=10))
    report = await _poll(ghl, cursors, clock, streams=["ghl.appointments"])
    assert _by_kind(report) == {"appointment.created": {booked.id}}
    assert report.events[0].payload["appointment"]["id"] == booked.id


async def test_a_deleted_linked_contact_is_found_by_the_id_scan_within_its_budget(
    sims: Sims, ghl: GhlClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    ghl_sim = sims[0]
    ghl_sim.set_faults(webhook_drop_rate=1.0)
    links = LinkRepository(db)
    made = [
        await ghl.contacts.create({"firstName": f"L{i}", "email": f"l{i}@x.io"}) for i in range(5)
    ]
    for i, contact in enumerate(made):
        links.save(Link("b1", "contact", contact.id, "customer", str(100 + i)))
    links.save(Link("b1", "contact", made[0].id, "project", "900"))  # one id, two links
    links.save(Link("other", "contact", "gone-elsewhere", "customer", "1"))  # not this bridge
    deleted = sorted(c.id for c in made)[3]
    await ghl.contacts.delete(deleted)
    settings = ReconcileSettings(streams=("ghl.contacts",), id_scan_calls=1, id_scan_batch=2)

    async def poll() -> tuple[list[str], int]:
        ghl_sim.clear_requests()
        report = await reconcile(
            "b1", ghl, None, cursors, now=clock.now(), settings=settings, links=links
        )
        # The budget: the contacts search and one id-scan search, whatever the link count.
        assert ghl_sim.count_requests(path="/contacts/search") == 2
        return [e.object_id or "" for e in report.events], report.commit(db).duplicates

    def deletes() -> list[sa.Row[tuple[str, dict[str, str]]]]:
        c = inbox_events.c
        query = sa.select(c.object_id, c.payload).where(c.kind == "contact.deleted")
        with db.connect() as conn:
            return list(conn.execute(query).tuples())

    seen: list[str] = []
    for _ in range(3):  # 5 linked contacts, 2 a poll: the whole list in 3 polls
        seen += (await poll())[0]
    assert seen == [deleted]
    [(object_id, payload)] = deletes()
    assert object_id == deleted and payload["type"] == "ContactDelete"
    # The next round starts over and sees the same delete: a duplicate, not a second event.
    assert sum([(await poll())[1] for _ in range(3)]) == 1
    assert len(deletes()) == 1
