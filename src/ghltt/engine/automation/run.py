"""Automation runs: conditions, then each step planned by the engine and performed here.

A step with ``link:`` creates the counterpart of a record of the other side under a sync
recipe (signup's GHL task for a TT task, under ``tasks``): the runner records the pair in that
sync's link space, as the sync itself would have after making it (both sides' fingerprints and
snapshots, through the sync's own mappings), so the sync sees the creation come back as an echo
and later changes on either side as edits of one pair. See docs/recipes.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import anyio

from ghltt.connectors.http import NotFound
from ghltt.core import Event, GhlttError, InvalidInput
from ghltt.engine.catalog import ACTIONS, ActionDef, action_catalog, call_action
from ghltt.engine.context import BridgeContext
from ghltt.engine.mapping import MappedRecord, MappingContext, MappingFailed
from ghltt.engine.missing import planning_resolver, problem
from ghltt.engine.recipes import (
    AutomationRecipe,
    Invocation,
    LinkTarget,
    SyncRecipe,
    build_context,
    build_scope,
    plan_step,
    with_output,
)
from ghltt.engine.recipes.templates import load_template
from ghltt.engine.report import RunReport, Write
from ghltt.engine.sync import lookup, record_pair
from ghltt.engine.sync import pairing as pairings
from ghltt.store.links import Link

OTHER = {"ghl": "tt", "tt": "ghl"}
# How long a linked step waits for its parent pair (the contact's customer, made by the
# contacts sync from the contact the same run just created, usually within a second) before
# the run fails and is retried with backoff in its own workflow. Short: a waiting run holds up
# the rest of its batch.
PARENT_WAIT_SECONDS = 3.0


class PairNotReady(GhlttError):
    """A linked step's record lives under a parent its sync has not paired yet."""


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
        resolver=planning_resolver(ctx.resolver, ctx.writes),
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
        entry: dict[str, Any] = {
            "step": step.id,
            "outcome": decision.outcome,
            "reason": decision.reason,
        }
        report.steps.append(entry)
        if decision.outcome == "stop":
            return report.finish("applied" if report.writes else "skipped", f"stopped at {step.id}")
        if decision.outcome == "skip":
            continue
        if decision.outcome == "set":
            scope = with_output(scope, step.id, decision.output)
            continue
        outputs = []
        for invocation in decision.invocations:
            outputs.append(await _invoke(ctx, recipe, invocation, report, entry))
        output: Any = outputs if step.for_each is not None else (outputs[0] if outputs else None)
        scope = with_output(scope, step.id, output)
    return report.finish("applied" if report.writes else "no_change")


async def _invoke(
    ctx: BridgeContext,
    recipe: AutomationRecipe,
    invocation: Invocation,
    report: RunReport,
    entry: dict[str, Any],
) -> Any:
    action, body, once_key = invocation.action, invocation.input, invocation.once_key
    spec = ACTIONS[action]
    if not spec.writes:
        return await call_action(
            ctx, action, body
        )  # reads run in shadow mode too: later steps need them
    once = ctx.repos.once
    if once_key is not None and not ctx.writes and once.seen(ctx.bridge_id, recipe.name, once_key):
        return None
    pairing: _Pairing | None = None
    if invocation.link is not None:
        if once_key is not None and ctx.writes and _done(ctx, recipe.name, once_key):
            return None  # made by an earlier run: nothing to prepare (or wait) for
        pairing = await _prepare(ctx, spec, invocation.link, body)
        if pairing.skip:
            entry.setdefault("links", []).append({"index": invocation.index, "skip": pairing.skip})
            return None
    if (
        once_key is not None
        and ctx.writes
        and not once.claim(ctx.bridge_id, recipe.name, once_key, ctx.run_id)
    ):
        return None
    object_id = next((str(body[k]) for k in ("contactId", "id", "taskId") if k in body), None)
    object_type = spec.object_type or action.split(".")[1]
    flagged = problem(spec.system, object_type.split(".")[-1], body, ctx.bridge_id)
    report.writes.append(Write(spec.system, action, object_type, object_id, dict(body), flagged))
    if not ctx.writes:
        return None
    linking = pairing is not None and pairing.record
    # Until the pair is recorded, the created record's own event must not make the sync copy
    # it back (docs/recipes.md, "link:").
    mark = _begin_pairing(ctx, pairing, body) if pairing is not None and linking else None
    try:
        try:
            result = await call_action(ctx, action, body)
        except Exception:
            if once_key is not None:
                # Not done after all: a later run may try again.
                once.release(ctx.bridge_id, recipe.name, once_key)
            raise
        if pairing is not None and linking:
            link = await _save_pair(ctx, pairing, action, result)
            made = {"index": invocation.index, "link": link.as_dict()}
            entry.setdefault("links", []).append(made)
    finally:
        if pairing is not None:
            pairings.end(ctx, pairing.recipe.name, mark)
    return result


