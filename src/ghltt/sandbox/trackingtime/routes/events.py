"""``/events``: time entries. Lists (min, full, flat), paging, filters, add/update/delete."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from ghltt.sandbox.trackingtime.envelope import ForbiddenError, ValidationError
from ghltt.sandbox.trackingtime.render import event_seconds
from ghltt.sandbox.trackingtime.router import Ctx, Reply, Router
from ghltt.sandbox.trackingtime.routes.common import (
    apply_custom_fields,
    ghost_task,
    page,
    resolve_project,
    task_by_name,
)
from ghltt.sandbox.trackingtime.routes.timing import request_zone, tags_param
from ghltt.sandbox.trackingtime.state import Event, Task
from ghltt.sandbox.trackingtime.timefmt import parse_date, parse_zone, zone_name

router = Router()

EVENT_TYPES = ("WORK", "NOT_LOGGED")


def _can_see_others(ctx: Ctx) -> bool:
    return ctx.is_manager or ctx.account.permissions.get("can_view_time_entries_from_others", False)


def event_local_date(ctx: Ctx, ev: Event) -> date:
    zone = parse_zone(ev.zone) or ctx.account_zone
    return ev.start.astimezone(zone).date()


def _select(ctx: Ctx) -> list[Event]:
    """Apply filter/id, from/to, sort_by and order; the caller pages the result."""
    p = ctx.params
    kind = (p.text("filter") or "USER").upper()
    ident = p.integer("id")
    events = [e for e in ctx.state.events.values() if e.account_id == ctx.account.id]
    if kind == "USER":
        # [INFERRED] id defaults to the caller, as the MCPO wrapper does client-side.
        user_id = ident if ident is not None else ctx.viewer.id
        if user_id != ctx.viewer.id and not _can_see_others(ctx):
            raise ForbiddenError()
        events = [e for e in events if e.user_id == user_id]
    elif kind == "COMPANY":
        if not _can_see_others(ctx):
            events = [e for e in events if e.user_id == ctx.viewer.id]
    elif kind in ("PROJECT", "TASK", "CUSTOMER", "SERVICE"):
        if ident is None:
            raise ValidationError("The parameter 'id' is required")
        match = _matcher(ctx, kind, ident)
        events = [e for e in events if match(e)]
        if not _can_see_others(ctx):
            events = [e for e in events if e.user_id == ctx.viewer.id]
    else:
        raise ValidationError(f"Invalid filter: {kind}")

    sort_by = (p.text("sort_by") or "").lower()
    if sort_by not in ("", "start", "created_at", "updated_at"):
        raise ValidationError(f"Invalid sort_by: {sort_by}")
    start_day, end_day = p.date("from"), p.date("to")
    if sort_by in ("created_at", "updated_at"):
        zone = ctx.account_zone

        def stamp(e: Event) -> datetime:
            value = e.updated_at if sort_by == "updated_at" else e.created_at
            return value or e.created_at

        def day_of(e: Event) -> date:
            return stamp(e).astimezone(zone).date()

        key: Callable[[Event], Any] = lambda e: (stamp(e), e.id)  # noqa: E731
    else:

        def day_of(e: Event) -> date:
            return event_local_date(ctx, e)

        key = lambda e: (e.start, e.id)  # noqa: E731
    if start_day is not None:
        events = [e for e in events if day_of(e) >= start_day]
    if end_day is not None:
        events = [e for e in events if day_of(e) <= end_day]
    billed = (p.text("billed") or "ALL").upper()
    if billed == "BILLED":
        events = [e for e in events if e.is_billed]
    elif billed == "UNBILLED":
        events = [e for e in events if not e.is_billed]
    order = (p.text("order") or "asc").lower()
    if order not in ("asc", "desc"):
        raise ValidationError(f"Invalid order: {order}")
    events.sort(key=key, reverse=order == "desc")
    return events


def _matcher(ctx: Ctx, kind: str, ident: int) -> Callable[[Event], bool]:
    state = ctx.state

    def task_of(e: Event) -> Task | None:
        return state.tasks.get(e.task_id) if e.task_id else None

    def project_of(e: Event) -> int | None:
        t = task_of(e)
        return t.project_id if t else e.project_id

    if kind == "TASK":
        return lambda e: e.task_id == ident
    if kind == "PROJECT":
        return lambda e: project_of(e) == ident

    def via_project(e: Event) -> bool:
        pid = project_of(e)
        project = state.projects.get(pid) if pid else None
        if project is None:
            return False
        return (project.customer_id if kind == "CUSTOMER" else project.service_id) == ident

    return via_project


def _siblings(ctx: Ctx, events: list[Event]) -> dict[str, Any]:
    include = ctx.params.flag("include_custom_fields")
    return {
        "set_custom_fields": [
            row for e in events for row in ctx.set_custom_fields("event_id", e.id, e.custom_fields)
        ]
        if include
        else [],
        "available_custom_fields": ctx.available_custom_fields("event") if include else [],
        "users": {},
        "schedule_assignments": {},
    }


def _page(ctx: Ctx, events: list[Event], *, max_size: int | None = None) -> list[Event]:
    return page(
        ctx,
        events,
        default_size=ctx.config.events_default_page_size,
        max_size=max_size or ctx.config.events_max_page_size,
    )


@router.add("events")
def list_events(ctx: Ctx) -> Any:
    events = _page(ctx, _select(ctx))
    include = ctx.params.flag("include_custom_fields")
    if ctx.config.legacy_events_format:
        data = [ctx.event_full(e, include_custom_fields=include) for e in events]
    else:
        data = [ctx.event_min(e) for e in events]
    return Reply(data=data, siblings=_siblings(ctx, events))


@router.add("events/min")
def list_events_min(ctx: Ctx) -> Any:
    events = _page(ctx, _select(ctx))
    return Reply(data=[ctx.event_min(e) for e in events], siblings=_siblings(ctx, events))


@router.add("events/flat")
def list_events_flat(ctx: Ctx) -> Any:
    events = _page(ctx, _select(ctx), max_size=ctx.config.flat_events_max_page_size)
    include = ctx.params.flag("include_custom_fields")
    return [ctx.event_flat(e, include_custom_fields=include) for e in events]


@router.add("events/export")
def export(ctx: Ctx) -> Any:
    """CSV text, not JSON (FICUS, RN v1.2.3); columns as in the flat shape."""
    separator = ctx.params.text("separator")
    if separator not in (",", ";", "\t", "\\t"):
        raise ValidationError("The parameter 'separator' is required (',', ';' or tab)")
    sep = "\t" if separator in ("\t", "\\t") else separator
    rows = [ctx.event_flat(e) for e in _select(ctx)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    if rows:
        writer.writerow(rows[0].keys())
        writer.writerows([["" if v is None else v for v in row.values()] for row in rows])
    return Reply(text=buffer.getvalue(), media_type="text/csv;charset=UTF-8")


@router.add("events/count")
def count_events(ctx: Ctx) -> Any:
    # The shape is unknown (§11); [INFERRED] an object with the count.
    return {"count": len(_select(ctx))}


@router.add("events/filtered")
def filtered(ctx: Ctx) -> Any:
    raw = ctx.params.text("query_data") or "{}"
    try:
        query = json.loads(raw)
    except ValueError:
        raise ValidationError("Invalid query_data") from None
    if not isinstance(query, dict):
        raise ValidationError("Invalid query_data")
    events = [e for e in ctx.state.events.values() if e.account_id == ctx.account.id]
    if not _can_see_others(ctx):
        events = [e for e in events if e.user_id == ctx.viewer.id]
    rng = query.get("date_range") or {}
    first, last = _period(ctx, rng)
    if first is not None:
        events = [e for e in events if event_local_date(ctx, e) >= first]
    if last is not None:
        events = [e for e in events if event_local_date(ctx, e) <= last]
    for flt in query.get("filters") or []:
        events = _apply_filter(ctx, events, flt)
    events.sort(key=lambda e: (e.start, e.id))
    params = query.get("parameters") or []
    rows = [ctx.event_min(e) for e in _page(ctx, events, max_size=5000)]
    if params:
        rows = [{k: v for k, v in row.items() if k in params or k == "id"} for row in rows]
    return rows


def _period(ctx: Ctx, rng: dict[str, Any]) -> tuple[date | None, date | None]:
    today = ctx.now.astimezone(ctx.viewer_zone).date()
    period = str(rng.get("period") or "").lower()
    if rng.get("start") or rng.get("end"):
        try:
            return (
                parse_date(rng["start"]) if rng.get("start") else None,
                parse_date(rng["end"]) if rng.get("end") else None,
            )
        except ValueError:
            raise ValidationError("Invalid date_range") from None
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    table: dict[str, tuple[date | None, date | None]] = {
        "": (None, None),
        "all": (None, None),
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "this_week": (monday, today),
        "last_week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this_month": (month, today),
        "last_month": ((month - timedelta(days=1)).replace(day=1), month - timedelta(days=1)),
    }
    if period in table:
        return table[period]
    if period.startswith("last_") and period.endswith("_days"):
        try:
            days = int(period[5:-5])
        except ValueError:
            raise ValidationError(f"Invalid period: {period}") from None
        if not 0 < days <= 90:
            raise ValidationError(f"Invalid period: {period}")
        return today - timedelta(days=days), today
    raise ValidationError(f"Invalid period: {period}")


def _apply_filter(ctx: Ctx, events: list[Event], flt: dict[str, Any]) -> list[Event]:
    by = str(flt.get("by") or "").lower()
    op = str(flt.get("operator") or "is").lower()
    values = {str(v) for v in (flt.get("value") or [])}
    getters: dict[str, Callable[[Event], Any]] = {
        "user": lambda e: e.user_id,
        "task": lambda e: e.task_id,
        "project": lambda e: ctx.event_min(e)["pid"],
        "customer": lambda e: ctx.event_min(e)["cid"],
        "service": lambda e: ctx.event_min(e)["seid"],
        "notes": lambda e: e.notes,
        "is_billable": lambda e: e.is_billable,
        "event_type": lambda e: e.event_type,
    }
    if by not in getters:
        raise ValidationError(f"Invalid filter: {by}")
    get = getters[by]

    def keep(e: Event) -> bool:
        value = get(e)
        text = "" if value is None else str(value).lower()
        if op in ("is", "="):
            return text in {v.lower() for v in values}
        if op == "is_not":
            return text not in {v.lower() for v in values}
        if op == "contains":
            return any(v.lower() in text for v in values)
        if op == "does_not_contain":
            return not any(v.lower() in text for v in values)
        if op == "is_set":
            return value is not None
        if op == "is_not_set":
            return value is None
        raise ValidationError(f"Invalid operator: {op}")

    return [e for e in events if keep(e)]


@router.add("events/{id}")
def get_event(ctx: Ctx) -> Any:
    ev = _visible_event(ctx, ctx.arg())
    return ctx.event_full(ev, include_custom_fields=ctx.params.flag("include_custom_fields"))


def _visible_event(ctx: Ctx, event_id: int) -> Event:
    ev = ctx.find(ctx.state.events, event_id)
    if ev.user_id != ctx.viewer.id and not _can_see_others(ctx):
        raise ForbiddenError()
    return ev


def _target_task(ctx: Ctx) -> tuple[Task | None, int | None]:
    """``task_id`` | ``task_name``, ``project_id`` | ``project_name`` (auto-created)."""
    p = ctx.params
    task_id = p.integer("task_id")
    if task_id:
        task = ctx.find(ctx.state.tasks, task_id)
        return task, task.project_id
    project = resolve_project(ctx)
    task_name = p.text("task_name")
    if task_name and task_name.strip():
        task = task_by_name(ctx, task_name, project)
        return task, task.project_id
    if project is not None:
        return ghost_task(ctx, project), project.id
    return None, None


def _check_type(ctx: Ctx) -> str | None:
    if "event_type" not in ctx.params:
        return None
    kind = ctx.params.required_text("event_type").upper()
    if kind not in EVENT_TYPES:
        raise ValidationError(f"Invalid event_type: {kind}")
    return kind


def _times(ctx: Ctx, ev: Event | None) -> tuple[datetime, datetime]:
    """Start and end from ``start``/``end``/``duration``; the server computes the duration."""
    p = ctx.params
    zone = request_zone(ctx)
    start = p.datetime("start", zone)
    end = p.datetime("end", zone)
    duration = p.integer("duration")
    if duration is not None and duration < 0:
        raise ValidationError("The duration can't be negative")
    if ev is None:
        if start is None:
            raise ValidationError("The parameter 'start' is required")
        if end is None and duration is None:
            raise ValidationError("The parameter 'end' is required")
    else:
        start = start or ev.start
        if end is None and duration is None:
            end = ev.end if ev.end is not None else None
    if end is None:
        end = start + timedelta(seconds=duration or 0)
    if end < start:
        raise ValidationError("The end date must be after the start date")
    return start, end


def _mapping(ctx: Ctx) -> dict[str, Any] | None:
    service = ctx.params.text("service")
    if not service:
        return None
    return {
        "service": service,
        "project_id": ctx.params.text("service_project_id"),
        "task_id": ctx.params.text("service_task_id"),
    }


@router.add("events/add")
def add_event(ctx: Ctx) -> Any:
    p = ctx.params
    user_id = p.integer("user_id") or ctx.viewer.id
    if user_id != ctx.viewer.id:
        ctx.require_manager()
        target = ctx.state.users.get(user_id)
        if target is None or ctx.account.id not in target.memberships:
            raise ValidationError(f"User {user_id} is not part of this account")
    start, end = _times(ctx, None)
    event_type = _check_type(ctx) or "WORK"
    task, project_id = _target_task(ctx)
    if task is not None and task.is_archived:
        raise ValidationError("The task is closed. Open it to add time")
    zone = request_zone(ctx, ctx.state.users[user_id])
    ev = Event(
        id=ctx.state.next_id("event"),
        account_id=ctx.account.id,
        user_id=user_id,
        task_id=task.id if task else None,
        project_id=project_id,
        start=start,
        end=end,
        zone=zone_name(zone),
        created_at=ctx.now,
        updated_at=ctx.now,
        notes=p.text("notes"),
        event_type=event_type,
        is_billable=p.flag("is_billable", True),
        is_billed=p.flag("is_billed"),
        json=p.json_value("json"),
        repeat=p.text("repeat"),
        frequency=p.text("frequency"),
        repeat_every=p.integer("repeat_every"),
        end_repeat=p.text("end_repeat"),
        tags=tags_param(ctx) or [],
        third_party_data=_mapping(ctx),
    )
    apply_custom_fields(ctx, ev.custom_fields, "event")
    if task is not None and user_id not in task.assignees:
        task.assignees[user_id] = ctx.now
    ctx.state.events[ev.id] = ev
    ctx.changed()
    data = ctx.event_full(ev, include_custom_fields=True)
    ctx.emit("event.created", data)
    return data


def _update(ctx: Ctx) -> Any:
    ev = _visible_event(ctx, ctx.arg())
    p = ctx.params
    only_notes = set(p.values) <= {"notes", "id"}
    if ev.user_id != ctx.viewer.id and not ctx.is_manager and not only_notes:
        # Coworkers may still edit notes (RN v4.24).
        raise ForbiddenError()
    if ctx.config.event_update_requires_end and "end" not in p:
        raise ValidationError("The parameter 'end' is required")
    if "start" in p or "end" in p or "duration" in p:
        ev.start, ev.end = _times(ctx, ev)
        if "timezone" in p:
            ev.zone = zone_name(request_zone(ctx))
    if "task_id" in p or p.text("task_name") or "project_id" in p or p.text("project_name"):
        task, project_id = _target_task(ctx)
        ev.task_id = task.id if task else None
        ev.project_id = project_id
    if "notes" in p:
        ev.notes = p.text("notes")
    kind = _check_type(ctx)
    if kind:
        ev.event_type = kind
    if "user_id" in p:
        user_id = p.required_integer("user_id")
        if user_id != ev.user_id:
            ctx.require_manager()
            target = ctx.state.users.get(user_id)
            if target is None or ctx.account.id not in target.memberships:
                raise ValidationError(f"User {user_id} is not part of this account")
            ev.user_id = user_id
    if "is_billed" in p:
        ev.is_billed = p.flag("is_billed")
    if "is_billable" in p:
        ev.is_billable = p.flag("is_billable")
    if "json" in p:
        ev.json = p.json_value("json")
    tags = tags_param(ctx)
    if tags is not None:
        ev.tags = tags
    mapping = _mapping(ctx)
    if mapping is not None:
        ev.third_party_data = mapping
    apply_custom_fields(ctx, ev.custom_fields, "event")
    ev.edited = True
    ctx.changed(ev)
    data = ctx.event_full(ev, include_custom_fields=True)
    ctx.emit("event.updated", data)
    return data


@router.add("events/update/{id}")
def update_event(ctx: Ctx) -> Any:
    return _update(ctx)


@router.add("events/{id}/update")
def update_event_n8n(ctx: Ctx) -> Any:
    return _update(ctx)


def _delete(ctx: Ctx) -> Any:
    ev = _visible_event(ctx, ctx.arg())
    if ev.user_id != ctx.viewer.id and not ctx.is_manager:
        raise ForbiddenError()
    data = ctx.event_full(ev)
    del ctx.state.events[ev.id]
    ctx.changed()
    ctx.emit("event.deleted", data)
    return {}


@router.add("events/delete/{id}", delete=True)
def delete_event(ctx: Ctx) -> Any:
    return _delete(ctx)


@router.add("events/{id}/delete", delete=True)
def delete_event_alt(ctx: Ctx) -> Any:
    return _delete(ctx)


def _set_billed(ctx: Ctx, billed: bool) -> Any:
    items = ctx.params.json_list("data")
    if not items:
        raise ValidationError("The parameter 'data' is required")
    for item in items:
        raw: Any = item.get("id") if isinstance(item, dict) else item
        try:
            event_id = int(raw)
        except (TypeError, ValueError):
            raise ValidationError("Invalid event id in 'data'") from None
        ev = _visible_event(ctx, event_id)
        ev.is_billed = billed
        ctx.changed(ev)
        ctx.emit("event.updated", ctx.event_full(ev))
    return {}


@router.add("events/billed")
def billed(ctx: Ctx) -> Any:
    return _set_billed(ctx, True)


@router.add("events/not_billed")
def not_billed(ctx: Ctx) -> Any:
    return _set_billed(ctx, False)


def external_id(
    ctx: Ctx, values: dict[int, str], data: dict[str, Any] | None, cls: str
) -> str | None:
    """A third-party id: the ``<CLS>_THIRD_PARTY_ID`` field, else ``third_party_data``."""
    slug = f"{cls.upper()}_THIRD_PARTY_ID"
    for cf_id, value in values.items():
        cf = ctx.state.custom_fields.get(cf_id)
        if cf is not None and cf.slug == slug:
            return value
    if data:
        found = data.get("id") or data.get(f"{cls}_id")
        return None if found is None else str(found)
    return None


@router.add("search/events")
def search_events(ctx: Ctx) -> Any:
    """N8N's search; field names besides ``type`` are [INFERRED] from zapier/createInput."""
    p = ctx.params
    kind = p.required_text("type")
    events = [e for e in ctx.state.events.values() if e.account_id == ctx.account.id]
    if not _can_see_others(ctx):
        events = [e for e in events if e.user_id == ctx.viewer.id]

    def task_of(e: Event) -> Task | None:
        return ctx.state.tasks.get(e.task_id) if e.task_id else None

    wanted = p.text("value") or p.text("id") or p.text("external_id") or ""
    if kind == "ByID":
        ident = p.integer("id", p.integer("value"))
        found = [e for e in events if e.id == ident]
    elif kind == "ByProjectID":
        ident = p.integer("project_id", p.integer("value"))
        found = [e for e in events if ctx.event_min(e)["pid"] == ident]
    elif kind == "ByTaskID":
        ident = p.integer("task_id", p.integer("value"))
        found = [e for e in events if e.task_id == ident]
    elif kind == "ByProjectOrTaskName":
        pname = (p.text("project_name") or "").lower()
        tname = (p.text("task_name") or "").lower()
        found = [
            e
            for e in events
            if (not pname or (ctx.event_min(e)["p"] or "").lower() == pname)
            and (not tname or (ctx.event_min(e)["t"] or "").lower() == tname)
        ]
    elif kind == "ByExternalID":
        found = [
            e
            for e in events
            if external_id(ctx, e.custom_fields, e.third_party_data, "event") == wanted
        ]
    elif kind == "ByTaskExternalID":
        wanted = p.text("task_external_id") or wanted
        found = []
        for e in events:
            t = task_of(e)
            if t and external_id(ctx, t.custom_fields, t.third_party_data, "task") == wanted:
                found.append(e)
    elif kind == "ByProjectExternalID":
        wanted = p.text("project_external_id") or wanted
        found = []
        for e in events:
            pid = ctx.event_min(e)["pid"]
            project = ctx.state.projects.get(pid) if pid else None
            if (
                project
                and external_id(ctx, project.custom_fields, project.third_party_data, "project")
                == wanted
            ):
                found.append(e)
    else:
        raise ValidationError(f"Invalid search type: {kind}")
    found.sort(key=lambda e: (e.start, e.id))
    return [ctx.event_full(e, include_custom_fields=True) for e in found[:500]]


