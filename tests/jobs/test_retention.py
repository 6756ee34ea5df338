"""Retention through the executor: finished workflows and runs go, dead letters stay."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from dbos import DBOS

from ghltt.jobs import JobRuntime
from ghltt.jobs.retention import (
    PRUNABLE_WORKFLOW_STATUSES,
    RETENTION_CRON,
    RETENTION_SCHEDULE,
    prune,
)
from ghltt.store import RunRepository
from ghltt.web.intake_writer import IntakeWriter
from tests.jobs.conftest import wait_for
from tests.jobs.test_runs import _event


def test_pruning_keeps_dead_letters_and_removes_finished_history(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine], tmp_path: Path
) -> None:
    jobs, intake, db = runtime
    journal = tmp_path / "journal"
    events = [_event(f"ok-{i}", journal, steps=1) for i in range(3)]
    events.append(_event("dead", journal, fail_until=str(tmp_path / "never"), steps=1))
    asyncio.run(intake.submit(events))
    runs = RunRepository(db)
    wait_for(lambda: runs.count("succeeded") == 3, what="three runs to succeed")
    wait_for(lambda: len(jobs.admin.dead_letters()) == 1, what="a dead letter")
    client = jobs.admin.client
    wait_for(
        lambda: not client.list_workflows(status=["PENDING", "ENQUEUED"]),
        what="every workflow to finish",
    )
    assert client.list_workflows(status=PRUNABLE_WORKFLOW_STATUSES)

    # Nothing is old enough yet: a 30-day retention removes nothing.
    assert not any(prune(db, client, 30).as_dict().values())

    later = datetime.now(UTC) + timedelta(days=31)
    pruned = prune(db, client, 30, now=later)

    assert pruned.runs >= 3  # the three that succeeded, and the batches' retried runs
    assert runs.count("succeeded") == 0 and runs.count("failed") == 1
    assert pruned.workflows >= 1 and pruned.events == 3  # a batch may have run all three
    assert not client.list_workflows(status=PRUNABLE_WORKFLOW_STATUSES)
    [letter] = jobs.admin.dead_letters()  # the dead letter stays, with its run
    assert letter.event_id is not None


def test_the_executor_keeps_an_hourly_pruning_schedule(
    runtime: tuple[JobRuntime, IntakeWriter, sa.Engine],
) -> None:
    schedule = DBOS.get_schedule(RETENTION_SCHEDULE)
    assert schedule is not None
    assert schedule["schedule"] == RETENTION_CRON and schedule["context"] == {"days": 30}
