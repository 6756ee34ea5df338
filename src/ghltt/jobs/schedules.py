"""Cron schedules that put a ``schedule`` event into the inbox each time they fire.

Scheduled work then flows through the same inbox, dedup and runs as every other event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dbos import DBOS

from ghltt.core import Event, EventOrigin, EventSource
from ghltt.jobs import workflows
from ghltt.jobs.bridge_schedules import RECONCILE_KIND
from ghltt.store import commit_new

SCHEDULED_TICK = "ghltt.scheduled_tick"


def _origin(kind: str) -> EventOrigin:
    """A tick that polls (a bridge's reconciliation, a poll trigger) is a poll; others are the
    schedule's own."""
    polls = kind.endswith(".poll") or kind == RECONCILE_KIND
    return EventOrigin.POLL if polls else EventOrigin.SCHEDULE


async def _emit(name: str, when_iso: str, context: dict[str, Any]) -> str:
    ctx = workflows._ctx()
    event = Event(
        bridge=context.get("bridge", "default"),
        source=EventSource.SCHEDULE,
        kind=context["kind"],
        origin=_origin(context["kind"]),
        dedup_key=f"schedule:{name}:{when_iso}",
        payload={"schedule": name, "fired_at": when_iso, **context.get("payload", {})},
    )
    stored, _ = commit_new(ctx.db, [event])[(event.bridge, event.dedup_key)]
    if ctx.on_new_events is not None:
        ctx.on_new_events()
    return stored


@DBOS.workflow(name=SCHEDULED_TICK)
async def scheduled_tick(when: datetime, context: dict[str, Any]) -> None:
    await DBOS.run_step_async({"name": "emit"}, _emit, context["name"], when.isoformat(), context)
