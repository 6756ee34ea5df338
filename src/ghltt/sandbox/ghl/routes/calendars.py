"""Calendars and appointments (reference §5.2). Events: Appointment{Create,Update,Delete}."""

from __future__ import annotations

from datetime import timedelta

from starlette.routing import Route

from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError, contact_not_found, unprocessable
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import epoch_ms, parse_iso

CAL_READ = "calendars.readonly"
EV_READ, EV_WRITE = "calendars/events.readonly", "calendars/events.write"
_STATUS = "enum:new,confirmed,cancelled,showed,noshow,invalid"
_MEETING = "enum:custom,zoom,gmeet,phone,address,ms_teams,google"
_EDIT = {
    "title": "str?",
    "meetingLocationType": _MEETING,
    "meetingLocationId": "str?",
    "overrideLocationConfig": "bool",
    "appointmentStatus": _STATUS,
    "assignedUserId": "str?",
    "description": "str?",
    "address": "str?",
    "ignoreDateRange": "bool",
    "toNotify": "bool",
    "ignoreFreeSlotValidation": "bool",
    "rrule": "str?",
    "calendarId": "str",
    "startTime": "iso",
    "endTime": "iso",
}
_CREATE = {**_EDIT, "locationId": "str", "contactId": "str"}


def _calendar(ctx: Ctx, calendar_id: str) -> Record:
    calendar = ctx.sim.state.calendars.get(calendar_id)
    if calendar is None:
        raise ApiError(400, f"Calendar with id {calendar_id} not found")
    ctx.own_location(calendar["locationId"])
    return calendar


def _event(ctx: Ctx) -> Record:
    event = ctx.sim.state.appointments.get(ctx.params["eventId"])
    if event is None:
        raise ApiError(400, f"Event with id {ctx.params['eventId']} not found")
    ctx.own_location(event["locationId"])
    return event


def _apply(ctx: Ctx, event: Record, data: Record, calendar: Record) -> None:
    for key in ("title", "appointmentStatus", "assignedUserId", "address", "description",
                "meetingLocationType", "rrule"):  # fmt: skip
        if key in data and data[key] is not None:
            event[key] = data[key]
    event["calendarId"] = calendar["id"]
    event["groupId"] = calendar.get("groupId", "")
    if "startTime" in data:
        event["startTime"] = data["startTime"]
    if "endTime" in data:
        event["endTime"] = data["endTime"]
    elif "startTime" in data:
        start = parse_iso(data["startTime"])
        assert start is not None
        minutes = int(calendar.get("slotDuration", 30))
        event["endTime"] = (start + timedelta(minutes=minutes)).isoformat()
    start, end = parse_iso(event["startTime"]), parse_iso(event["endTime"])
    if start and end and end < start:
        raise ApiError(400, "endTime must be after startTime")
    users = [u for u in (event.get("assignedUserId"), *calendar.get("teamMembers", [])) if u]
    event["users"] = list(dict.fromkeys(users))
    event["dateUpdated"] = ctx.now()


