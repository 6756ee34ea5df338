"""The runner's repositories on SQLite and PostgreSQL: links, once keys, provenance, snapshots."""

from __future__ import annotations

import sqlalchemy as sa

from ghltt.core import Event, EventSource
from ghltt.store import InboxRepository, RunRepository, insert_new
from ghltt.store.links import Link, LinkRepository
from ghltt.store.once import OnceRepository
from ghltt.store.provenance import ProvenanceEntry, ProvenanceRepository
from ghltt.store.record_state import RecordState, record_state
from ghltt.store.snapshots import SnapshotRepository


def test_links_by_either_side_upsert_and_delete(db: sa.Engine) -> None:
    links = LinkRepository(db)
    saved = links.save(Link("b1", "contact", "g1", "customer", "7", "fg", "ft"))
    assert links.by_tt("b1", "customer", "7", "contact") == saved
    assert links.by_side("ghl", "b1", "contact", "customer", "g1") == saved
    # Saving again re-points the same row instead of adding one.
    moved = links.save(Link("b1", "contact", "g1", "customer", "8", "fg2", "ft2"))
    assert moved.tt_id == "8" and moved.ghl_fingerprint == "fg2"
    assert links.all("b1", "contact", "customer") == [moved]
    assert links.by_tt("b1", "customer", "7", "contact") is None
    assert links.delete(moved) and links.by_ghl("b1", "contact", "g1", "customer") is None


def test_once_keys_are_claimed_once(db: sa.Engine) -> None:
    once = OnceRepository(db)
    assert once.claim("b1", "milestones", "closed-1", "run-a")
    assert once.claim("b1", "milestones", "closed-1", "run-a")  # the same run, retried
    assert not once.claim("b1", "milestones", "closed-1", "run-b")
    assert not once.claim("b1", "milestones", "closed-1")
    assert once.claim("b2", "milestones", "closed-1", "run-b")  # per bridge
    once.release("b1", "milestones", "closed-1")
    assert not once.seen("b1", "milestones", "closed-1")
    assert once.claim("b1", "milestones", "closed-1", "run-c")


def test_snapshots_put_get_delete(db: sa.Engine) -> None:
    snaps = SnapshotRepository(db)
    assert snaps.get("b1", "ghl", "contact", "g1") is None
    snaps.put("b1", "ghl", "contact", "g1", {"mapped": {"a": 1}})
    snaps.put("b1", "ghl", "contact", "g1", {"mapped": {"a": 2}})
    assert snaps.get("b1", "ghl", "contact", "g1") == {"mapped": {"a": 2}}
    assert snaps.delete("b1", "ghl", "contact", "g1")


def test_provenance_is_recorded_per_run(db: sa.Engine) -> None:
    ev = Event(bridge="b1", source=EventSource.GHL, kind="contact.updated", dedup_key="k1")
    with db.begin() as conn:
        insert_new(conn, [ev])
    run_id = RunRepository(db).start(
        run_id="r1", workflow_id="w1", event_id=ev.id, bridge="b1", recipe="contacts"
    )
    repo = ProvenanceRepository(db)
    entry = ProvenanceEntry("tt", "customer", "7", "contact_email", "ghl", "email", "h" * 64)
    assert repo.record(run_id, "b1", [entry]) == 1
    found = repo.for_object("b1", "tt", "customer", "7")
    assert [(e.field, e.source_path) for e in found] == [("contact_email", "email")]


def test_a_records_state_is_its_link_its_snapshot_and_whether_its_counterpart_waits(
    db: sa.Engine,
) -> None:
    def state() -> RecordState:
        return record_state(db, "ghl", "b1", "contact", "customer", "contact", "g1")

    assert state() == RecordState(None, None, False)
    snapshots = SnapshotRepository(db)
    snapshots.put_many("b1", [("ghl", "contact", "g1", {"mapped": {"name": "Ada"}})])
    assert state() == RecordState(None, {"mapped": {"name": "Ada"}}, False)
    link = LinkRepository(db).save(Link("b1", "contact", "g1", "customer", "7", "fg", "ft"))
    found = state()
    assert found.link is not None and found.link.tt_id == "7"
    assert found.link.ghl_fingerprint == "fg" and not found.counterpart_pending
    # An event about the counterpart (TT customer 7) waits until it is processed.
    waiting = Event(
        bridge="b1",
        source=EventSource.TT,
        kind="customer.updated",
        object_type="customer",
        object_id="7",
        dedup_key="tt:c7",
    )
    with db.begin() as conn:
        insert_new(conn, [waiting])
    assert state().counterpart_pending
    assert record_state(db, "tt", "b1", "contact", "customer", "customer", "7").link is not None
    InboxRepository(db).mark_processed(waiting.id, "applied")
    assert not state().counterpart_pending
    # Saved again as linked: the same row, new fingerprints.
    LinkRepository(db).save(Link("b1", "contact", "g1", "customer", "7", "fg2", "ft2"))
    again = state().link
    assert again is not None and again.ghl_fingerprint == "fg2"
    assert LinkRepository(db).all("b1", "contact", "customer") == [again]
    assert link.tt_id == again.tt_id
