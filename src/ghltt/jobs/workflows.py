"""The durable run of one event: plan, then each step checkpointed, retried and recorded.

DBOS records every step's result; after a crash the workflow is replayed from that record,
so a step that completed never runs again. The module-level context is set by the runtime
because DBOS workflows must be plain module-level functions.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
import structlog
from dbos import DBOS, StepOptions
from dbos import error as dbos_error

from ghltt.core import NotFound
from ghltt.engine import Registry, RunPlan, StepPlan
from ghltt.store import InboxRepository, RunRepository

log = structlog.get_logger(__name__)

PROCESS_EVENT = "ghltt.process_event"


@dataclass
class RunContext:
    engine: sa.Engine
    registry: Registry
    max_attempts: int
    retry_interval: float
    on_new_events: Callable[[], None] | None = None

    @property
    def inbox(self) -> InboxRepository:
        return InboxRepository(self.engine)

    @property
    def runs(self) -> RunRepository:
        return RunRepository(self.engine)


_context: RunContext | None = None


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
    return [asdict(p) for p in ctx.registry.plan(stored.event)]


async def _start_run(workflow_id: str, event_id: str, bridge: str, recipe: str) -> str:
    return _ctx().runs.start(
        run_id=uuid.uuid4().hex,
        workflow_id=workflow_id,
        event_id=event_id,
        bridge=bridge,
        recipe=recipe,
    )


async def _execute(run_id: str, position: int, action: str, step_input: dict[str, Any]) -> Any:
    ctx = _ctx()
    # The run's id rides along (not recorded as input) so actions can attribute provenance.
    output = await ctx.registry.get_action(action)({**step_input, "run_id": run_id})
    ctx.runs.record_step(
        run_id, position, action=action, status="succeeded", input=step_input, output=output
    )
    return output


async def _record_failure(
    run_id: str, position: int, action: str, step_input: dict[str, Any], error: str
) -> None:
    ctx = _ctx()
    ctx.runs.record_step(
        run_id, position, action=action, status="failed", input=step_input, error=error
    )
    ctx.runs.finish(run_id, "failed", error)


async def _finish(run_id: str) -> None:
    _ctx().runs.finish(run_id, "succeeded")


async def _mark_processed(event_id: str, outcome: str) -> None:
    _ctx().inbox.mark_processed(event_id, outcome)


async def _run_plan(workflow_id: str, event_id: str, bridge: str, plan: RunPlan) -> bool:
    ctx = _ctx()
    run_id = await DBOS.run_step_async(
        {"name": "start_run"}, _start_run, workflow_id, event_id, bridge, plan.recipe
    )
    for position, raw in enumerate(plan.steps):
        step = raw if isinstance(raw, StepPlan) else StepPlan(**raw)
        options: StepOptions = {
            "name": f"{plan.recipe}:{position}:{step.action}",
            "retries_allowed": step.retry,
            "max_attempts": ctx.max_attempts,
            "interval_seconds": ctx.retry_interval,
            "backoff_rate": 2.0,
        }
        try:
            await DBOS.run_step_async(options, _execute, run_id, position, step.action, step.input)
        except Exception as exc:
            log.warning("run step failed", run=run_id, action=step.action, error=_error_text(exc))
            await DBOS.run_step_async(
                {"name": "record_failure"},
                _record_failure,
                run_id,
                position,
                step.action,
                step.input,
                _error_text(exc),
            )
            return False
    await DBOS.run_step_async({"name": "finish_run"}, _finish, run_id)
    return True


class RunFailed(Exception):
    """At least one run of the event failed after its retries: the workflow is a dead letter."""


@DBOS.workflow(name=PROCESS_EVENT, max_recovery_attempts=50)
async def process_event(event_id: str, bridge: str) -> str:
    workflow_id = DBOS.workflow_id or event_id
    raw_plans = await DBOS.run_step_async({"name": "plan"}, _plan, event_id)
    plans = [
        RunPlan(recipe=p["recipe"], steps=[StepPlan(**s) for s in p["steps"]]) for p in raw_plans
    ]
    ok = True
    for plan in plans:
        ok = await _run_plan(workflow_id, event_id, bridge, plan) and ok
    outcome = "no_match" if not plans else ("applied" if ok else "failed")
    await DBOS.run_step_async({"name": "mark_processed"}, _mark_processed, event_id, outcome)
    if not ok:
        raise RunFailed(f"event {event_id}: a run failed; replay it after fixing the cause")
    return outcome
