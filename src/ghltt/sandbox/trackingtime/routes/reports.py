"""``/reports``: a user's worked hours in a period, by project (FICUS lists the path and its
``from``, ``to``, ``sort_by`` NAME|WORKED_HOURS; the answer's shape is [INFERRED])."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import ValidationError
from ghltt.sandbox.trackingtime.render import event_seconds
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.events import event_local_date
from ghltt.sandbox.trackingtime.routes.users import member

router = Router()

_SORTS = ("NAME", "WORKED_HOURS")


def _hours(seconds: int) -> float:
    return round(seconds / 3600, 6)


@router.add("reports/users/{id}")
def user_report(ctx: Ctx) -> Any:
    user = member(ctx, ctx.arg())
    first, last = ctx.params.date("from"), ctx.params.date("to")
    sort_by = (ctx.params.text("sort_by") or "NAME").upper()
    if sort_by not in _SORTS:
        raise ValidationError(f"Invalid sort_by: {sort_by}")
    worked = billable = 0
    by_project: dict[int, int] = {}
    for e in ctx.state.events.values():
        if e.account_id != ctx.account.id or e.user_id != user.id:
            continue
        day = event_local_date(ctx, e)
        if (first and day < first) or (last and day > last):
            continue
        seconds = event_seconds(e, ctx.now)
        worked += seconds
        billable += seconds if e.is_billable else 0
        project = ctx.event_min(e)["pid"] or 0
        by_project[project] = by_project.get(project, 0) + seconds
    rows = []
    for pid, seconds in by_project.items():
        found = ctx.state.projects.get(pid)
        rows.append((found.name if found else "No Project", pid, seconds))
    if sort_by == "NAME":
        rows.sort(key=lambda row: row[0].lower())
    else:
        rows.sort(key=lambda row: -row[2])
    projects = [{"id": pid, "name": name, "worked_hours": _hours(s)} for name, pid, s in rows]
    return {
        "user_id": user.id,
        "name": " ".join(part for part in (user.name, user.surname) if part),
        "worked_hours": _hours(worked),
        "billable_hours": _hours(billable),
        "projects": projects,
    }