def _begin_pairing(ctx: BridgeContext, pairing: _Pairing, body: dict[str, Any]) -> str | None:
    spec = pairing.recipe.model.parent
    field = None if spec is None else (spec.ghl_field if pairing.made == "ghl" else spec.tt_field)
    parent_id = body.get(field) if field else None
    return pairings.begin(ctx, pairing.recipe.name, pairing.made, parent_id)


def _done(ctx: BridgeContext, recipe: str, once_key: str) -> bool:
    """Is the key taken by another run (this run's retried step may act again)?"""
    once = ctx.repos.once
    if not once.seen(ctx.bridge_id, recipe, once_key):
        return False
    return ctx.run_id is None or once.holder(ctx.bridge_id, recipe, once_key) != ctx.run_id


# ---- linking what a step creates ------------------------------------------------------------


@dataclass
class _Pairing:
    """A linked step's pair, prepared before the create: the record on the other side, the
    parent pair the created record lives under, or why the step is skipped."""

    recipe: SyncRecipe
    made: str  # the side the step creates ("ghl" or "tt")
    other_id: str
    other: dict[str, Any] | None = None
    parent: dict[str, Any] | None = None  # {"ghl": {"id"}, "tt": record}, as the sync's
    parent_missing: bool = False  # the sync has a parent and this pair's is not known
    contact: Any = None  # the GHL parent id, to read GHL records that live under a contact
    skip: str | None = None
    record: bool = True  # False: create, but the pair cannot be the sync's (other parents)


@cache
def _sync_recipe(name: str) -> SyncRecipe:
    recipe = load_template(name, action_catalog())
    if not isinstance(recipe, SyncRecipe):
        raise InvalidInput(f"{name} is not a sync recipe", where="link.recipe")
    return recipe


def _types(recipe: SyncRecipe) -> dict[str, str]:
    return {"ghl": recipe.model.ghl, "tt": recipe.model.tt}


async def _prepare(
    ctx: BridgeContext, spec: ActionDef, target: LinkTarget, body: dict[str, Any]
) -> _Pairing:
    """Everything the link needs that can be known before creating (reads only), and whether
    creating would duplicate: the other record already has its counterpart, is gone, or lives
    under another parent than the created record would."""
    recipe = _sync_recipe(target.recipe)
    made, other = OTHER[target.other], target.other
    types = _types(recipe)
    if spec.object_type != f"{made}.{types[made]}":
        raise InvalidInput(
            f"{spec.name} makes {spec.object_type}, not the {made} side of {recipe.name} "
            f"({made}.{types[made]})",
            where="link",
        )
    pairing = _Pairing(recipe, made, target.other_id)
    found = ctx.repos.links.by_side(
        other, ctx.bridge_id, types["ghl"], types["tt"], target.other_id
    )
    if found is not None:
        mine = getattr(found, f"{made}_id")
        pairing.skip = (
            f"{other} {types[other]} {target.other_id} already has its {recipe.name} "
            f"counterpart ({made} {types[made]} {mine})"
        )
        return pairing
    spec_parent = recipe.model.parent
    if spec_parent is not None:
        field = spec_parent.ghl_field if made == "ghl" else spec_parent.tt_field
        parent_id = body.get(field)
        if parent_id not in (None, ""):
            pairing.parent = await _parent_pair(ctx, recipe, made, str(parent_id))
        pairing.parent_missing = pairing.parent is None
        if made == "ghl" and parent_id not in (None, ""):
            pairing.contact = parent_id
    contact = pairing.contact or (pairing.parent or {}).get("ghl", {}).get("id")
    pairing.contact = contact
    if other == "ghl" and spec_parent is not None and contact is None:
        raise InvalidInput(
            f"linking a created {made} record to a {types[other]} under a "
            f"{spec_parent.recipe} parent needs that parent in the step's input",
            where="link",
        )
    try:
        pairing.other = await lookup.fetch(ctx, recipe, other, target.other_id, contact)
    except NotFound:
        pairing.skip = f"{other} {types[other]} {target.other_id} is gone"
        return pairing
    if spec_parent is not None:
        elsewhere = _elsewhere(pairing, other, spec_parent.ghl_field, spec_parent.tt_field)
        if elsewhere is not None and _enabled(ctx, recipe.name):
            pairing.skip = elsewhere
        elif elsewhere is not None:
            pairing.record = False  # the sync is off: a plain copy duplicates nothing
    return pairing


