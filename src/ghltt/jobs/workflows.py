"""Durable runs: a batch of a bridge's events in one workflow, and each event on its own.

DBOS records every step's result; after a crash a workflow is replayed from that record, so a
step that completed never runs again. Checkpoints cost about as much as a small run, so the
dispatcher hands events over in batches (``process_batch``): one step plans the whole batch,
then each run of a single retryable step is one checkpointed step that also records the run
and, for the event's last run, its outcome. A run whose step fails is not retried there: its
event is handed to its own workflow (``process_event``), which retries each step with backoff,
becomes the dead letter when the retries run out, and is what ``replay`` forks. Runs of
several steps, or of steps that must not be retried blindly, go there from the start, so
each of their steps keeps its own checkpoint.

A step's record writes (a sync's link, snapshots and provenance) are held while it runs
(``held_writes``) and commit in one transaction with the step's record: in a batch, with the
run's end and its event's outcome. A crash before that commit loses nothing a retry cannot
find again: the step is not checkpointed yet, so it runs again and finds what it wrote
remotely (docs/engine.md, idempotency).

The module-level context is set by the runtime because DBOS workflows must be plain
module-level functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import structlog
from dbos import DBOS, DBOSClient, StepOptions
from dbos import error as dbos_error

from ghltt.core import Event, NotFound
from ghltt.engine.context import HeldWrite
from ghltt.jobs.failures import failure_class
from ghltt.jobs.group_commit import GroupCommit
from ghltt.jobs.locks import KeyedLocks
from ghltt.jobs.plans import Held, Planner, Run, held_writes
from ghltt.observability import RemoteCalls, collecting_remote_calls
from ghltt.store import InboxRepository, RunRepository
from ghltt.store.database import Bind, Database
from ghltt.store.inbox import HELD, RELEASED

log = structlog.get_logger(__name__)

RUNS_QUEUE = "ghltt-runs"
WORKFLOW_VERSION = "1"

PROCESS_EVENT = "ghltt.process_event"
PROCESS_BATCH = "ghltt.process_batch"
# The status of a batch run whose step failed: the run is retried in its event's own workflow.
RETRIED = "retried"
# What a run came to: done, failed (retried, then a dead letter), or waiting for a fix (held).
SUCCEEDED, FAILED = "succeeded", "failed"


def _retryable(exc: BaseException) -> bool:
    """A held run waits for a person; trying again would only repeat the refusal."""
    return not isinstance(exc, Held)


@dataclass
class RunContext:
    db: Database
    planner: Planner
    max_attempts: int
    retry_interval: float
    on_new_events: Callable[[], None] | None = None
    # The system database's client, for work on workflow records themselves (retention).
    workflows: DBOSClient | None = None
    # Where runs' record writes commit (together when they end together).
    commits: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        self.commits = GroupCommit(self.db)

    @property
    def inbox(self) -> InboxRepository:
        return InboxRepository(self.db)

    @property
    def runs(self) -> RunRepository:
        return RunRepository(self.db)


_context: RunContext | None = None
_record_locks = KeyedLocks()
# The requests of a step's failed attempts, by (run id, position), until the attempt that
# succeeds or the failure's record stores them with the step. In memory: after a crash a
# step's record shows only the requests of the attempts made since.
_failed_calls: dict[tuple[str, int], RemoteCalls] = {}
_FAILED_CALLS_KEPT = 1000


def set_context(context: RunContext | None) -> None:
    global _context
    _context = context


def _ctx() -> RunContext:
    if _context is None:
        raise RuntimeError("the job runtime is not started in this process")
    return _context


def _error_text(exc: BaseException) -> str:
    """The last cause in the exception's own words (no traceback: run records are shown)."""
    attempts = 1
    if isinstance(exc, dbos_error.DBOSMaxStepRetriesExceeded) and exc.errors:
        attempts = len(exc.errors)
        exc = exc.errors[-1]
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if attempts > 1:
        text = f"{text} (after {attempts} attempts)"
    return text[:2000]


async def _plan(event_id: str) -> list[dict[str, Any]]:
    ctx = _ctx()
    stored = ctx.inbox.get(event_id)
    if stored is None:
        raise NotFound(f"event {event_id} is not in the inbox")
    return [asdict(p) for p in ctx.planner.plan(stored.event)]


def _record_key(event: Event) -> str | None:
    if event.object_id is None:
        return None
    return f"{event.bridge}|{event.source.value}|{event.object_type}|{event.object_id}"


