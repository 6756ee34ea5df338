"""Running an automation's steps, the pure part: what to call with which input.

The runner owns I/O. For each step it calls ``plan_step`` with the scope so far, performs the
invocations it gets (through the action catalog), then records each output with
``with_output`` so later steps can read ``steps.<id>.output``. ``ghltt.set`` (compute values)
and ``ghltt.stop`` (end the run early) are resolved here, without the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ghltt.core import Event
from ghltt.engine.mapping import (
    CustomFieldResolver,
    MappedRecord,
    MappingContext,
    MappingFailed,
    jmes,
    templating,
)
from ghltt.engine.recipes.catalog import type_matches
from ghltt.engine.recipes.compiled import AutomationRecipe, CompiledStep, SyncRecipe

Outcome = Literal["call", "skip", "stop", "set"]


@dataclass(frozen=True)
class LinkTarget:
    """What a step's ``link:`` asks of one invocation: record what it creates as the
    counterpart, under the sync ``recipe``, of record ``other_id`` on the ``other`` side."""

    recipe: str
    other: Literal["ghl", "tt"]
    other_id: str


@dataclass(frozen=True)
class Invocation:
    """One call of one action. ``input`` is the request body (custom fields in the target's
    shape); ``mapped`` keeps the values and their provenance for the run record."""

    step: str
    action: str
    input: dict[str, Any]
    mapped: MappedRecord
    once_key: str | None = None
    index: int | None = None
    link: LinkTarget | None = None


@dataclass(frozen=True)
class StepDecision:
    step: str
    outcome: Outcome
    invocations: tuple[Invocation, ...] = ()
    output: Any = None  # for "set": the computed values (a list under for_each)
    reason: str = ""
    skipped_items: tuple[int, ...] = field(default=())


def event_scope(event: Event | Mapping[str, Any]) -> dict[str, Any]:
    """The ``event`` part of a scope, as JSON: source, kind, object, when, payload."""
    if isinstance(event, Event):
        return {
            "id": event.id,
            "bridge": event.bridge,
            "source": str(event.source),
            "kind": event.kind,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "occurred_at": event.occurred_at.isoformat(),
            "origin": str(event.origin),
            "changed_fields": event.changed_fields,
            "payload": event.payload,
        }
    return dict(event)


def build_scope(
    recipe: AutomationRecipe,
    event: Event | Mapping[str, Any],
    *,
    params: Mapping[str, Any] | None = None,
    record: Any = None,
) -> dict[str, Any]:
    """The scope conditions and step inputs read: ``event``, ``record`` (the current state
    the runner fetched, if any), ``params`` (recipe defaults, then per-bridge overrides) and
    ``steps`` (outputs so far)."""
    merged = {**recipe.params, **(params or {})}
    return {"event": event_scope(event), "record": record, "params": merged, "steps": {}}


def build_context(
    recipe: AutomationRecipe | SyncRecipe,
    *,
    now: datetime,
    resolver: CustomFieldResolver | None = None,
    params: Mapping[str, Any] | None = None,
    **runner_vars: Any,
) -> MappingContext:
    """The context a run applies mappings in: the recipe's params (defaults, then per-bridge
    overrides) as ``$name`` variables, plus what the runner knows (``location_tz``,
    ``tt_timezone``, ``parent``, ...). Runner variables win over params of the same name."""
    variables = {**recipe.params, **(params or {}), **runner_vars}
    return MappingContext(resolver=resolver, now=now, vars=variables)


def with_output(scope: Mapping[str, Any], step_id: str, output: Any) -> dict[str, Any]:
    steps = dict(scope.get("steps") or {})
    steps[step_id] = {"output": output}
    return {**scope, "steps": steps}


def plan_step(
    step: CompiledStep, scope: Mapping[str, Any], context: MappingContext
) -> StepDecision:
    """Decide one step: skip it, stop the run, compute a value, or call an action (once per
    ``for_each`` item). Raises ``MappingFailed`` naming the step and field on bad data."""
    try:
        return _plan(step, scope, context)
    except MappingFailed as exc:
        if exc.where:
            raise
        raise MappingFailed(str(exc), where=step.where) from None


def _plan(step: CompiledStep, scope: Mapping[str, Any], context: MappingContext) -> StepDecision:
    if step.for_each is None:
        if not step.when.holds(scope, context):
            return StepDecision(step.id, "skip", reason="when is false")
        if step.action == "ghltt.stop":
            return StepDecision(step.id, "stop", reason="ghltt.stop reached")
        invocation = _invoke(step, scope, context, None)
        if step.action == "ghltt.set":
            return StepDecision(step.id, "set", output=invocation.mapped.values)
        return StepDecision(step.id, "call", (invocation,))
    items = jmes.search(step.for_each, scope)
    if items is None:
        items = []
    if not isinstance(items, list):
        raise MappingFailed(f"for_each must give a list, got {type(items).__name__}")
    calls: list[Invocation] = []
    skipped: list[int] = []
    for index, item in enumerate(items):
        item_scope = {**scope, "item": item, "index": index}
        if not step.when.holds(item_scope, context):
            skipped.append(index)
            continue
        if step.action == "ghltt.stop":
            return StepDecision(step.id, "stop", reason=f"ghltt.stop reached at item {index}")
        calls.append(_invoke(step, item_scope, context, index))
    if step.action == "ghltt.set":
        return StepDecision(step.id, "set", output=[c.mapped.values for c in calls])
    outcome: Outcome = "call" if calls else "skip"
    return StepDecision(step.id, outcome, tuple(calls), skipped_items=tuple(skipped))


def _invoke(
    step: CompiledStep, scope: Mapping[str, Any], context: MappingContext, index: int | None
) -> Invocation:
    mapped = step.input.apply(scope, context)
    _check_types(step, mapped)
    once = None
    if step.once is not None:
        extra = {"vars": dict(context.vars), "now": context.now}
        try:
            once = f"{step.id}:{templating.render(step.once, scope, extra)}"
        except templating.TemplateProblem as exc:
            raise MappingFailed(f"once: {exc}", where=step.where) from None
    link = _link_target(step, scope, context)
    return Invocation(step.id, step.action, mapped.payload(), mapped, once, index, link)


def _link_target(
    step: CompiledStep, scope: Mapping[str, Any], context: MappingContext
) -> LinkTarget | None:
    if step.link is None:
        return None
    key = f"{step.link.other}_id"
    value = step.link.id.apply(scope, context).values.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JMESPath numbers; TT ids are integers
    if value in (None, "") or isinstance(value, bool | dict | list):
        raise MappingFailed(f"link: {key} gives no record id ({value!r})", where=step.where)
    return LinkTarget(step.link.recipe, step.link.other, str(value))


def _check_types(step: CompiledStep, mapped: MappedRecord) -> None:
    inputs = step.spec.inputs if step.spec is not None else None
    if inputs is None:
        return
    for name, declared in inputs.items():
        value = mapped.values.get(name)
        if declared.required and value is None:
            where = mapped.provenance[name].rule if name in mapped.provenance else step.where
            raise MappingFailed(f"required input {name!r} is empty", where=where)
        if not type_matches(declared.type, value):
            where = mapped.provenance[name].rule
            got = type(value).__name__
            raise MappingFailed(f"input {name!r} takes {declared.type}, got {got}", where=where)