@api(CAL_READ)
def list_calendars(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    rows = [c for c in ctx.sim.state.calendars.values() if c["locationId"] == location.id]
    return 200, {"calendars": [views.calendar(c) for c in rows]}


@api(CAL_READ)
def get_calendar(ctx: Ctx) -> Result:
    return 200, {"calendar": views.calendar(_calendar(ctx, ctx.params["calendarId"]))}


@api(EV_WRITE)
def create_appointment(ctx: Ctx) -> Result:
    if isinstance(ctx.body, dict) and isinstance(ctx.body.get("locationId"), str):
        ctx.location(ctx.body["locationId"])
    data = validation.check(
        ctx.body, _CREATE, ("calendarId", "locationId", "contactId", "startTime")
    )
    location = ctx.location(data["locationId"])
    calendar = _calendar(ctx, data["calendarId"])
    contact = ctx.sim.state.contacts.get(data["contactId"])
    if contact is None or contact["locationId"] != location.id:
        raise contact_not_found(data["contactId"])
    now = ctx.now()
    event: Record = {
        "id": ctx.sim.ids.alnum(),
        "title": data.get("title") or f"Appointment with {views.full_name(contact) or 'contact'}",
        "calendarId": calendar["id"],
        "locationId": location.id,
        "contactId": contact["id"],
        "groupId": calendar.get("groupId", ""),
        "appointmentStatus": "confirmed",
        "assignedUserId": calendar.get("teamMembers", [""])[0],
        "users": [],
        "notes": "",
        "source": "third_party",
        "isRecurring": False,
        "dateAdded": now,
        "assignedResources": [],
        "createdBy": {"source": "third_party", "userId": None},
    }
    _apply(ctx, event, data, calendar)
    ctx.sim.state.appointments[event["id"]] = event
    ctx.emit("AppointmentCreate", location.id, {"appointment": views.appointment_webhook(event)})
    return 200, views.appointment_created(event)


@api(EV_READ)
def get_appointment(ctx: Ctx) -> Result:
    return 200, {"event": views.appointment_event(_event(ctx)), "traceId": ctx.trace_id}


@api(EV_WRITE)
def edit_appointment(ctx: Ctx) -> Result:
    event = _event(ctx)
    data = validation.check(ctx.body, _EDIT)
    calendar = _calendar(ctx, str(data.get("calendarId") or event["calendarId"]))
    _apply(ctx, event, data, calendar)
    ctx.emit(
        "AppointmentUpdate", event["locationId"], {"appointment": views.appointment_webhook(event)}
    )
    return 200, views.appointment_created(event)


@api(EV_READ)
def list_events(ctx: Ctx) -> Result:
    q = ctx.query
    location = ctx.location(q.get("locationId"))
    messages = [f"{k} should not be empty" for k in ("startTime", "endTime") if not q.get(k)]
    if messages:
        raise unprocessable(messages)
    if not any(q.get(k) for k in ("calendarId", "userId", "groupId")):
        raise ApiError(400, "Either calendarId, userId or groupId is required")
    try:
        start_ms, end_ms = int(q["startTime"]), int(q["endTime"])
    except ValueError:
        raise unprocessable(["startTime and endTime must be epoch milliseconds"]) from None
    rows: list[Record] = []
    for event in ctx.sim.state.appointments.values():
        if event["locationId"] != location.id:
            continue
        if q.get("calendarId") and event["calendarId"] != q["calendarId"]:
            continue
        if q.get("userId") and q["userId"] not in event.get("users", []):
            continue
        if q.get("groupId") and event.get("groupId") != q["groupId"]:
            continue
        start = parse_iso(event["startTime"])
        if start is None or not start_ms <= epoch_ms(start) <= end_ms:
            continue
        rows.append(views.appointment_event(event))
    rows.sort(key=lambda e: e["startTime"])
    return 200, {"events": rows, "traceId": ctx.trace_id}


@api(EV_WRITE)
def delete_event(ctx: Ctx) -> Result:
    event = _event(ctx)
    del ctx.sim.state.appointments[event["id"]]
    ctx.emit(
        "AppointmentDelete", event["locationId"], {"appointment": views.appointment_webhook(event)}
    )
    return 201, {"succeeded": True}


routes = [
    Route("/calendars/events/appointments", create_appointment, methods=["POST"]),
    Route("/calendars/events/appointments/{eventId}", get_appointment, methods=["GET"]),
    Route("/calendars/events/appointments/{eventId}", edit_appointment, methods=["PUT"]),
    Route("/calendars/events/{eventId}", delete_event, methods=["DELETE"]),
    Route("/calendars/events", list_events, methods=["GET"]),
    Route("/calendars/", list_calendars, methods=["GET"]),
    Route("/calendars", list_calendars, methods=["GET"]),
    Route("/calendars/{calendarId}", get_calendar, methods=["GET"]),
]
