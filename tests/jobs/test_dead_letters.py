"""Dead letters as people work with them: the cause, gone once a replay succeeds, replayed in
bulk by filter."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from ghltt.connectors.http import AuthError, ServerError, TransportError
from ghltt.core import Event, EventSource, InvalidInput, utcnow
from ghltt.jobs import JobRuntime
from ghltt.jobs.failures import failure_class
from ghltt.store import InboxRepository, RunRepository
from ghltt.store.runs import RunFilter
from ghltt.vault import ConnectionFailed, Failure, FailureKind
from ghltt.web.intake_writer import IntakeWriter
from tests.jobs.conftest import wait_for

Runtime = tuple[JobRuntime, IntakeWriter, sa.Engine]


def _failing(bridge: str, key: str, tmp_path: Path, **payload: object) -> Event:
    return Event(
        bridge=bridge,
        source=EventSource.MANUAL,
        kind="test.multistep",
        dedup_key=f"manual:{key}",
        payload={
            "journal": str(tmp_path / "journal"),
            "steps": 1,
            "fail_until": str(tmp_path / "fixed"),
            **payload,
        },
    )


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (TransportError("GET https://x: [Errno -2] Name or service not known"), "network"),
        (AuthError("invalid token", status=401), "credential"),
        (ServerError("bad gateway", status=502), "remote_error"),
        (
            ConnectionFailed("c1", Failure(FailureKind.REVOKED, "revoked", "reconnect")),
            "connection",
        ),
        (InvalidInput("email: not an address"), "rejected"),
        (KeyError("x"), "internal"),
    ],
)
def test_a_failure_is_classified_by_what_went_wrong(error: Exception, kind: str) -> None:
    assert failure_class(error) == kind


def test_a_dead_letter_shows_its_cause_and_leaves_the_list_once_replayed(
    runtime: Runtime, tmp_path: Path
) -> None:
    jobs, intake, db = runtime
    event = _failing("b1", "dns", tmp_path, fail_as="network")
    [accepted] = asyncio.run(intake.submit([event]))
    wait_for(lambda: len(jobs.admin.dead_letters()) == 1, what="a dead letter")
    [letter] = jobs.admin.dead_letters()
    assert letter.event_id == accepted.event_id and letter.recipe == "test-multistep"
    assert letter.cause_class == "network"
    assert "name or service not known" in (letter.cause or "")
    assert "a run failed; replay it" not in (letter.cause or "")  # not the generic message
    assert letter.as_dict()["remedy"].startswith("the remote service could not be reached")
    # The run is dead before its event's outcome is written: the event follows shortly.
    inbox = InboxRepository(db)
    wait_for(
        lambda: inbox.get(accepted.event_id).outcome == "failed",  # type: ignore[union-attr]
        what="the event's outcome",
    )

    (tmp_path / "fixed").touch()
    replayed = jobs.admin.replay(letter.short_id)
    # The id printed is the run's own: 'runs show' knows it.
    assert replayed.run_ids == [letter.id]
    runs = RunRepository(db)
    wait_for(lambda: runs.find(letter.short_id).status == "succeeded", what="the replay")
    assert jobs.admin.dead_letters() == []
    wait_for(
        lambda: inbox.get(accepted.event_id).outcome == "applied",  # type: ignore[union-attr]
        what="the replayed event's outcome",
    )


def test_replay_all_failed_replays_what_the_filter_matches_and_counts_it(
    runtime: Runtime, tmp_path: Path
) -> None:
    jobs, intake, db = runtime
    events = [_failing("b1", f"one-{i}", tmp_path) for i in range(2)]
    events.append(_failing("b2", "two", tmp_path))
    asyncio.run(intake.submit(events))
    wait_for(lambda: len(jobs.admin.dead_letters()) == 3, what="three dead letters")
    assert {d.bridge for d in jobs.admin.dead_letters(RunFilter(bridge_id="b2"))} == {"b2"}
    later = RunFilter(since=utcnow() + timedelta(minutes=5))
    assert jobs.admin.dead_letters(later) == []
    assert jobs.admin.replay_all(later) == (0, 0)

    (tmp_path / "fixed").touch()
    progress: list[tuple[int, int]] = []
    done = jobs.admin.replay_all(
        RunFilter(bridge_id="b1", recipe="test-multistep"),
        lambda position, total, _letter, _outcome: progress.append((position, total)),
    )
    assert done == (2, 0) and progress == [(1, 2), (2, 2)]
    runs = RunRepository(db)
    wait_for(lambda: runs.count("succeeded") == 2, what="both replays of b1 to succeed")
    [left] = jobs.admin.dead_letters()
    assert left.bridge == "b2"


def test_a_batch_that_dies_outside_its_runs_is_a_dead_letter_until_a_replay_succeeds(
    runtime: Runtime, tmp_path: Path
) -> None:
    jobs, intake, db = runtime
    fixed = tmp_path / "plannable"
    event = _failing("b1", "unplannable", tmp_path, plan_fails_until=str(fixed), fail_until="")
    asyncio.run(intake.submit([event]))
    wait_for(lambda: len(jobs.admin.dead_letters()) == 1, what="the batch to die")
    [letter] = jobs.admin.dead_letters()
    assert letter.workflow_id.startswith("batch:") and letter.id == letter.workflow_id
    assert (letter.recipe, letter.events, letter.bridge) == (None, 1, "b1")
    assert "cannot plan this event" in (letter.cause or "")
    assert jobs.admin.dead_letters(RunFilter(bridge_id="b2")) == []

    fixed.touch()
    jobs.admin.replay(letter.id)
    wait_for(lambda: RunRepository(db).count("succeeded") == 1, what="the replayed batch")
    wait_for(lambda: jobs.admin.dead_letters() == [], what="the dead letter to leave the list")
