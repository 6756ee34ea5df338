"""What an event needs, and running it: the plain functions jobs dispatches with.

``recipes_for(event, recipes)`` picks, among a bridge's enabled recipes, those the event runs:
a pure function of the event and what is enabled, so a durable plan can record it once and
replay it. ``run_event(recipe, event, ctx)`` runs one of them in an opened bridge; the tick of
a per-link or per-record schedule does not run the recipe but fans out into one new event per
item (``FannedOut``), which the caller puts in the inbox so each item is a run of its own.
Nothing here knows about durable execution: jobs calls in, and nothing calls back.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ghltt.core import Event, EventOrigin, EventSource
from ghltt.engine.automation import run_automation
from ghltt.engine.catalog import action_catalog
from ghltt.engine.context import BridgeContext
from ghltt.engine.foreground import real_time
from ghltt.engine.recipes import AutomationRecipe, Recipe, SyncRecipe
from ghltt.engine.recipes.models import Schedule
from ghltt.engine.recipes.templates import load_template
from ghltt.engine.report import RunReport
from ghltt.engine.sync import run_sync


@cache
def shipped_recipe(name: str) -> Recipe:
    """A shipped template compiled against the action catalog (once per process)."""
    return load_template(name, action_catalog())


def matches(patterns: Iterable[str], event: Event) -> bool:
    """A pattern names a kind (``contact.*``) or a source-qualified one (``ghl.contact.*``)."""
    qualified = f"{event.source.value}.{event.kind}"
    return any(
        fnmatch.fnmatchcase(event.kind, p) or fnmatch.fnmatchcase(qualified, p) for p in patterns
    )


def schedule_of(recipe: Recipe) -> Schedule | None:
    trigger = getattr(recipe.model, "trigger", None)
    return getattr(trigger, "schedule", None)


def schedule_kind(recipe: str) -> str:
    """The kind of the events a recipe's schedule puts in the inbox when it fires."""
    return f"recipe.{recipe}"


def _item_kind(recipe: str) -> str:
    return schedule_kind(recipe) + ".item"


def event_patterns(recipe: Recipe) -> tuple[str, ...]:
    """The event kinds a recipe runs for, its schedule's ticks and fanned-out items included."""
    if isinstance(recipe, SyncRecipe):
        patterns = recipe.event_kinds()
    else:
        patterns = tuple(recipe.model.trigger.events)
    if schedule_of(recipe) is not None:
        if isinstance(recipe, AutomationRecipe):
            patterns += (f"schedule.{_item_kind(recipe.name)}",)
        patterns += (f"schedule.{schedule_kind(recipe.name)}",)
    return patterns


def recipes_for(event: Event, recipes: Iterable[Recipe]) -> list[Recipe]:
    """The recipes (of the event's bridge, enabled) that the event runs, by name."""
    return sorted((r for r in recipes if matches(event_patterns(r), event)), key=lambda r: r.name)


async def run_recipe(recipe: Recipe, event: Event, ctx: BridgeContext) -> RunReport:
    """One run of one recipe for one event, converging state through the bridge's clients."""
    with real_time():  # an import in this process lets it go first
        if isinstance(recipe, AutomationRecipe):
            return await run_automation(recipe, event, ctx)
        return await run_sync(recipe, event, ctx)


@dataclass(frozen=True, slots=True)
class FannedOut:
    """A schedule's tick became one event per item, for the caller to put in the inbox."""

    events: list[Event]

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": "fanned_out", "events": len(self.events)}


async def run_event(recipe: Recipe, event: Event, ctx: BridgeContext) -> RunReport | FannedOut:
    """Run ``recipe`` for ``event`` in the opened bridge ``ctx``, or fan its schedule out."""
    if event.source is EventSource.SCHEDULE and event.kind == schedule_kind(recipe.name):
        items = await fan_out(recipe, event, ctx)
        if items is not None:
            return FannedOut(items)
    return await run_recipe(recipe, event, ctx)


async def fan_out(recipe: Recipe, event: Event, ctx: BridgeContext) -> list[Event] | None:
    """The events a scheduled per-link or per-record recipe's tick becomes (None: it runs as
    itself). Their dedup keys name the tick, so a retried tick adds nothing twice."""
    schedule = schedule_of(recipe)
    if schedule is None or not (schedule.per_link or schedule.per_record):
        return None
    items: list[tuple[str, dict[str, Any]]] = []
    if schedule.per_link:
        sync = shipped_recipe(schedule.per_link)
        ghl_type, tt_type = sync.model.ghl, sync.model.tt  # type: ignore[union-attr]
        for link in ctx.repos.links.all(event.bridge, ghl_type, tt_type):
            items.append((str(link.tt_id), {"link": link.as_dict()}))
    elif schedule.per_record == "tt.project":
        for project in await ctx.tt.projects.list():
            pid = project.get("id") if isinstance(project, dict) else getattr(project, "id", None)
            if pid is not None:
                items.append((str(pid), {"data": {"project_id": pid}}))
    fired = event.payload.get("fired_at", event.id)
    return [
        Event(
            bridge=event.bridge,
            source=EventSource.SCHEDULE,
            kind=_item_kind(recipe.name),
            object_id=object_id,
            origin=EventOrigin.POLL,
            dedup_key=f"schedule:{recipe.name}:{fired}:{object_id}",
            payload=payload,
        )
        for object_id, payload in items
    ]
