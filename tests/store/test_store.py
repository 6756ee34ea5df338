"""The store: one set of migrations for SQLite and PostgreSQL, dedup in the inbox, runs."""

from __future__ import annotations

import sqlalchemy as sa

from ghltt.core import Event, EventSource
from ghltt.store import InboxRepository, RunRepository, insert_new, migrate, open_database


def _event(key: str, bridge: str = "b1") -> Event:
    return Event(bridge=bridge, source=EventSource.GHL, kind="contact.updated", dedup_key=key)


def test_migrations_create_every_table_and_are_idempotent(database_url: str) -> None:
    db = open_database(database_url)
    migrate.upgrade(db)
    migrate.upgrade(db)
    assert migrate.is_current(db)
    tables = set(sa.inspect(db).get_table_names())
    assert {
        "bridges",
        "connections",
        "record_links",
        "inbox_events",
        "runs",
        "run_steps",
        "provenance",
        "api_tokens",
    } <= tables


def test_inbox_keeps_one_event_per_dedup_key_and_bridge(database_url: str) -> None:
    db = open_database(database_url)
    migrate.upgrade(db)
    first = _event("ghl:wh-1")
    with db.begin() as conn:
        ids = insert_new(conn, [first, _event("ghl:wh-1"), _event("ghl:wh-1", bridge="b2")])
    assert ids[("b1", "ghl:wh-1")] == (first.id, True)
    with db.begin() as conn:
        again = insert_new(conn, [_event("ghl:wh-1")])
    assert again[("b1", "ghl:wh-1")] == (first.id, False)
    inbox = InboxRepository(db)
    assert inbox.count() == 2
    stored = inbox.get(first.id)
    assert stored is not None and stored.event.kind == "contact.updated"
    assert stored.event.occurred_at.tzinfo is not None


def test_undispatched_events_are_handed_out_until_marked(database_url: str) -> None:
    db = open_database(database_url)
    migrate.upgrade(db)
    events = [_event(f"k{i}") for i in range(5)]
    with db.begin() as conn:
        insert_new(conn, events)
    inbox = InboxRepository(db)
    pending = inbox.undispatched(3)
    assert len(pending) == 3
    inbox.mark_dispatched([e.event_id for e in pending])
    assert len(inbox.undispatched(10)) == 2


def test_a_recovered_batch_gets_its_queued_runs_back_and_closes_them_with_the_event(
    database_url: str,
) -> None:
    db = open_database(database_url)
    migrate.upgrade(db)
    events = [_event("a"), _event("b")]
    with db.begin() as conn:
        insert_new(conn, events)
    runs, inbox = RunRepository(db), InboxRepository(db)
    keys = [(events[0].id, "contacts"), (events[1].id, "contacts"), (events[1].id, "tasks")]
    first = runs.start_many("batch:1", "b1", keys)
    assert len(set(first)) == 3 and runs.start_many("batch:1", "b1", keys) == first
    assert runs.count("queued") == 3
    runs.close(
        first[0],
        position=0,
        name="recipe.run",
        step_input={},
        output={"outcome": "applied"},
        run_status="succeeded",
        event_id=events[0].id,
        event_outcome="applied",
        changed_fields=["email"],
    )
    stored = inbox.get(events[0].id)
    assert stored is not None and stored.outcome == "applied"
    assert stored.event.changed_fields == ["email"]
    assert runs.count("succeeded") == 1 and runs.count("queued") == 2


def test_a_recovered_run_finds_its_first_record(database_url: str) -> None:
    db = open_database(database_url)
    migrate.upgrade(db)
    event = _event("k")
    with db.begin() as conn:
        insert_new(conn, [event])
    runs = RunRepository(db)
    first = runs.start(run_id="r1", workflow_id="wf", event_id=event.id, bridge="b1", recipe="x")
    second = runs.start(run_id="r2", workflow_id="wf", event_id=event.id, bridge="b1", recipe="x")
    assert first == second == "r1"
    runs.record_step("r1", 0, name="a", status="failed", input={"n": 1}, error="boom")
    runs.record_step("r1", 0, name="a", status="succeeded", input={"n": 1}, output={"ok": 1})
    runs.finish("r1", "succeeded")
    record = runs.get("r1")
    assert record is not None and record.status == "succeeded"
    assert [(s.position, s.status, s.output) for s in record.steps] == [(0, "succeeded", {"ok": 1})]


def test_a_runs_close_records_only_what_it_says_of_its_event(database_url: str) -> None:
    """Closing a run fills the event's changed fields when said and unknown, and its outcome
    only after its last run."""
    db = open_database(database_url)
    migrate.upgrade(db)
    event = _event("a")
    with db.begin() as conn:
        insert_new(conn, [event])
    runs, inbox = RunRepository(db), InboxRepository(db)
    first, second = runs.start_many("batch:1", "b1", [(event.id, "one"), (event.id, "two")])
    common = {"position": 0, "name": "recipe.run", "step_input": {}, "event_id": event.id}
    runs.close(first, **common, run_status="succeeded", changed_fields=["email"])
    stored = inbox.get(event.id)
    assert stored is not None and stored.outcome is None and stored.processed_at is None
    assert stored.event.changed_fields == ["email"]
    runs.close(second, **common, run_status="succeeded", event_outcome="applied")
    stored = inbox.get(event.id)
    assert stored is not None and stored.outcome == "applied"
    assert stored.event.changed_fields == ["email"]  # said once: kept
    for run_id in (first, second):
        record = runs.get(run_id)
        assert record is not None and record.status == "succeeded"
        assert [(s.name, s.status) for s in record.steps] == [("recipe.run", "succeeded")]


def test_reads_outside_a_transaction_leave_writes_in_theirs(database_url: str) -> None:
    """A run's reads go outside a transaction on PostgreSQL; the pooled connection they used
    then serves a write transaction that still rolls back as a whole."""
    db = open_database(database_url, pool_size=1)
    migrate.upgrade(db)
    event = _event("a")
    with db.begin() as conn:
        insert_new(conn, [event])
    inbox = InboxRepository(db)
    assert inbox.get(event.id) is not None
    try:
        with db.begin() as conn:
            conn.execute(sa.text("UPDATE inbox_events SET outcome = 'lost'"))
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    stored = inbox.get(event.id)
    assert stored is not None and stored.outcome is None
