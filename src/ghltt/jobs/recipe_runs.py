"""Each bridge's enabled recipes in the executor: the runs an event needs, and running one.

A recipe's run is state-based and idempotent (see docs/engine.md), so the whole run is one
retried step: a retry re-reads both sides and finds what the first attempt already wrote.
Which recipes an event runs, and what a scheduled per-link or per-record recipe fans out to,
the engine says (``ghltt.engine.dispatch``); the fanned-out events go through the inbox, one
run each.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import structlog

from ghltt.bridges import BridgePool, Services
from ghltt.connectors.http import AuthError, PermissionDenied
from ghltt.connectors.trackingtime.errors import TrackingTimeError
from ghltt.core import Event, NotFound, utcnow
from ghltt.engine.context import BridgeContext, Repositories
from ghltt.engine.dispatch import (
    FannedOut,
    recipes_for,
    run_event,
    schedule_kind,
    schedule_of,
    shipped_recipe,
)
from ghltt.engine.recipe_sources import compile_recipe
from ghltt.engine.recipes import Recipe
from ghltt.jobs.plans import Held, Run, Step, held_writes
from ghltt.store import InboxRepository, commit_new
from ghltt.store.bridge_recipes import BridgeRecipeRepository
from ghltt.store.database import Database
from ghltt.store.planned import APPLY_KEY_PREFIX
from ghltt.store.routing import bridges_with_recipes_off_for_a_connection, enabled_recipes

log = structlog.get_logger(__name__)

RUN_STEP = "recipe.run"
# Statuses a connection is left in by a failure a person must fix (see ghltt.vault.failures).
FAILING = frozenset({"needs_reauth", "revoked", "location_inactive", "missing_scope", "error"})


_MOST_PLANNED = 1000  # events kept for their first run: a few batches' worth


class RecipeRuns:
    """What each bridge has enabled, refreshed from the store; its schedules; its runs."""

    def __init__(
        self,
        db: Database,
        services: Callable[[], Services],
        ensure_schedule: Callable[..., None],
        wake: Callable[[], None],
    ) -> None:
        self._db = db
        self._services = services
        self._ensure_schedule = ensure_schedule
        self._wake = wake
        # Replaced whole on refresh: workflows plan from it on other threads. Each recipe with
        # its stored version (None: the shipped template).
        self._enabled: dict[str, list[tuple[Recipe, int | None]]] = {}
        self._waiting: set[str] = set()  # bridges with recipes off for a revoked connection
        self._scheduled: set[str] = set()
        self._bridges = BridgePool(services)
        self._repos = Repositories.of(db)
        # Events this process planned runs for, handed to their first run so it need not
        # read the inbox again (an event's later runs, and recovered runs, read it).
        self._planned: OrderedDict[str, Event] = OrderedDict()
        # Recipes are read before the executor starts; schedules need it started.
        self._schedules_ready = False
        self._pending_schedules: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

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

    def recipe(self, bridge_id: str, name: str, version: int | None) -> Recipe:
        """A bridge's recipe: the shipped template, or the stored version of its file."""
        if version is None:
            return shipped_recipe(name)
        stored = BridgeRecipeRepository(self._db).version(bridge_id, name, version)
        if stored is None:
            raise NotFound(f"recipe {name} has no version {version} on bridge {bridge_id}")
        return compile_recipe(stored.text, f"{name} v{version}")

    def refresh(self, *, schedules: bool = True) -> None:
        """Read the enabled recipes again; ``schedules=False`` leaves their schedules to the
        next full refresh (a workflow's step must not create DBOS schedules)."""
        enabled: dict[str, list[tuple[Recipe, int | None]]] = {}
        wanted: set[str] = set()
        for bridge_id, names in enabled_recipes(self._db).items():
            for name, version in names:
                try:
                    recipe = self.recipe(bridge_id, name, version)
                except (NotFound, KeyError, FileNotFoundError, ValueError) as exc:
                    log.warning("recipe cannot be loaded", recipe=name, error=str(exc)[:200])
                    continue
                enabled.setdefault(bridge_id, []).append((recipe, version))
                key = f"{bridge_id}:{name}:{version}"
                wanted.add(key)
                if schedules and key not in self._scheduled:
                    self._ensure_recipe_schedule(bridge_id, recipe)
        if schedules:
            self._scheduled = wanted
        self._waiting = bridges_with_recipes_off_for_a_connection(self._db)
        self._enabled = enabled

    def _ensure_recipe_schedule(self, bridge_id: str, recipe: Recipe) -> None:
        schedule = schedule_of(recipe)
        if schedule is not None:
            self._schedule(
                f"recipe:{bridge_id}:{recipe.name}",
                schedule.cron,
                kind=schedule_kind(recipe.name),
                bridge=bridge_id,
                timezone=schedule.timezone,
            )

    def runs_for(self, event: Event) -> list[Run]:
        """One run of one step per enabled recipe of the event's bridge that it concerns; the
        step's input names the recipe's version, so the run records which one ran."""
        enabled = self._enabled.get(event.bridge, ())
        versions = {id(recipe): version for recipe, version in enabled}
        runs = []
        for recipe in recipes_for(event, [recipe for recipe, _ in enabled]):
            data: dict[str, Any] = {
                "bridge": event.bridge,
                "recipe": recipe.name,
                "event": event.id,
            }
            if versions[id(recipe)] is not None:
                data["version"] = versions[id(recipe)]
            runs.append(Run(f"{event.bridge}:{recipe.name}", [Step(RUN_STEP, data)]))
        if runs:
            self._planned[event.id] = event
            while len(self._planned) > _MOST_PLANNED:
                self._planned.popitem(last=False)  # runs handed elsewhere (own workflows)
        return runs

    async def run(self, data: dict[str, Any]) -> dict[str, Any]:
        """The step of a recipe's run: the recipe for the event, in its opened bridge."""
        event = self._planned.pop(str(data["event"]), None)
        if event is None:
            stored = InboxRepository(self._db).get(str(data["event"]))
            if stored is None:
                raise NotFound(f"event {data['event']} is not in the inbox")
            event = stored.event
        bridge_id = str(data["bridge"])
        await self._hold_if_failing(bridge_id)
        version = data.get("version")
        recipe = self.recipe(
            bridge_id, str(data["recipe"]), None if version is None else int(version)
        )
        if event.dedup_key.startswith(APPLY_KEY_PREFIX):
            # Applying shadow's plans follows a switch to live: see the mode as it is now, not
            # as an opened bridge last looked at it (up to a second ago).
            await self._bridges.forget(bridge_id)
        try:
            async with self._bridges.use(bridge_id) as bridge:
                repos = self._repos.holding(held_writes.get())
                ctx = BridgeContext.of(bridge, repos, now=utcnow(), run_id=data.get("run_id"))
                result = await run_event(recipe, event, ctx)
        except (AuthError, PermissionDenied) as exc:
            # Trying again cannot help: say on the connection what went wrong and what to do,
            # and hold the event until the connection is fixed.
            raise Held(await self._record_auth_failure(bridge_id, exc)) from None
        if isinstance(result, FannedOut) and result.events:
            commit_new(self._db, result.events)
            self._wake()
        # A report's changed_fields are recorded on the event by the workflow, with the run.
        output = result.as_dict()
        if version is not None:
            output["recipe_version"] = version
        return output

    async def _hold_if_failing(self, bridge_id: str) -> None:
        """A connection already known broken is not asked again: the run waits for the fix."""
        for state in await self._bridges.connection_states(bridge_id):
            if state.status in FAILING:
                raise Held(
                    f"{state.system.upper()} connection {state.id} is {state.status}: "
                    f"{state.detail or 'fix it'}; the event runs once it works again"
                )

    def hold_reason(self, event: Event) -> str | None:
        """Why an event no enabled recipe takes waits instead: a recipe that would take it is
        switched off because a connection was revoked (rotating it switches it back on)."""
        if event.bridge not in self._waiting:  # read with the enabled recipes, consistent
            return None
        for state in BridgeRecipeRepository(self._db).of_bridge(event.bridge):
            reason = state.disabled_reason or ""
            if state.enabled or not reason.startswith("connection "):
                continue
            try:
                recipe = shipped_recipe(state.recipe)
            except (NotFound, KeyError, FileNotFoundError, ValueError):
                continue
            if recipes_for(event, [recipe]):
                return f"{state.recipe} is off ({reason}): rotate or reconnect the connection"
        return None

    async def _record_auth_failure(self, bridge_id: str, exc: Exception) -> str:
        view = self._services().bridges.show(bridge_id)
        connection = (
            view.tt_connection_id if isinstance(exc, TrackingTimeError) else view.ghl_connection_id
        )
        if not connection:
            return str(exc)
        failure = await self._services().connections.record_failure(connection, exc)
        return f"connection {connection}: {failure.describe()}; the event runs once it works"