_INPUT_FIELDS: dict[str, list[dict[str, Any]]] = {
    "ByID": [{"key": "id", "label": "TrackingTime ID", "type": "integer", "required": True}],
    "ByProjectID": [
        {"key": "project_id", "label": "Project ID", "type": "integer", "required": True}
    ],
    "ByTaskID": [{"key": "task_id", "label": "Task ID", "type": "integer", "required": True}],
    "ByProjectOrTaskName": [
        {"key": "project_name", "label": "Project name", "type": "string", "required": False},
        {"key": "task_name", "label": "Task name", "type": "string", "required": False},
    ],
    "ByExternalID": [
        {"key": "external_id", "label": "Third-party ID", "type": "string", "required": True}
    ],
    "ByProjectExternalID": [
        {
            "key": "project_external_id",
            "label": "Project external ID",
            "type": "string",
            "required": True,
        }
    ],
    "ByTaskExternalID": [
        {"key": "task_external_id", "label": "Task external ID", "type": "string", "required": True}
    ],
}


@router.add("zapier/createInput")
def create_input(ctx: Ctx) -> Any:
    # Answered without the envelope (N8N reads response.inputFields).
    kind = ctx.params.text("type") or "ByID"
    return Reply(bare={"inputFields": _INPUT_FIELDS.get(kind, [])})


@router.add("events/summary")
def summary(ctx: Ctx) -> Any:
    first, last = ctx.params.date("from"), ctx.params.date("to")
    wanted = ctx.params.json_list("users")
    ids = {int(u["id"] if isinstance(u, dict) else u) for u in wanted} if wanted else None
    rows: dict[tuple[int, str], int] = {}
    for e in ctx.state.events.values():
        if e.account_id != ctx.account.id or (ids is not None and e.user_id not in ids):
            continue
        if not _can_see_others(ctx) and e.user_id != ctx.viewer.id:
            continue
        day = event_local_date(ctx, e)
        if (first and day < first) or (last and day > last):
            continue
        key = (e.user_id, day.isoformat())
        rows[key] = rows.get(key, 0) + event_seconds(e, ctx.now)
    return [
        {"user_id": uid, "date": day, "worked_hours": round(secs / 3600, 6)}
        for (uid, day), secs in sorted(rows.items())
    ]
