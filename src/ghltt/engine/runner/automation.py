"""Automation runs: conditions, then each step planned by the engine and performed here."""

from __future__ import annotations

from typing import Any

from ghltt.core import Event
from ghltt.engine.mapping import MappingFailed
from ghltt.engine.recipes import (
    AutomationRecipe,
    build_context,
    build_scope,
    plan_step,
    with_output,
)
from ghltt.engine.runner.actions import ACTIONS, call_action
from ghltt.engine.runner.context import BridgeContext
from ghltt.engine.runner.report import RunReport, Write


async def run_automation(recipe: AutomationRecipe, event: Event, ctx: BridgeContext) -> RunReport:
    report = RunReport(recipe.name, ctx.mode)
    await ctx.resolver.load(
        s.spec.object_type
        for s in recipe.steps
        if s.spec and s.spec.custom_fields and s.spec.object_type
    )
    params = ctx.params_for(recipe.name)
    mctx = build_context(
        recipe,
        now=ctx.now,
        resolver=ctx.resolver,
        params=params,
        location_tz=ctx.location_tz,
        tt_timezone=ctx.tt_timezone,
    )
    scope = build_scope(recipe, event, params=params)
    if not recipe.conditions_hold(scope, mctx):
        return report.finish("skipped", "conditions do not hold")
    for step in recipe.steps:
        try:
            decision = plan_step(step, scope, mctx)
        except MappingFailed:
            if ctx.writes or not report.writes:
                raise
            # Shadow mode: this step reads the output of a write that was only planned.
            return report.finish("applied", f"planned up to {step.id} (needs a planned write)")
        report.steps.append(
            {"step": step.id, "outcome": decision.outcome, "reason": decision.reason}
        )
        if decision.outcome == "stop":
            return report.finish("applied" if report.writes else "skipped", f"stopped at {step.id}")
        if decision.outcome == "skip":
            continue
        if decision.outcome == "set":
            scope = with_output(scope, step.id, decision.output)
            continue
        outputs = []
        for invocation in decision.invocations:
            outputs.append(
                await _invoke(
                    ctx, recipe, invocation.action, invocation.input, invocation.once_key, report
                )
            )
        output: Any = outputs if step.for_each is not None else (outputs[0] if outputs else None)
        scope = with_output(scope, step.id, output)
    return report.finish("applied" if report.writes else "no_change")


async def _invoke(
    ctx: BridgeContext,
    recipe: AutomationRecipe,
    action: str,
    body: dict[str, Any],
    once_key: str | None,
    report: RunReport,
) -> Any:
    spec = ACTIONS[action]
    if not spec.writes:
        return await call_action(
            ctx, action, body
        )  # reads run in shadow mode too: later steps need them
    once = ctx.repos.once
    if once_key is not None:
        if not ctx.writes:
            if once.seen(ctx.bridge_id, recipe.name, once_key):
                return None
        elif not once.claim(ctx.bridge_id, recipe.name, once_key, ctx.run_id):
            return None
    object_id = next((str(body[k]) for k in ("contactId", "id", "taskId") if k in body), None)
    report.writes.append(
        Write(spec.system, action, spec.object_type or action.split(".")[1], object_id, dict(body))
    )
    if not ctx.writes:
        return None
    try:
        return await call_action(ctx, action, body)
    except Exception:
        if once_key is not None:
            # Not done after all: a later run may try again.
            once.release(ctx.bridge_id, recipe.name, once_key)
        raise
