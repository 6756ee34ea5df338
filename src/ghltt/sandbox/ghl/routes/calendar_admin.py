"""Calendars themselves, their groups, blocked slots, free slots and appointment notes
(apps/calendars.json, Version 2021-04-15). Appointments are in ``calendars.py``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.routing import Route

from ghltt.sandbox.ghl import collections as col
from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Handler, Result, api
from ghltt.sandbox.ghl.errors import ApiError, unprocessable
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import epoch_ms, parse_iso

CAL_READ, CAL_WRITE = "calendars.readonly", "calendars.write"
EV_READ, EV_WRITE = "calendars/events.readonly", "calendars/events.write"
GROUP_READ, GROUP_WRITE = "calendars/groups.readonly", "calendars/groups.write"
_CALENDAR = {
    "name": "str", "description": "str?", "groupId": "str?", "teamMembers": "array",
    "eventType": "str?", "slug": "str?", "widgetSlug": "str?", "calendarType": "str?",
    "widgetType": "str?", "eventTitle": "str?", "eventColor": "str?", "slotDuration": "num",
    "slotInterval": "num", "isActive": "bool", "locationId": "str",
}  # fmt: skip
_OPEN_HOURS = range(9, 17)  # the sample calendars take bookings 9:00 to 17:00, location time


def _calendar(ctx: Ctx) -> Record:
    calendar = ctx.sim.state.calendars.get(ctx.params["calendarId"])
    if calendar is None:
        raise ApiError(400, f"Calendar with id {ctx.params['calendarId']} not found")
    ctx.own_location(calendar["locationId"])
    return calendar


def _members(data: Record) -> list[str]:
    members = data.get("teamMembers") or []
    return [m["userId"] if isinstance(m, dict) else str(m) for m in members if m]


@api(CAL_WRITE)
def create_calendar(ctx: Ctx) -> Result:
    data = validation.check(ctx.body, _CALENDAR, ("locationId", "name"))
    location = ctx.location(data.pop("locationId"))
    calendar: Record = {
        "id": ctx.sim.ids.alnum(),
        "locationId": location.id,
        "calendarType": "event",
        "slotDuration": 30,
        "isActive": True,
        **{k: v for k, v in data.items() if v is not None},
        "teamMembers": _members(data),
    }
    ctx.sim.state.calendars[calendar["id"]] = calendar
    return 200, {"calendar": views.calendar(calendar)}


@api(CAL_WRITE)
def update_calendar(ctx: Ctx) -> Result:
    calendar = _calendar(ctx)
    fields = {k: v if v.endswith("?") else f"{v}?" for k, v in _CALENDAR.items()}
    data = validation.check(ctx.body, fields)
    data.pop("locationId", None)
    if "teamMembers" in data:
        data["teamMembers"] = _members(data)
    calendar.update({k: v for k, v in data.items() if v is not None})
    return 200, {"calendar": views.calendar(calendar)}


@api(CAL_WRITE)
def delete_calendar(ctx: Ctx) -> Result:
    calendar = _calendar(ctx)
    del ctx.sim.state.calendars[calendar["id"]]
    return 200, {"success": True}


def _window(ctx: Ctx, start: str, end: str) -> tuple[datetime, datetime]:
    q = ctx.query
    missing = [f"{k} should not be empty" for k in (start, end) if not q.get(k)]
    if missing:
        raise unprocessable(missing)
    try:
        began, ended = int(q[start]), int(q[end])
    except ValueError:
        raise unprocessable([f"{start} and {end} must be epoch milliseconds"]) from None
    return datetime.fromtimestamp(began / 1000, UTC), datetime.fromtimestamp(ended / 1000, UTC)


def _busy(ctx: Ctx, calendar: Record) -> list[tuple[datetime, datetime]]:
    taken = [*ctx.sim.state.appointments.values(), *ctx.sim.state.tables["blockedSlots"].values()]
    spans = []
    for event in taken:
        if (
            event.get("calendarId") != calendar["id"]
            or event.get("appointmentStatus") == "cancelled"
        ):
            continue
        start, end = parse_iso(str(event.get("startTime"))), parse_iso(str(event.get("endTime")))
        if start and end:
            spans.append((start, end))
    return spans


@api(CAL_READ)
def free_slots(ctx: Ctx) -> Result:
    """Open slots per day between startDate and endDate (at most 31 days), in the location's
    zone (or ``timezone``), skipping booked appointments and blocked slots."""
    calendar = _calendar(ctx)
    began, ended = _window(ctx, "startDate", "endDate")
    zone_name = (
        ctx.query.get("timezone") or ctx.sim.state.locations[calendar["locationId"]].timezone
    )
    try:
        zone = ZoneInfo(zone_name)
    except (ValueError, KeyError):
        raise unprocessable(["timezone must be a valid IANA time zone"]) from None
    step = timedelta(minutes=int(calendar.get("slotDuration") or 30))
    busy = _busy(ctx, calendar)
    day = began.astimezone(zone).date()
    last = min(ended.astimezone(zone).date(), day + timedelta(days=31))
    out: Record = {}
    while day <= last:
        slots = []
        for hour in _OPEN_HOURS:
            slot = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
            while slot.hour == hour:
                if began <= slot < ended and not any(s < slot + step and slot < e for s, e in busy):
                    slots.append(slot.isoformat())
                slot += step
        if slots:
            out[day.isoformat()] = {"slots": slots}
        day += timedelta(days=1)
    return 200, out


# ---- blocked slots ------------------------------------------------------------------------
_BLOCK = {
    "title": "str?", "calendarId": "str", "assignedUserId": "str?", "locationId": "str",
    "startTime": "iso", "endTime": "iso",
}  # fmt: skip
BLOCKS = col.Kind(
    "blockedSlots", "", "events", _BLOCK, ("calendarId", "locationId"), location="body"
)


def _block_times(data: Record) -> None:
    start, end = parse_iso(str(data.get("startTime", ""))), parse_iso(str(data.get("endTime", "")))
    if start and end and end < start:
        raise ApiError(400, "endTime must be after startTime")


@api(EV_WRITE)
def create_block(ctx: Ctx) -> Result:
    location = col.location_of(ctx, BLOCKS)
    data = validation.check(ctx.body, _BLOCK, BLOCKS.required)
    data.pop("locationId")
    _block_times(data)
    calendar = ctx.sim.state.calendars.get(data["calendarId"])
    if calendar is None or calendar["locationId"] != location.id:
        raise ApiError(400, f"Calendar with id {data['calendarId']} not found")
    data.setdefault("title", "Blocked")
    return 201, views.public(col.insert(ctx, BLOCKS, location, data))


@api(EV_WRITE)
def edit_block(ctx: Ctx) -> Result:
    record = col.find(ctx, BLOCKS, ctx.params["eventId"])
    data = validation.check(ctx.body, _BLOCK, BLOCKS.required)
    ctx.location(data.pop("locationId"))
    _block_times(data)
    record.update({k: v for k, v in data.items() if v is not None})
    return 201, views.public(record)


@api(EV_READ)
def blocked_slots(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    began, ended = _window(ctx, "startTime", "endTime")
    rows = []
    for block in col.rows(ctx, BLOCKS, location):
        for key in ("calendarId", "userId", "groupId"):
            field = "assignedUserId" if key == "userId" else key
            if ctx.query.get(key) and block.get(field) != ctx.query[key]:
                break
        else:
            start = parse_iso(str(block.get("startTime", "")))
            if start is None or epoch_ms(began) <= epoch_ms(start) <= epoch_ms(ended):
                rows.append(views.public(block))
    return 200, {"events": rows}


# ---- appointment notes --------------------------------------------------------------------
NOTES = col.Kind(
    "appointmentNotes", "note", "notes", {"body": "str", "userId": "str?"}, ("body",),
    id_param="noteId", location="token", parent="appointmentId", deleted={"success": True},
    view=lambda r: {**views.public(r), "appointmentId": r["_parent"]},
)  # fmt: skip


def _appointment(ctx: Ctx) -> Record:
    event = ctx.sim.state.appointments.get(ctx.params["appointmentId"])
    if event is None:
        raise ApiError(400, f"Appointment with id {ctx.params['appointmentId']} not found")
    ctx.own_location(event["locationId"])
    return event


@api(EV_READ)
def list_notes(ctx: Ctx) -> Result:
    _appointment(ctx)
    try:
        limit, offset = int(ctx.query.get("limit", "10")), int(ctx.query.get("offset", "0"))
    except ValueError:
        raise unprocessable(["limit and offset must be numbers"]) from None
    rows = col.rows(ctx, NOTES, ctx.home())
    page = rows[offset : offset + limit]
    return 200, {"notes": [NOTES.view(r) for r in page], "hasMore": offset + limit < len(rows)}


@api(EV_WRITE)
def create_note(ctx: Ctx) -> Result:
    event = _appointment(ctx)
    data = validation.check(ctx.body, NOTES.fields, NOTES.required)
    data["contactId"] = event.get("contactId")
    return 201, col.answer(NOTES, col.insert(ctx, NOTES, ctx.home(), data))


def _on_appointment(handler: Handler) -> Handler:
    def checked(ctx: Ctx) -> Result:
        _appointment(ctx)
        return handler(ctx)

    return checked


# ---- groups -------------------------------------------------------------------------------
GROUPS = col.Kind(
    "calendarGroups", "group", "groups",
    {"locationId": "str", "name": "str", "description": "str", "slug": "str", "isActive": "bool"},
    ("locationId", "name", "description", "slug"), id_param="groupId", location="body",
    deleted={"success": True},
)  # fmt: skip


@api(GROUP_WRITE)
def group_status(ctx: Ctx) -> Result:
    record = col.find(ctx, GROUPS)
    data = validation.check(ctx.body, {"isActive": "bool"}, ("isActive",))
    record["isActive"] = data["isActive"]
    return 200, {"success": True}


@api(GROUP_WRITE)
def validate_slug(ctx: Ctx) -> Result:
    data = validation.check(ctx.body, {"locationId": "str", "slug": "str"}, ("locationId", "slug"))
    location = ctx.location(data["locationId"])
    taken = {g.get("slug") for g in col.rows(ctx, GROUPS, location)}
    return 200, {"available": data["slug"] not in taken}


_GROUP_EDIT = col.Kind(
    GROUPS.table, GROUPS.one, GROUPS.many, {"name": "str", "description": "str", "slug": "str"},
    id_param="groupId", location="token",
)  # fmt: skip

routes = [
    Route("/calendars/", create_calendar, methods=["POST"]),
    Route("/calendars", create_calendar, methods=["POST"]),
    Route("/calendars/groups", api(GROUP_READ)(col.listing(GROUPS)), methods=["GET"]),
    Route("/calendars/groups", api(GROUP_WRITE)(col.create(GROUPS)), methods=["POST"]),
    Route("/calendars/groups/validate-slug", validate_slug, methods=["POST"]),
    Route("/calendars/groups/{groupId}", api(GROUP_WRITE)(col.delete(GROUPS)), methods=["DELETE"]),
    Route(
        "/calendars/groups/{groupId}", api(GROUP_WRITE)(col.update(_GROUP_EDIT)), methods=["PUT"]
    ),
    Route("/calendars/groups/{groupId}/status", group_status, methods=["PUT"]),
    Route("/calendars/blocked-slots", blocked_slots, methods=["GET"]),
    Route("/calendars/events/block-slots", create_block, methods=["POST"]),
    Route("/calendars/events/block-slots/{eventId}", edit_block, methods=["PUT"]),
    Route("/calendars/appointments/{appointmentId}/notes", list_notes, methods=["GET"]),
    Route("/calendars/appointments/{appointmentId}/notes", create_note, methods=["POST"]),
    Route(
        "/calendars/appointments/{appointmentId}/notes/{noteId}",
        api(EV_WRITE)(_on_appointment(col.update(NOTES))),
        methods=["PUT"],
    ),
    Route(
        "/calendars/appointments/{appointmentId}/notes/{noteId}",
        api(EV_WRITE)(_on_appointment(col.delete(NOTES))),
        methods=["DELETE"],
    ),
    Route("/calendars/{calendarId}/free-slots", free_slots, methods=["GET"]),
    Route("/calendars/{calendarId}", update_calendar, methods=["PUT"]),
    Route("/calendars/{calendarId}", delete_calendar, methods=["DELETE"]),
]
