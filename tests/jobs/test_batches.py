"""Batches: a backlog runs in few workflows, every step once, a record's events in order."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ghltt.core import Event, EventSource
from ghltt.jobs import JobRuntime
from ghltt.jobs.dispatcher import plan_batches
from ghltt.jobs.workflows import PROCESS_BATCH, enqueue_options
from ghltt.store import InboxRepository, RunRepository, insert_new
from ghltt.store.inbox import Undispatched
from ghltt.web.intake_writer import IntakeWriter
from tests.jobs.conftest import wait_for


def _event(key: str, journal: Path, record: str | None = None) -> Event:
    return Event(
        bridge="b1",
        source=EventSource.GHL,
        kind="test.multistep",
        dedup_key=f"ghl:{key}",
        object_type="contact" if record else None,
        object_id=record,
        payload={"journal": str(journal), "steps": 1},
    )


def _started(journal: Path) -> list[str]:
    return [ln.split()[1] for ln in journal.read_text().splitlines() if ln.startswith("start")]


def test_batches_keep_a_records_events_together_and_spread_a_backlog() -> None:
    events = [
        Undispatched(f"e{i}", "b1", None, "ghl|contact|same" if i % 3 == 0 else None)
        for i in range(30)
    ]
    batches = plan_batches(events, spread=4, max_batch=25)
    assert sorted(e for b in batches for e in b) == sorted(e.event_id for e in events)
    [with_record] = [b for b in batches if "e0" in b]
    assert [e for e in with_record if int(e[1:]) % 3 == 0] == [f"e{i}" for i in range(0, 30, 3)]
    assert len(batches) >= 4
    assert plan_batches(events[:1], spread=16, max_batch=25) == [["e0"]]
    # A trickle is not spread into batches of one: each batch costs a workflow.
    assert len(plan_batches(events[1:6], spread=16, max_batch=25)) == 1
    loose = [e for e in events if e.record is None]
    assert all(len(b) <= 5 for b in plan_batches(loose, spread=1, max_batch=5))


def test_a_backlog_runs_in_batches_each_step_once_and_a_records_events_in_order(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine], tmp_path: Path
) -> None:
    jobs, _, db = runtime
    journal = tmp_path / "journal"
    events = [_event(f"k{i}", journal, record="same" if i % 4 == 0 else None) for i in range(80)]
    with db.begin() as conn:
        insert_new(conn, events)
    jobs.wake()
    inbox = InboxRepository(db)
    wait_for(lambda: inbox.count(processed=True) == 80, what="80 processed events")
    runs = RunRepository(db)
    assert runs.count("succeeded") == 80 and runs.count() == 80
    started = _started(journal)
    assert sorted(started) == sorted(e.id for e in events)  # each step exactly once
    # Arrival order: one transaction gives them one receipt time, then their ids decide.
    same = sorted(e.id for e in events if e.object_id == "same")
    assert [s for s in started if s in same] == same
    batches = jobs.admin.client.list_workflows(name="ghltt.process_batch", load_input=False)
    assert 1 < len(batches) < 80
    # A run's own record is its checkpoint: a batch records its plan, no step per run.
    assert all(len(jobs.admin.client.list_workflow_steps(b.workflow_id)) == 1 for b in batches)
    assert not jobs.admin.client.list_workflows(name="ghltt.process_event", load_input=False)


def test_a_batch_fixed_before_a_crash_runs_once_with_its_events(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine], tmp_path: Path
) -> None:
    jobs, _, db = runtime
    journal = tmp_path / "journal"
    events = [_event(f"c{i}", journal) for i in range(5)]
    inbox = InboxRepository(db)
    with db.begin() as conn:
        # As a dispatcher that died after fixing the batch, before enqueueing it, left it.
        insert_new(conn, events)
        conn.execute(sa.text("UPDATE inbox_events SET batch_id = 'batch:left-over'"))
    jobs.wake()
    wait_for(lambda: inbox.count(processed=True) == 5, what="the left-over batch to run")
    [batch] = jobs.admin.client.list_workflows(name="ghltt.process_batch")
    assert batch.workflow_id == "batch:left-over"
    assert batch.input is not None and batch.input["args"][2] == sorted(e.id for e in events)
    assert sorted(_started(journal)) == sorted(e.id for e in events)


def test_events_no_run_wants_are_settled_without_a_workflow_and_the_rest_run_in_batches(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine], tmp_path: Path
) -> None:
    jobs, _, db = runtime
    journal = tmp_path / "journal"
    wanted = [_event(f"w{i}", journal, record=f"r{i}") for i in range(5)]
    unwanted = [
        Event(
            bridge="b1",
            source=EventSource.GHL,
            kind="note.created",  # no recipe or route of bridge b1 takes it
            dedup_key=f"ghl:note{i}",
            object_type="note",
            object_id=f"note{i}",
        )
        for i in range(300)
    ]
    with db.begin() as conn:
        insert_new(conn, unwanted[:150] + wanted + unwanted[150:])
    jobs.wake()
    inbox = InboxRepository(db)
    wait_for(lambda: inbox.count(processed=True) == 305, what="305 processed events")
    outcomes = {e.id: inbox.get(e.id).outcome for e in wanted + unwanted}  # type: ignore[union-attr]
    assert {outcomes[e.id] for e in unwanted} == {"no_match"}
    assert {outcomes[e.id] for e in wanted} == {"applied"}
    assert RunRepository(db).count("succeeded") == 5 and RunRepository(db).count() == 5
    batches = jobs.admin.client.list_workflows(name="ghltt.process_batch")
    assert sorted(e for b in batches for e in b.input["args"][2]) == sorted(e.id for e in wanted)  # type: ignore[index]


def test_a_batch_enqueued_by_an_older_version_runs_each_run_as_a_dbos_step(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine], tmp_path: Path
) -> None:
    """Batches of older versions checkpointed each run as a DBOS step; one recovered after an
    upgrade runs the way it was recorded."""
    jobs, _, db = runtime
    journal = tmp_path / "journal"
    events = [_event(f"o{i}", journal) for i in range(3)]
    with db.begin() as conn:
        insert_new(conn, events)
        conn.execute(
            sa.text("UPDATE inbox_events SET batch_id = 'batch:old', dispatched_at = received_at")
        )
    members = sorted(e.id for e in events)
    options = enqueue_options(PROCESS_BATCH, "batch:old", "b1")
    jobs.admin.client.enqueue(options, "batch:old", "b1", members)  # type: ignore[arg-type]
    inbox = InboxRepository(db)
    wait_for(lambda: inbox.count(processed=True) == 3, what="the older batch to run")
    assert sorted(_started(journal)) == members
    # Its last run's event is marked processed before DBOS records that run's step.
    jobs.admin.client.retrieve_workflow("batch:old").get_result()
    steps = jobs.admin.client.list_workflow_steps("batch:old")
    assert len(steps) == 1 + len(members)  # its plan, then each run
