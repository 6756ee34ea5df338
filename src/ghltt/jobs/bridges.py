"""Bridges in the executor: each one's reconciliation schedule and its enabled recipes.

What the store says (bridges, their settings, enabled recipes) becomes schedules and handlers
here, refreshed every few seconds, so enabling a recipe or adding a bridge needs no restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import sqlalchemy as sa
import structlog

from ghltt.bridges import Services, build_services
from ghltt.core import Event, EventSource
from ghltt.engine import Handler, Registry, StepPlan
from ghltt.engine.reconcile import ReconcileSettings, reconcile, schedule_for
from ghltt.jobs.recipes import RecipeHandlers
from ghltt.settings import Settings
from ghltt.store import insert_new
from ghltt.store.cursors import CursorRepository
from ghltt.store.routing import BridgeRoute, bridge_by_id
from ghltt.store.tables import bridges

log = structlog.get_logger(__name__)

RECONCILE_KIND = "bridge.reconcile"
RECONCILE_ACTION = "bridge.reconcile"


class BridgeWork:
    """Keeps the registry and the schedules in step with the bridges in the store."""

    def __init__(
        self,
        settings: Settings,
        engine: sa.Engine,
        registry: Registry,
        ensure_schedule: Callable[..., None],
        wake: Callable[[], None],
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._registry = registry
        self._ensure_schedule = ensure_schedule
        self._wake = wake
        self._services: Services | None = None
        self._schedules: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.recipes = RecipeHandlers(
            engine, registry, lambda: self.services, ensure_schedule, wake
        )

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = build_services(self._settings, self._engine)
        return self._services

    def prepare(self) -> None:
        """Register every handler before the executor starts: a workflow recovered or dequeued
        at launch plans against the registry, and a missing handler would drop its event."""
        self._registry.action(RECONCILE_ACTION)(self.reconcile)
        self._registry.add_handler(
            Handler(
                name="ghltt:reconcile",
                kinds=(f"schedule.{RECONCILE_KIND}",),
                plan=lambda event: [StepPlan(RECONCILE_ACTION, {"bridge": event.bridge})],
            )
        )
        self.recipes.start()
        self.recipes.refresh()

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
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(bridges.c.id, bridges.c.settings)).all()
        for row in rows:
            schedule = schedule_for(row.id, row.settings or {})
            cron = schedule.cron if schedule else ""
            if self._schedules.get(row.id) == cron or not cron:
                continue
            self._ensure_schedule(f"reconcile:{row.id}", cron, kind=RECONCILE_KIND, bridge=row.id)
            self._schedules[row.id] = cron
            self._first_poll(row.id)

    def _first_poll(self, bridge_id: str) -> None:
        """Poll a new bridge at once: its first poll sets the cursors that later ones start
        from, and waiting for the schedule would let changes made meanwhile go unseen."""
        event = Event(
            bridge=bridge_id,
            source=EventSource.SCHEDULE,
            kind=RECONCILE_KIND,
            dedup_key=f"schedule:first-poll:{bridge_id}",
        )
        with self._engine.begin() as conn:
            _, inserted = insert_new(conn, [event])[(event.bridge, event.dedup_key)]
        if inserted:
            self._wake()

    async def reconcile(self, data: dict[str, Any]) -> dict[str, Any]:
        """One poll of a bridge: what changed on each side becomes events in the inbox."""
        route = bridge_by_id(self._engine, str(data["bridge"]))
        if route is None:
            return {"skipped": "the bridge no longer exists"}
        async with AsyncExitStack() as stack:
            ghl, tt = await self._clients(route, stack)
            report = await reconcile(
                route.id,
                ghl,
                tt,
                CursorRepository(self._engine),
                settings=ReconcileSettings.from_bridge(route.settings),
            )
        committed = report.commit(self._engine)
        if committed.inserted:
            self._wake()
        return {
            "inserted": committed.inserted,
            "duplicates": committed.duplicates,
            "errors": [str(e) for e in report.errors],
        }

    async def _clients(self, route: BridgeRoute, stack: AsyncExitStack) -> tuple[Any, Any]:
        row = self.services.bridges.resolve(route.id)
        ghl, tt = self.services.clients.of_bridge(
            row.ghl_connection_id, row.tt_connection_id, route.settings
        )
        for client in (ghl, tt):
            if client is not None:
                await stack.enter_async_context(client)
        return ghl, tt
