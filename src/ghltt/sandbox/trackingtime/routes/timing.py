"""Timers and time entries shared by ``tasks/track``, ``tasks/stop`` and ``events/*``."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from ghltt.sandbox.trackingtime.envelope import ApiError, ValidationError
from ghltt.sandbox.trackingtime.router import Ctx
from ghltt.sandbox.trackingtime.state import Event, EventTag, Task, User
from ghltt.sandbox.trackingtime.timefmt import TimeFormatError, parse_zone, zone_name

TIMER_RUNNING = 502


def request_zone(ctx: Ctx, user: User | None = None) -> tzinfo:
    """``timezone`` param, else the user's zone, else the account's."""
    try:
        zone = parse_zone(ctx.params.text("timezone"))
        if zone is None:
            who = user or ctx.viewer
            zone = parse_zone(who.timezone)
    except TimeFormatError as exc:
        raise ValidationError(str(exc)) from None
    return zone or ctx.account_zone


def tags_param(ctx: Ctx) -> list[dict[str, Any]] | None:
    """``tags=[{"n","c","v","t"}]``; unknown names create a tag definition."""
    items = ctx.params.json_list("tags")
    if items is None:
        return None
    out = []
    for item in items:
        if not isinstance(item, dict) or (not item.get("n") and not item.get("name")):
            raise ValidationError("Each tag needs a name ('n')")
        name = str(item.get("n") or item.get("name"))
        out.append(
            {
                "id": ensure_tag(ctx, name, item.get("c"), item.get("t")).id,
                "n": name,
                "v": item.get("v", item.get("value")),
                "c": item.get("c", item.get("color")),
                "t": item.get("t", item.get("type")),
                "ns": None,
            }
        )
    return out


def ensure_tag(ctx: Ctx, name: str, color: Any = None, kind: Any = None) -> EventTag:
    for tag in ctx.state.tags.values():
        if tag.account_id == ctx.account.id and tag.name.lower() == name.lower():
            return tag
    tag = EventTag(
        id=ctx.state.next_id("tag"),
        account_id=ctx.account.id,
        name=name,
        color=None if color is None else str(color),
        type=None if kind is None else str(kind),
    )
    ctx.state.tags[tag.id] = tag
    return tag


def stop_event(ctx: Ctx, event: Event, at: datetime) -> None:
    if at < event.start:
        raise ValidationError("The end date must be after the start date")
    event.end = at
    event.updated_at = ctx.now
    ctx.invalidate()
    ctx.emit("event.updated", ctx.event_full(event))


def start_timer(ctx: Ctx, task: Task) -> Any:
    """``tasks/track``: one running timer per user; a running one is an in-band 502."""
    zone = request_zone(ctx)
    start = ctx.params.datetime("date", zone)
    if start is None:
        raise ValidationError("The parameter 'date' is required")
    running = ctx.state.running_event(ctx.viewer.id)
    if running is not None:
        if not ctx.params.flag("stop_running_task"):
            message = (
                "This task is already being tracked"
                if running.task_id == task.id
                else "There is already a task being tracked. Stop it first."
            )
            raise ApiError(TIMER_RUNNING, message)
        stop_event(ctx, running, max(start, running.start))
    if ctx.viewer.id not in task.assignees:
        task.assignees[ctx.viewer.id] = ctx.now
    if "estimated_time" in ctx.params:
        task.estimated_time = ctx.params.number("estimated_time", 0) or 0
    service = ctx.params.text("service")
    event = Event(
        id=ctx.state.next_id("event"),
        account_id=ctx.account.id,
        user_id=ctx.viewer.id,
        task_id=task.id,
        project_id=task.project_id,
        start=start,
        end=None,
        zone=zone_name(zone),
        created_at=ctx.now,
        updated_at=ctx.now,
        notes=ctx.params.text("notes"),
        json=ctx.params.json_value("json"),
        tags=tags_param(ctx) or [],
        third_party_data=(
            {
                "service": service,
                "project_id": ctx.params.text("service_project_id"),
                "task_id": ctx.params.text("service_task_id"),
            }
            if service
            else None
        ),
    )
    ctx.state.events[event.id] = event
    task.updated_at = ctx.now
    ctx.invalidate()
    data = ctx.event_full(event)
    ctx.emit("event.created", data)
    if ctx.params.flag("return_task"):
        return ctx.task(task)
    return data


def stop_timer(ctx: Ctx, task: Task) -> Any:
    zone = request_zone(ctx)
    at = ctx.params.datetime("date", zone)
    if at is None:
        raise ValidationError("The parameter 'date' is required")
    running = next(
        (
            e
            for e in ctx.state.events.values()
            if e.task_id == task.id and e.user_id == ctx.viewer.id and e.end is None
        ),
        None,
    )
    if running is None:
        raise ValidationError("This task is not being tracked")
    stop_event(ctx, running, at)
    task.updated_at = ctx.now
    if ctx.params.flag("return_task"):
        return ctx.task(task)
    return ctx.event_full(running)
