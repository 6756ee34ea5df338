"""Timesheet totals crossing a threshold: TT pushes nothing about totals, so the poll reads
each user's worked hours this week (``/events/summary``) and reports a user whose total passed
one of the bridge's thresholds (``timesheet_thresholds_hours``) since the last poll.

The cursor keeps the week and each user's total, so a crossing is reported once per week and
threshold (its dedup key names both), and a new week starts every total from zero.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ghltt.connectors.trackingtime import TrackingTimeClient
from ghltt.connectors.trackingtime.models import DayHours
from ghltt.core import Event
from ghltt.engine.reconcile.events import tt_event
from ghltt.engine.reconcile.model import PollContext, StreamResult

__all__ = ["CROSSED", "TIMESHEETS", "poll_timesheets"]

TIMESHEETS = "tt.timesheets"
CROSSED = "timesheet.threshold_crossed"


def _week_start(tt: TrackingTimeClient, ctx: PollContext) -> date:
    today = ctx.now.astimezone(tt.account_timezone).date()
    return today - timedelta(days=today.weekday())


async def _totals(tt: TrackingTimeClient, monday: date, today: date) -> dict[str, float]:
    days: list[DayHours] = await tt.invoke(
        "events.summary", {"from": monday.isoformat(), "to": today.isoformat()}
    )
    totals: dict[str, float] = {}
    for day in days:
        key = str(day.user_id)
        totals[key] = round(totals.get(key, 0.0) + day.worked_hours, 6)
    return totals


async def poll_timesheets(
    tt: TrackingTimeClient, ctx: PollContext, stored: dict[str, Any] | None
) -> StreamResult:
    thresholds = sorted(ctx.settings.timesheet_thresholds_hours)
    if not thresholds:  # nothing to watch: no call
        return StreamResult(stream=TIMESHEETS, cursor=stored or {}, first_run=stored is None)
    monday = _week_start(tt, ctx)
    totals = await _totals(tt, monday, monday + timedelta(days=6))
    week = monday.isoformat()
    before: dict[str, float] = {}
    if stored and stored.get("week") == week:
        before = {str(k): float(v) for k, v in (stored.get("hours") or {}).items()}
    events: list[Event] = []
    if ctx.emits(stored):
        for user_id, hours in sorted(totals.items()):
            previous = before.get(user_id, 0.0)
            for threshold in thresholds:
                if previous < threshold <= hours:
                    events.append(_crossed(tt, ctx, user_id, week, threshold, previous, hours))
    return StreamResult(
        stream=TIMESHEETS,
        events=events,
        cursor={"week": week, "hours": totals},
        read=len(totals),
        first_run=stored is None,
    )


def _crossed(
    tt: TrackingTimeClient,
    ctx: PollContext,
    user_id: str,
    week: str,
    threshold: float,
    previous: float,
    hours: float,
) -> Event:
    return tt_event(
        ctx.bridge,
        stream=TIMESHEETS,
        kind=CROSSED,
        object_id=user_id,
        version=f"{week}:{threshold:g}",
        occurred_at=ctx.now,
        account_id=tt.account_id,
        record={
            "user_id": int(user_id),
            "week_start": week,
            "threshold_hours": threshold,
            "previous_hours": previous,
            "worked_hours": hours,
        },
    )