async def _plan_batch(workflow_id: str, bridge: str, event_ids: list[str]) -> list[dict[str, Any]]:
    """Each event's plans, and a queued record of each run the batch will make; events with
    no plan are processed here and then (held when they wait for a connection's fix)."""
    ctx = _ctx()
    planned: list[dict[str, Any]] = []
    unmatched: list[str] = []
    held: list[str] = []
    inbox = ctx.inbox.get_many(event_ids)
    if any(s.outcome == RELEASED for s in inbox.values()):
        ctx.planner.refresh()  # released by a fix this process may not have read yet
    for event_id in event_ids:
        stored = inbox.get(event_id)
        if stored is None:
            log.warning("batch names an event that is not in the inbox", event=event_id)
            continue
        plans = ctx.planner.plan(stored.event)
        if not plans:
            (held if ctx.planner.held(stored.event) else unmatched).append(event_id)
            continue
        planned.append(
            {
                "event_id": event_id,
                "record": _record_key(stored.event),
                "plans": [asdict(p) for p in plans],
                "own_workflow": not all(p.fast for p in plans),
            }
        )
    ctx.inbox.mark_processed_many(unmatched, "no_match")
    ctx.inbox.mark_processed_many(held, HELD)
    here = [e for e in planned if not e["own_workflow"]]
    keys = [(e["event_id"], p["recipe"]) for e in here for p in e["plans"]]
    run_ids = iter(ctx.runs.start_many(workflow_id, bridge, keys))
    for entry in here:
        for plan in entry["plans"]:
            plan["run_id"] = next(run_ids)
    return planned


async def _start_run(workflow_id: str, event_id: str, bridge: str, recipe: str) -> str:
    return _ctx().runs.start(
        run_id=uuid.uuid4().hex,
        workflow_id=workflow_id,
        event_id=event_id,
        bridge=bridge,
        recipe=recipe,
    )


def _changed_fields(output: Any) -> list[str] | None:
    """A step may report which fields of the event's record changed (when the sender of
    the event did not say, a sync run works it out); the event records them."""
    found = output.get("changed_fields") if isinstance(output, dict) else None
    return [str(f) for f in found] if isinstance(found, list) else None


@contextlib.contextmanager
def _holding(held: list[HeldWrite]) -> Iterator[None]:
    """The step called in this block holds its record writes in ``held``."""
    token = held_writes.set(held)
    try:
        yield
    finally:
        held_writes.reset(token)


async def _commit(held: list[HeldWrite], *then: HeldWrite) -> None:
    """A step's held record writes and then its own record, in one transaction."""
    await _ctx().commits.commit([*held, *then])


async def _execute(
    run_id: str, position: int, step: str, step_input: dict[str, Any], event_id: str
) -> Any:
    ctx = _ctx()
    calls = _failed_calls.pop((run_id, position), None) or RemoteCalls()
    held: list[HeldWrite] = []
    try:
        with collecting_remote_calls(calls), _holding(held):
            # The run's id rides along (not recorded as input) so steps can attribute
            # provenance.
            output = await ctx.planner.step(step)({**step_input, "run_id": run_id})
    except BaseException:
        if len(_failed_calls) >= _FAILED_CALLS_KEPT:
            _failed_calls.pop(next(iter(_failed_calls)))
        _failed_calls[(run_id, position)] = calls
        await _commit(held)  # what it recorded before failing holds (a pair it made)
        raise
    changed = _changed_fields(output)

    def record(bound: Bind) -> None:
        RunRepository(bound).record_step(
            run_id,
            position,
            name=step,
            status="succeeded",
            input=step_input,
            output=output,
            requests=calls.stored(),
        )
        if changed is not None:
            InboxRepository(bound).fill_changed_fields(event_id, changed)

    await _commit(held, record)
    return output


