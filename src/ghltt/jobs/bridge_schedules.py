"""Bridges in the executor: each one's reconciliation schedule and its enabled recipes.

What the store says (bridges, their settings, enabled recipes) becomes schedules and the plans
of events here, refreshed every few seconds, so enabling a recipe or adding a bridge needs no
restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import structlog

from ghltt.bridges import Services, build_services
from ghltt.core import Event, EventOrigin, EventSource
from ghltt.engine.dispatch import matches
from ghltt.engine.reconcile import ReconcileSettings, reconcile, schedule_for
from ghltt.jobs.plans import Planner, Run, Step
from ghltt.jobs.recipe_runs import RUN_STEP, RecipeRuns
from ghltt.settings import Settings
from ghltt.store import commit_new
from ghltt.store.cursors import CursorRepository
from ghltt.store.database import Database
from ghltt.store.links import LinkRepository
from ghltt.store.routing import BridgeRoute, all_bridges, bridge_by_id

log = structlog.get_logger(__name__)

RECONCILE_KIND = "bridge.reconcile"
RECONCILE_STEP = "bridge.reconcile"
RECONCILE_RUN = "ghltt:reconcile"


def reconcile_request(
    bridge_id: str, dedup_key: str, origin: EventOrigin = EventOrigin.POLL
) -> Event:
    """A poll of both sides of a bridge, as the inbox takes it: the schedule's tick, a new
    bridge's first poll, or a "poll now" (a key of its own each time, or it is a duplicate)."""
    return Event(
        bridge=bridge_id,
        source=EventSource.SCHEDULE,
        kind=RECONCILE_KIND,
        origin=origin,
        dedup_key=dedup_key,
    )


class BridgeSchedules:
    """Keeps the plans and the schedules in step with the bridges in the store."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        ensure_schedule: Callable[..., None],
        wake: Callable[[], None],
    ) -> None:
        self._settings = settings
        self._db = db
        self._ensure_schedule = ensure_schedule
        self._wake = wake
        self._services: Services | None = None
        self._schedules: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.recipes = RecipeRuns(db, lambda: self.services, ensure_schedule, wake)

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = build_services(self._settings, self._db)
        return self._services

    def prepare(self) -> Planner:
        """Read the enabled recipes before the executor starts (a workflow recovered or
        dequeued at launch plans at once, and a recipe not yet read would drop its event);
        the planner the workflows use."""
        self.recipes.refresh()
        return Planner(
            [self._reconcile_runs, self.recipes.runs_for],
            {RECONCILE_STEP: self.reconcile, RUN_STEP: self.recipes.run},
            holds=[self.recipes.hold_reason],
            refresh=lambda: self.recipes.refresh(schedules=False),
        )

    def start(self, every: float = 5.0) -> None:
        """Once the executor runs: schedules, first polls, and the refresh loop."""
        self.recipes.enable_schedules()
        self.refresh()
        self._thread = threading.Thread(
            target=self._loop, args=(every,), name="ghltt-bridges", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.refresh()
            except Exception as exc:  # the store may be briefly away; try again next round
                log.warning("bridge refresh failed", error=type(exc).__name__)

    def refresh(self) -> None:
        self.recipes.refresh()
        for bridge in all_bridges(self._db):
            schedule = schedule_for(bridge.id, bridge.settings)
            cron = schedule.cron if schedule else ""
            if self._schedules.get(bridge.id) == cron or not cron:
                continue
            self._ensure_schedule(
                f"reconcile:{bridge.id}", cron, kind=RECONCILE_KIND, bridge=bridge.id
            )
            self._schedules[bridge.id] = cron
            self._first_poll(bridge.id)

    def _first_poll(self, bridge_id: str) -> None:
        """Poll a new bridge at once: its first poll sets the cursors that later ones start
        from, and waiting for the schedule would let changes made meanwhile go unseen."""
        event = reconcile_request(bridge_id, f"schedule:first-poll:{bridge_id}")
        _, inserted = commit_new(self._db, [event])[(event.bridge, event.dedup_key)]
        if inserted:
            self._wake()

    @staticmethod
    def _reconcile_runs(event: Event) -> list[Run]:
        if not matches((f"schedule.{RECONCILE_KIND}",), event):
            return []
        return [Run(RECONCILE_RUN, [Step(RECONCILE_STEP, {"bridge": event.bridge})])]

    async def reconcile(self, data: dict[str, Any]) -> dict[str, Any]:
        """One poll of a bridge: what changed on each side becomes events in the inbox."""
        route = bridge_by_id(self._db, str(data["bridge"]))
        if route is None:
            return {"skipped": "the bridge no longer exists"}
        async with AsyncExitStack() as stack:
            ghl, tt = await self._clients(route, stack)
            report = await reconcile(
                route.id,
                ghl,
                tt,
                CursorRepository(self._db),
                settings=ReconcileSettings.from_bridge(route.settings),
                links=LinkRepository(self._db),
            )
        committed = report.commit(self._db)
        if committed.inserted:
            self._wake()
        return {
            "inserted": committed.inserted,
            "duplicates": committed.duplicates,
            "errors": [str(e) for e in report.errors],
        }

    async def _clients(self, route: BridgeRoute, stack: AsyncExitStack) -> tuple[Any, Any]:
        ghl, tt = self.services.clients.of_bridge(
            route.ghl_connection_id, route.tt_connection_id, route.settings
        )
        for client in (ghl, tt):
            if client is not None:
                await stack.enter_async_context(client)
        return ghl, tt
