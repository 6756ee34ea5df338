"""Enabled recipes as handlers: each matching event runs the recipe as one durable step.

A recipe's run is state-based and idempotent (see docs/engine.md), so the whole run is one
retried step: a retry re-reads both sides and finds what the first attempt already wrote.
Scheduled recipes fan out through the inbox: one event per link or record, each its own run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import structlog

from ghltt.connectors.http import AuthError
from ghltt.connectors.trackingtime.errors import TrackingTimeError
from ghltt.core import Event, EventOrigin, EventSource, NotFound, utcnow
from ghltt.engine import Handler, Registry, StepPlan
from ghltt.engine.recipes.compiled import Recipe
from ghltt.engine.recipes.templates import load_template
from ghltt.engine.runner import action_catalog, run_recipe
from ghltt.engine.runner.pool import BridgeContextPool
from ghltt.store import InboxRepository, insert_new
from ghltt.store.links import LinkRepository
from ghltt.store.tables import bridge_recipes
from ghltt.vault import VaultServices

log = structlog.get_logger(__name__)

RUN_ACTION = "recipe.run"


def schedule_kind(recipe: str) -> str:
    return f"recipe.{recipe}"


class RecipeHandlers:
    """Registers one handler per (bridge, enabled recipe) and runs them."""

    def __init__(
        self,
        engine: sa.Engine,
        registry: Registry,
        services: Callable[[], VaultServices],
        ensure_schedule: Callable[..., None],
        wake: Callable[[], None],
    ) -> None:
        self._engine = engine
        self._registry = registry
        self._services = services
        self._ensure_schedule = ensure_schedule
        self._wake = wake
        self._compiled: dict[str, Recipe] = {}
        self._active: set[str] = set()
        self._bridges = BridgeContextPool(services)
        # Handlers are registered before the executor starts; schedules need it started.
        self._schedules_ready = False
        self._pending_schedules: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def start(self) -> None:
        self._registry.action(RUN_ACTION)(self.run)

    def enable_schedules(self) -> None:
        self._schedules_ready = True
        for args, kwargs in self._pending_schedules:
            self._ensure_schedule(*args, **kwargs)
        self._pending_schedules.clear()

    def _schedule(self, *args: Any, **kwargs: Any) -> None:
        if self._schedules_ready:
            self._ensure_schedule(*args, **kwargs)
        else:
            self._pending_schedules.append((args, kwargs))

    def recipe(self, name: str) -> Recipe:
        if name not in self._compiled:
            self._compiled[name] = load_template(name, action_catalog())
        return self._compiled[name]

    def refresh(self) -> None:
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(bridge_recipes.c.bridge_id, bridge_recipes.c.recipe).where(
                    bridge_recipes.c.enabled.is_(True)
                )
            ).all()
        wanted = set()
        for row in rows:
            name = f"{row.bridge_id}:{row.recipe}"
            wanted.add(name)
            if name in self._active:
                continue
            try:
                recipe = self.recipe(row.recipe)
            except (NotFound, KeyError, FileNotFoundError, ValueError) as exc:
                log.warning("recipe cannot be loaded", recipe=row.recipe, error=str(exc)[:200])
                continue
            self._register(row.bridge_id, recipe)
            self._active.add(name)
        for name in self._active - wanted:
            self._registry.remove_handler(name)
        self._active &= wanted

    def _register(self, bridge_id: str, recipe: Recipe) -> None:
        kinds = list(_event_patterns(recipe))
        schedule = _schedule(recipe)
        if schedule is not None:
            kinds.append(f"schedule.{schedule_kind(recipe.name)}")
            self._schedule(
                f"recipe:{bridge_id}:{recipe.name}",
                schedule.cron,
                kind=schedule_kind(recipe.name),
                bridge=bridge_id,
                timezone=schedule.timezone,
            )

        def plan(event: Event, name: str = recipe.name) -> list[StepPlan]:
            return [
                StepPlan(RUN_ACTION, {"bridge": event.bridge, "recipe": name, "event": event.id})
            ]

        self._registry.add_handler(
            Handler(
                name=f"{bridge_id}:{recipe.name}",
                kinds=tuple(kinds),
                bridges=(bridge_id,),
                plan=plan,
            )
        )

    async def run(self, data: dict[str, Any]) -> dict[str, Any]:
        stored = InboxRepository(self._engine).get(str(data["event"]))
        if stored is None:
            raise NotFound(f"event {data['event']} is not in the inbox")
        event, recipe = stored.event, self.recipe(str(data["recipe"]))
        bridge_id = str(data["bridge"])
        try:
            async with self._bridges.run_context(
                bridge_id, now=utcnow(), run_id=data.get("run_id")
            ) as ctx:
                if event.source is EventSource.SCHEDULE:
                    fanned = await self._fan_out(recipe, event, ctx)
                    if fanned is not None:
                        return {"outcome": "fanned_out", "events": fanned}
                report = await run_recipe(recipe, event, ctx)
        except AuthError as exc:
            # Say on the connection what went wrong and what to do; the run still fails and
            # can be replayed once the connection is fixed.
            await self._record_auth_failure(bridge_id, exc)
            raise
        # Its changed_fields are recorded on the event by the runtime, with the run.
        return report.as_dict()

    async def _record_auth_failure(self, bridge_id: str, exc: AuthError) -> None:
        view = self._services().bridges.show(bridge_id)
        connection = (
            view.tt_connection_id if isinstance(exc, TrackingTimeError) else view.ghl_connection_id
        )
        if connection:
            await self._services().connections.record_failure(connection, exc)

    async def _fan_out(self, recipe: Recipe, event: Event, ctx: Any) -> int | None:
        """A scheduled run of a per-link or per-record recipe becomes one event per item."""
        schedule = _schedule(recipe)
        if schedule is None or not (schedule.per_link or schedule.per_record):
            return None
        items: list[tuple[str, dict[str, Any]]] = []
        if schedule.per_link:
            sync = self.recipe(schedule.per_link)
            ghl_type, tt_type = sync.model.ghl, sync.model.tt  # type: ignore[union-attr]
            for link in LinkRepository(self._engine).all(event.bridge, ghl_type, tt_type):
                items.append((str(link.tt_id), {"link": link.as_dict()}))
        elif schedule.per_record == "tt.project":
            for project in await ctx.tt.projects.list():
                pid = (
                    project.get("id") if isinstance(project, dict) else getattr(project, "id", None)
                )
                if pid is not None:
                    items.append((str(pid), {"data": {"project_id": pid}}))
        fired = event.payload.get("fired_at", event.id)
        events = [
            Event(
                bridge=event.bridge,
                source=EventSource.SCHEDULE,
                kind=schedule_kind(recipe.name) + ".item",
                object_id=object_id,
                origin=EventOrigin.POLL,
                dedup_key=f"schedule:{recipe.name}:{fired}:{object_id}",
                payload=payload,
            )
            for object_id, payload in items
        ]
        if events:
            with self._engine.begin() as conn:
                insert_new(conn, events)
            self._wake()
        return len(events)


def _event_patterns(recipe: Recipe) -> tuple[str, ...]:
    if recipe.kind == "sync":
        return recipe.event_kinds()  # type: ignore[union-attr]
    patterns = tuple(recipe.model.trigger.events)  # type: ignore[union-attr]
    if _schedule(recipe) is not None:
        patterns += (f"schedule.{schedule_kind(recipe.name)}.item",)
    return patterns


def _schedule(recipe: Recipe) -> Any:
    trigger = getattr(recipe.model, "trigger", None)
    return getattr(trigger, "schedule", None)