async def _run_in_batch(
    event_id: str, plan: dict[str, Any], last: bool, held_before: bool = False
) -> str:
    """One run of one step, recorded; the event's outcome too when it is its last run.

    ``RETRIED`` when the step failed: the run is closed as retried and the caller gives the
    event to its own workflow, which retries with backoff. ``HELD`` when it waits for a
    connection's fix: the run is closed as held, and so is the event after its last run.
    """
    ctx = _ctx()
    run_id, [step] = plan["run_id"], Run.of(plan).steps
    calls = RemoteCalls()
    held: list[HeldWrite] = []

    async def close(**end: Any) -> None:
        """The run's record writes, its step with the requests it made, and its end: one
        transaction."""

        def record(bound: Bind) -> None:
            RunRepository(bound).close(
                run_id,
                position=0,
                name=step.name,
                step_input=step.input,
                event_id=event_id,
                requests=calls.stored(),
                **end,
            )

        await _commit(held, record)

    try:
        step_fn = ctx.planner.step(step.name)
        with collecting_remote_calls(calls), _holding(held):
            output = await step_fn({**step.input, "run_id": run_id})
    except Held as exc:
        log.warning("run held until a connection is fixed", run=run_id, reason=str(exc))
        await close(
            error=str(exc),
            run_status=HELD,
            run_error=str(exc),
            event_outcome=HELD if last else None,
        )
        return HELD
    except Exception as exc:
        error = _error_text(exc)
        log.info("batch run failed; retrying in its own workflow", run=run_id, error=error)
        retried = f"{error}; retried in {event_workflow_id(event_id)}"
        await close(error=error, run_status=RETRIED, run_error=retried)
        return RETRIED
    outcome = HELD if held_before else "applied"
    await close(
        output=output,
        run_status=SUCCEEDED,
        event_outcome=outcome if last else None,
        changed_fields=_changed_fields(output),
    )
    return SUCCEEDED


async def _record_failure(
    run_id: str,
    position: int,
    step: str,
    step_input: dict[str, Any],
    error: str,
    run_status: str = FAILED,
    error_class: str | None = None,
) -> None:
    ctx = _ctx()
    calls = _failed_calls.pop((run_id, position), None)
    ctx.runs.record_step(
        run_id,
        position,
        name=step,
        status="failed",
        input=step_input,
        error=error,
        requests=calls.stored() if calls else None,
    )
    ctx.runs.finish(run_id, run_status, error, error_class)


async def _finish(run_id: str) -> None:
    _ctx().runs.finish(run_id, "succeeded")


async def _mark_processed(event_id: str, outcome: str) -> None:
    _ctx().inbox.mark_processed(event_id, outcome)


async def _hold_reason(event_id: str) -> str | None:
    ctx = _ctx()
    stored = ctx.inbox.get(event_id)
    return None if stored is None else ctx.planner.held(stored.event)


async def _run_plan(workflow_id: str, event_id: str, bridge: str, plan: Run) -> str:
    """The run, step by step: ``SUCCEEDED``, ``FAILED`` (after its retries) or ``HELD``."""
    ctx = _ctx()
    run_id = await DBOS.run_step_async(
        {"name": "start_run"}, _start_run, workflow_id, event_id, bridge, plan.recipe
    )
    for position, step in enumerate(plan.steps):
        options: StepOptions = {
            "name": f"{plan.recipe}:{position}:{step.name}",
            "retries_allowed": step.retry,
            "max_attempts": ctx.max_attempts,
            "interval_seconds": ctx.retry_interval,
            "backoff_rate": 2.0,
            "should_retry": _retryable,
        }
        try:
            await DBOS.run_step_async(
                options, _execute, run_id, position, step.name, step.input, event_id
            )
        except Exception as exc:
            status = HELD if isinstance(exc, Held) else FAILED
            error = str(exc) if isinstance(exc, Held) else _error_text(exc)
            log.warning("run step did not succeed", run=run_id, step=step.name, status=status)
            await DBOS.run_step_async(
                {"name": "record_failure"},
                _record_failure,
                run_id,
                position,
                step.name,
                step.input,
                error,
                status,
                None if status == HELD else failure_class(exc),
            )
            return status
    await DBOS.run_step_async({"name": "finish_run"}, _finish, run_id)
    return SUCCEEDED


class RunFailed(Exception):
    """At least one run of the event failed after its retries: the workflow is a dead letter."""


def event_workflow_id(event_id: str) -> str:
    return f"event:{event_id}"


def enqueue_options(workflow_name: str, workflow_id: str, bridge: str) -> dict[str, Any]:
    return {
        "workflow_name": workflow_name,
        "queue_name": RUNS_QUEUE,
        "workflow_id": workflow_id,
        "queue_partition_key": bridge,
        "app_version": WORKFLOW_VERSION,
    }


