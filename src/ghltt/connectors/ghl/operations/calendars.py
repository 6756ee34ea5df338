"""Calendars, their groups, free and blocked slots, and appointment notes (apps/calendars.json,
Version 2021-04-15). Appointments themselves are declared in ``catalog.py``."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ghltt.connectors.ghl.models import GhlModel, InputModel, Timestamp
from ghltt.connectors.ghl.operation import CALENDARS_VERSION, declare
from ghltt.connectors.ghl.operations import _sample as s

__all__ = ["OPERATIONS"]

_C = CALENDARS_VERSION
_CR, _CW = "calendars.readonly", "calendars.write"
_ER, _EW = "calendars/events.readonly", "calendars/events.write"
_GR, _GW = "calendars/groups.readonly", "calendars/groups.write"


class Calendar(GhlModel):
    id: str
    name: str | None = None
    description: str | None = None
    location_id: str | None = None
    group_id: str | None = None
    calendar_type: str | None = None
    slot_duration: int | None = None
    team_members: list[Any] | None = None
    is_active: bool | None = None


class CalendarEdit(InputModel):
    name: str | None = None
    description: str | None = None
    group_id: str | None = None
    team_members: list[Any] | None = None
    slot_duration: int | None = None
    calendar_type: str | None = None
    slug: str | None = None
    is_active: bool | None = None


class CalendarCreate(CalendarEdit):
    name: str


class CalendarQuery(InputModel):
    group_id: str | None = None


class FreeSlotsQuery(InputModel):
    start_date: int
    end_date: int
    timezone: str | None = None
    user_id: str | None = None


class Group(GhlModel):
    id: str
    name: str | None = None
    description: str | None = None
    slug: str | None = None
    is_active: bool | None = None


class GroupEdit(InputModel):
    name: str
    description: str
    slug: str


class GroupCreate(GroupEdit):
    is_active: bool | None = None


class GroupStatus(InputModel):
    is_active: bool


class SlugInput(InputModel):
    slug: str


class SlugAnswer(GhlModel):
    available: bool


class BlockedSlot(GhlModel):
    id: str
    title: str | None = None
    calendar_id: str | None = None
    assigned_user_id: str | None = None
    start_time: Timestamp | None = None
    end_time: Timestamp | None = None


class BlockedSlotInput(InputModel):
    calendar_id: str
    title: str | None = None
    assigned_user_id: str | None = None
    start_time: str | None = None
    end_time: str | None = None


class WindowQuery(InputModel):
    start_time: int
    end_time: int
    calendar_id: str | None = None
    user_id: str | None = None
    group_id: str | None = None


class AppointmentNote(GhlModel):
    id: str
    body: str | None = None
    user_id: str | None = None
    contact_id: str | None = None
    date_added: Timestamp | None = None


class NoteBody(InputModel):
    body: str
    user_id: str | None = None


class NotesPage(InputModel):
    limit: int = 10
    offset: int = 0


class NotesAnswer(GhlModel):
    notes: list[AppointmentNote] = Field(default_factory=list)
    has_more: bool | None = None


_CAL: dict[str, Any] = {"output": Calendar, "unwrap": "calendar", "version": _C}
_GROUP: dict[str, Any] = {"output": Group, "unwrap": "group", "version": _C}
_NOTE: dict[str, Any] = {"output": AppointmentNote, "unwrap": "note", "version": _C}
_APPT = {"appointmentId": s.APPOINTMENT}
_WINDOW = {"startTime": s.WINDOW_START, "endTime": s.WINDOW_END}

OPERATIONS = (
    declare(
        "calendars.list",
        "GET",
        "/calendars/",
        _CR,
        version=_C,
        input=CalendarQuery,
        output=list[Calendar],
        unwrap="calendars",
        location=True,
        summary="List a location's calendars",
        example={},
    ),
    declare(
        "calendars.get",
        "GET",
        "/calendars/{calendarId}",
        _CR,
        **_CAL,
        summary="Read one calendar",
        example={"calendarId": s.CALENDAR},
    ),
    declare(
        "calendars.create",
        "POST",
        "/calendars/",
        _CW,
        idem=False,
        input=CalendarCreate,
        **_CAL,
        location=True,
        summary="Create a calendar",
        example={"name": "Strategy calls", "slotDuration": 45, "teamMembers": [s.USER]},
    ),
    declare(
        "calendars.update",
        "PUT",
        "/calendars/{calendarId}",
        _CW,
        input=CalendarEdit,
        **_CAL,
        summary="Change a calendar's name, team or slot length",
        example={"calendarId": s.CALENDAR, "description": "45-minute consultations"},
    ),
    declare(
        "calendars.delete",
        "DELETE",
        "/calendars/{calendarId}",
        _CW,
        version=_C,
        output=bool,
        summary="Delete a calendar",
        example={"calendarId": s.CALENDAR},
    ),
    declare(
        "calendars.free_slots",
        "GET",
        "/calendars/{calendarId}/free-slots",
        _CR,
        version=_C,
        input=FreeSlotsQuery,
        output=dict[str, Any],
        summary="Open booking slots of a calendar, per day",
        example={"calendarId": s.CALENDAR, "startDate": s.WINDOW_START, "endDate": s.WINDOW_END},
    ),
    declare(
        "calendar_groups.list",
        "GET",
        "/calendars/groups",
        _GR,
        version=_C,
        output=list[Group],
        unwrap="groups",
        location=True,
        summary="List a location's calendar groups",
        example={},
    ),
    declare(
        "calendar_groups.create",
        "POST",
        "/calendars/groups",
        _GW,
        idem=False,
        input=GroupCreate,
        **_GROUP,
        location=True,
        summary="Create a calendar group",
        example={"name": "Workshops", "description": "Group sessions", "slug": "workshops"},
    ),
    declare(
        "calendar_groups.validate_slug",
        "POST",
        "/calendars/groups/validate-slug",
        _GW,
        version=_C,
        input=SlugInput,
        output=SlugAnswer,
        location=True,
        summary="Whether a group slug is still free",
        example={"slug": "workshops"},
    ),
    declare(
        "calendar_groups.update",
        "PUT",
        "/calendars/groups/{groupId}",
        _GW,
        input=GroupEdit,
        **_GROUP,
        summary="Rename a calendar group",
        example={
            "groupId": s.CALENDAR_GROUP,
            "name": "Consultations",
            "description": "All consultations",
            "slug": "consultations",
        },
    ),
    declare(
        "calendar_groups.set_status",
        "PUT",
        "/calendars/groups/{groupId}/status",
        _GW,
        version=_C,
        input=GroupStatus,
        output=bool,
        summary="Enable or disable a group",
        example={"groupId": s.CALENDAR_GROUP, "isActive": False},
    ),
    declare(
        "calendar_groups.delete",
        "DELETE",
        "/calendars/groups/{groupId}",
        _GW,
        version=_C,
        output=bool,
        summary="Delete a calendar group",
        example={"groupId": s.CALENDAR_GROUP},
    ),
    declare(
        "blocked_slots.list",
        "GET",
        "/calendars/blocked-slots",
        _ER,
        version=_C,
        input=WindowQuery,
        output=list[BlockedSlot],
        unwrap="events",
        location=True,
        summary="List blocked time between two instants (epoch ms)",
        example={**_WINDOW, "calendarId": s.CALENDAR},
    ),
    declare(
        "blocked_slots.create",
        "POST",
        "/calendars/events/block-slots",
        _EW,
        idem=False,
        version=_C,
        input=BlockedSlotInput,
        output=BlockedSlot,
        location=True,
        summary="Block time on a calendar",
        example={
            "calendarId": s.CALENDAR,
            "title": "Training",
            "startTime": "2026-03-03T13:00:00Z",
            "endTime": "2026-03-03T14:00:00Z",
        },
    ),
    declare(
        "blocked_slots.update",
        "PUT",
        "/calendars/events/block-slots/{eventId}",
        _EW,
        version=_C,
        input=BlockedSlotInput,
        output=BlockedSlot,
        location=True,
        summary="Move or rename blocked time",
        example={"eventId": s.BLOCKED_SLOT, "calendarId": s.CALENDAR, "title": "Lunch"},
    ),
    declare(
        "appointment_notes.list",
        "GET",
        "/calendars/appointments/{appointmentId}/notes",
        _ER,
        version=_C,
        input=NotesPage,
        output=NotesAnswer,
        summary="List an appointment's notes",
        example={**_APPT, "limit": 10, "offset": 0},
    ),
    declare(
        "appointment_notes.create",
        "POST",
        "/calendars/appointments/{appointmentId}/notes",
        _EW,
        idem=False,
        input=NoteBody,
        **_NOTE,
        summary="Add a note to an appointment",
        example={**_APPT, "body": "Patient asked for a morning slot next time."},
    ),
    declare(
        "appointment_notes.update",
        "PUT",
        "/calendars/appointments/{appointmentId}/notes/{noteId}",
        _EW,
        input=NoteBody,
        **_NOTE,
        summary="Change an appointment note",
        example={**_APPT, "noteId": s.APPOINTMENT_NOTE, "body": "Bring the X-rays."},
    ),
    declare(
        "appointment_notes.delete",
        "DELETE",
        "/calendars/appointments/{appointmentId}/notes/{noteId}",
        _EW,
        version=_C,
        output=bool,
        summary="Delete an appointment note",
        example={**_APPT, "noteId": s.APPOINTMENT_NOTE},
    ),
)
