"""Durable runs in one process: dedup to exactly one run, retries, dead letters and replay."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from ghltt.core import Event, EventSource
from ghltt.jobs import JobRuntime
from ghltt.store import InboxRepository, RunRepository
from ghltt.web.intake_writer import IntakeWriter
from tests.jobs.conftest import wait_for


def _event(key: str, journal: Path, **payload: object) -> Event:
    return Event(
        bridge="b1",
        source=EventSource.MANUAL,
        kind="test.multistep",
        dedup_key=f"manual:{key}",
        payload={"journal": str(journal), "steps": 2, **payload},
    )


def test_1000_submissions_of_200_keys_make_exactly_200_runs(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine], tmp_path: Path
) -> None:
    _, intake, db = runtime
    journal = tmp_path / "journal"

    async def submit_all() -> list[bool]:
        results = await asyncio.gather(
            *(intake.submit([_event(f"key-{i % 200}", journal)]) for i in range(1000))
        )
        return [r[0].duplicate for r in results]

    duplicates = asyncio.run(submit_all())
    assert duplicates.count(False) == 200
    inbox = InboxRepository(db)
    wait_for(lambda: inbox.count(processed=True) == 200, what="200 processed events")
    assert RunRepository(db).count("succeeded") == 200
    assert RunRepository(db).count() == 200
    done = [line for line in journal.read_text().splitlines() if line.startswith("done")]
    assert len(done) == 400  # two steps per run, each exactly once


def test_a_run_that_keeps_failing_is_a_dead_letter_and_replays_from_the_failed_step(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine], tmp_path: Path
) -> None:
    jobs, intake, db = runtime
    journal = tmp_path / "journal"
    fixed = tmp_path / "fixed"
    event = _event("flaky", journal, fail_until=str(fixed), steps=1)
    [accepted] = asyncio.run(intake.submit([event]))
    runs = RunRepository(db)
    wait_for(lambda: runs.count("failed") == 1, what="the run to fail")
    wait_for(lambda: len(jobs.admin.dead_letters()) == 1, what="a dead letter")
    [letter] = jobs.admin.dead_letters()
    assert letter.event_id == accepted.event_id
    [failed] = runs.list(status="failed")
    record = runs.get(failed.id)
    assert record is not None and "refused" in (record.steps[0].error or "")
    # Once in its batch, then run_max_attempts (2) times in the event's own workflow.
    assert len([ln for ln in journal.read_text().splitlines() if ln.startswith("start")]) == 3
    [handed_off] = runs.list(status="retried")
    assert handed_off.event_id == accepted.event_id and "retried in event:" in (
        handed_off.error or ""
    )

    fixed.touch()
    jobs.admin.replay(failed.id)
    wait_for(lambda: runs.count("succeeded") == 1, what="the replayed run to succeed")
    assert runs.count("failed") == 0
    # The run is marked succeeded one step before its event is marked processed.
    inbox = InboxRepository(db)
    wait_for(
        lambda: inbox.get(accepted.event_id).outcome == "applied",  # type: ignore[union-attr]
        what="the event applied",
    )


def test_events_nobody_handles_are_processed_without_runs(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine],
) -> None:
    _, intake, db = runtime
    event = Event(source=EventSource.GHL, kind="contact.updated", dedup_key="ghl:x")
    asyncio.run(intake.submit([event]))
    inbox = InboxRepository(db)
    wait_for(lambda: inbox.count(processed=True) == 1, what="processing")
    assert inbox.get(event.id).outcome == "no_match"  # type: ignore[union-attr]
    assert RunRepository(db).count() == 0


@pytest.mark.parametrize("steps", [1, 2])  # one step: run in its batch; two: its own workflow
def test_a_run_a_connection_refuses_is_held_not_retried_and_no_dead_letter(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine], tmp_path: Path, steps: int
) -> None:
    jobs, intake, db = runtime
    journal = tmp_path / "journal"
    event = _event("refused", journal, refused=True, steps=steps)
    [accepted] = asyncio.run(intake.submit([event]))
    inbox = InboxRepository(db)
    wait_for(lambda: inbox.count(processed=True) == 1, what="processing")
    assert inbox.get(accepted.event_id).outcome == "held"  # type: ignore[union-attr]
    runs = RunRepository(db)
    [held] = runs.list(status="held")
    assert "401" in (held.error or "")
    assert runs.count("failed") == 0 and runs.count("retried") == 0
    # Tried once: a refusal is not tried again, neither in the batch nor in its own workflow.
    assert len([ln for ln in journal.read_text().splitlines() if ln.startswith("start")]) == 1
    assert jobs.admin.dead_letters() == []