@DBOS.workflow(name=PROCESS_EVENT, max_recovery_attempts=50)
async def process_event(
    event_id: str, bridge: str, recipes: list[str] | None = None, held_before: bool = False
) -> str:
    """Run an event's plans (only those of ``recipes`` when a batch handed some over, saying
    whether one it ran before was held)."""
    workflow_id = DBOS.workflow_id or event_id
    raw_plans = await DBOS.run_step_async({"name": "plan"}, _plan, event_id)
    plans = [Run.of(p) for p in raw_plans if recipes is None or p["recipe"] in recipes]
    results = [await _run_plan(workflow_id, event_id, bridge, plan) for plan in plans]
    if held_before:
        results.append(HELD)  # a run the batch made before handing the event over was held
    if not plans:
        held = await DBOS.run_step_async({"name": "hold"}, _hold_reason, event_id)
        outcome = HELD if held else "no_match"
    elif FAILED in results:
        outcome = "failed"
    else:
        outcome = HELD if HELD in results else "applied"
    await DBOS.run_step_async({"name": "mark_processed"}, _mark_processed, event_id, outcome)
    if outcome == "failed":
        raise RunFailed(f"event {event_id}: a run failed; replay it after fixing the cause")
    return outcome


async def _run_retried(event_id: str, plan: dict[str, Any], last: bool, held_before: bool) -> str:
    """A batch run, tried again with backoff when its record cannot be written (the store
    is away for a moment), as a DBOS step would be: the run finds what it already did."""
    ctx = _ctx()
    for attempt in range(1, ctx.max_attempts):
        try:
            return await _run_in_batch(event_id, plan, last, held_before)
        except Exception as exc:
            log.warning("batch run not recorded; trying again", error=type(exc).__name__)
            await asyncio.sleep(ctx.retry_interval * 2.0 ** (attempt - 1))
    return await _run_in_batch(event_id, plan, last, held_before)  # the last attempt


# What a batch run's record says it came to, once it ended (its status is the result).
_ENDED = frozenset({SUCCEEDED, RETRIED, HELD})


@DBOS.workflow(name=PROCESS_BATCH, max_recovery_attempts=50)
async def process_batch(
    batch_id: str, bridge: str, event_ids: list[str], runs_recorded: bool = False
) -> dict[str, int]:
    """A bridge's events in order; a record's events run one at a time in this process.

    Each run's own record is its checkpoint: it commits with the run's writes and its
    event's outcome (``_run_in_batch``), so a recovered batch reads which runs ended and runs
    only the others. That saves a DBOS step, four statements, per run. Batches enqueued
    before runs were their own checkpoints (``runs_recorded`` false) made each run a DBOS
    step, and are recovered the way they were recorded.
    """
    ctx = _ctx()
    workflow_id = DBOS.workflow_id or batch_id
    planned = await DBOS.run_step_async(
        {"name": "plan"}, _plan_batch, workflow_id, bridge, event_ids
    )
    ended: dict[str, str] = {}
    if runs_recorded:
        here = [p["run_id"] for e in planned if not e["own_workflow"] for p in e["plans"]]
        ended = {r: s for r, s in ctx.runs.statuses(here).items() if s in _ENDED}
    counts = {"events": len(event_ids), "runs": 0, "own_workflow": 0}
    for entry in planned:
        event_id, plans = entry["event_id"], entry["plans"]
        pending = [p["recipe"] for p in plans]
        held = False
        if not entry["own_workflow"]:
            async with _record_locks.hold(entry["record"]):
                for position, plan in enumerate(plans):
                    last = position == len(plans) - 1
                    ran: str | bool
                    if plan["run_id"] in ended:
                        ran = ended[plan["run_id"]]
                    elif runs_recorded:
                        ran = await _run_retried(event_id, plan, last, held)
                    else:
                        options: StepOptions = {
                            "name": f"{event_id}:{plan['recipe']}",
                            "max_attempts": ctx.max_attempts,
                            "interval_seconds": ctx.retry_interval,
                            "backoff_rate": 2.0,
                        }
                        ran = await DBOS.run_step_async(
                            options, _run_in_batch, event_id, plan, last, held
                        )
                    if ran in (RETRIED, False):  # False: recorded before runs could be held
                        break
                    held = held or ran == HELD
                    counts["runs"] += 1
                    pending.remove(plan["recipe"])
        if pending:
            counts["own_workflow"] += 1
            await DBOS.enqueue_workflow_with_options_async(
                enqueue_options(PROCESS_EVENT, event_workflow_id(event_id), bridge),  # type: ignore[arg-type]
                event_id,
                bridge,
                None if len(pending) == len(plans) else pending,
                held,
            )
    return counts