def _elsewhere(pairing: _Pairing, other: str, ghl_field: str, tt_field: str) -> str | None:
    """Why the other record cannot be paired with the one created here: it lives under a
    parent of its own that is not the created record's (a TT task in another customer's
    project), where its sync gives it a counterpart. None when it lives under none."""
    assert pairing.other is not None
    held = pairing.other.get(ghl_field if other == "ghl" else tt_field)
    if held in (None, "", 0):
        return None
    mine = (pairing.parent or {}).get(other, {}).get("id")
    if mine is not None and str(mine) == str(held):
        return None
    types = _types(pairing.recipe)
    return (
        f"{other} {types[other]} {pairing.other_id} lives under {held}, not under this "
        f"record's parent: its {pairing.recipe.name} counterpart belongs there"
    )


async def _parent_pair(
    ctx: BridgeContext, recipe: SyncRecipe, side: str, parent_id: str
) -> dict[str, Any] | None:
    """The parent pair of a record of ``side`` whose parent field holds ``parent_id``, as the
    sync resolves it (``$parent`` of its mappings). When the record's sync and its parent's are
    both enabled, a parent not paired yet is waited for: the parent was usually made by the
    same run a moment ago and its own sync is pairing it now."""
    assert recipe.model.parent is not None
    parent_recipe = recipe.model.parent.recipe
    ghl_type, tt_type = ctx.sync_types.get(parent_recipe, ("contact", "customer"))
    links = ctx.repos.links
    wait = ctx.writes and _enabled(ctx, recipe.name, parent_recipe)
    deadline = time.monotonic() + PARENT_WAIT_SECONDS
    pause = 0.1
    while True:
        if side == "ghl":
            found = links.by_ghl(ctx.bridge_id, ghl_type, parent_id, tt_type)
        else:
            found = links.by_tt(ctx.bridge_id, tt_type, parent_id, ghl_type)
        if found is not None:
            break
        if not wait:
            return None
        if time.monotonic() >= deadline:
            raise PairNotReady(
                f"{recipe.name}: {side} {ghl_type if side == 'ghl' else tt_type} {parent_id} "
                f"is not paired by {parent_recipe} yet (waited {PARENT_WAIT_SECONDS:.0f} s); "
                "the run is retried"
            )
        await anyio.sleep(pause)
        pause = min(1.0, pause * 1.5)
    tt_parent = await call_action(ctx, f"tt.{tt_type}s.get", {"id": int(found.tt_id)})
    return {"ghl": {"id": found.ghl_id}, "tt": tt_parent}


def _enabled(ctx: BridgeContext, *names: str) -> bool:
    return set(names) <= ctx.repos.recipes.enabled_among(ctx.bridge_id, names)


async def _save_pair(ctx: BridgeContext, pairing: _Pairing, action: str, result: Any) -> Link:
    """The link and both snapshots, as the sync records them after making the pair: each
    side's fingerprint and mapped values through the sync's own mapping from that side.
    Committed at once: the pairing mark ends when this returns, and a sync must find the
    pair from then on."""
    recipe, made = pairing.recipe, pairing.made
    assert pairing.other is not None
    answer = result.get("contact") if isinstance(result, dict) and "new" in result else result
    created = lookup.as_read(action, answer)
    if created is None:
        made_id = str(answer["id"]) if isinstance(answer, dict) else str(answer)
        created = await lookup.fetch(ctx, recipe, made, made_id, pairing.contact)
    records = {made: created, OTHER[made]: pairing.other}
    if pairing.parent_missing:
        # Without its parent the sync cannot map these records as it will: the pair is
        # recorded, and the sync's first run reads both sides.
        return record_pair(ctx, recipe, records, None, pairing.parent, hold=False)
    await ctx.resolver.load(
        o.type for o in (recipe.ghl_object, recipe.tt_object) if o.custom_fields
    )
    mctx = build_context(
        recipe,
        now=ctx.now,
        resolver=planning_resolver(ctx.resolver, ctx.writes),
        params=ctx.params_for(recipe.name),
        location_tz=ctx.location_tz,
        tt_timezone=ctx.tt_timezone,
        parent=pairing.parent or {},
    )
    mapped = {system: _mapped(recipe, system, record, mctx) for system, record in records.items()}
    return record_pair(ctx, recipe, records, mapped, pairing.parent, hold=False)


def _mapped(
    recipe: SyncRecipe, system: str, record: dict[str, Any], mctx: MappingContext
) -> MappedRecord | None:
    mapping = recipe.mapping_from(system)  # type: ignore[arg-type]
    if mapping is None:
        return None
    try:
        return mapping.apply(record, mctx)
    except MappingFailed:
        return None
