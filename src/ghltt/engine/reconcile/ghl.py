"""GHL streams: contacts by ``dateUpdated``, their tasks and notes, calendar appointments.

Contacts are searched newest-change first with a ``dateUpdated`` floor, so a poll costs one
page per ``page_limit`` changed contacts, never a walk of the whole location. Tasks and notes
have no change time in GHL's API; they are read for the contacts found changed, and compared
with the versions the previous read of that contact stored in the cursor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ghltt.connectors.ghl import Appointment, Contact, GhlClient, Note, Task
from ghltt.connectors.http import NotFound, ValidationError
from ghltt.connectors.trackingtime.changes import WindowCursor, WindowTracker
from ghltt.core import Event
from ghltt.engine.reconcile.events import as_utc, ghl_event, record_hash
from ghltt.engine.reconcile.model import LinkedIds, PollContext, StreamResult

__all__ = [
    "CONTACT_IDS",
    "ContactFindings",
    "poll_activities",
    "poll_appointments",
    "poll_contacts",
    "scan_contact_ids",
]

CONTACTS, TASKS, NOTES, APPOINTMENTS = (
    "ghl.contacts",
    "ghl.tasks",
    "ghl.notes",
    "ghl.appointments",
)
# The id scan of linked contacts: a cursor of the contacts stream, not a stream of its own.
CONTACT_IDS = "ghl.contacts.ids"


def _ms(stamp: datetime | None) -> str:
    return str(int(stamp.timestamp() * 1000)) if stamp else "-"


def _json(record: Contact | Task | Note | Appointment) -> dict[str, Any]:
    return record.model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude={"search_after"}
    )


def _window(
    key: Callable[[Any], str], stamp: Callable[[Any], datetime | None], overlap: timedelta
) -> WindowTracker[Any]:
    return WindowTracker(
        key=key, updated_at=stamp, version=lambda r: _ms(stamp(r)), overlap=overlap
    )


def _start(stored: dict[str, Any] | None, ctx: PollContext) -> WindowCursor:
    """The stored cursor; on a first run, "now" (or nothing at all, to backfill)."""
    if stored is not None:
        return WindowCursor.from_json(stored)
    return WindowCursor() if ctx.backfill else WindowCursor(high_water=ctx.now)


def _is_new(added: datetime | None, updated: datetime | None, previous: datetime | None) -> bool:
    if added is None:
        return False
    return added == updated or (previous is not None and added > previous)


@dataclass(frozen=True, slots=True)
class ContactFindings:
    """The contacts stream's result, plus what tasks and notes need from it."""

    result: StreamResult
    changed: list[Contact]
    new_ids: frozenset[str]


def _contact_updated(contact: Contact) -> datetime | None:
    return as_utc(contact.date_updated) or as_utc(contact.date_added)


async def _contacts_since(ghl: GhlClient, floor: datetime | None, page_limit: int) -> list[Contact]:
    filters = []
    if floor is not None:
        stamp = floor.isoformat().replace("+00:00", "Z")
        filters = [{"field": "dateUpdated", "operator": "range", "value": {"gte": stamp}}]
    found: list[Contact] = []
    sort = [{"field": "dateUpdated", "direction": "desc"}]
    async for contact in ghl.contacts.search(filters=filters, sort=sort, page_limit=page_limit):
        updated = _contact_updated(contact)
        if floor is not None and updated is not None and updated < floor:
            break  # sorted newest first: everything after this is older than the cursor
        found.append(contact)
    return found


async def poll_contacts(
    ghl: GhlClient, ctx: PollContext, stored: dict[str, Any] | None
) -> ContactFindings:
    tracker = _window(lambda c: c.id, _contact_updated, ctx.overlap_for(CONTACTS))
    cursor = _start(stored, ctx)
    floor = tracker.since(cursor)
    if stored is None and ctx.backfill:
        floor = ctx.now - timedelta(days=ctx.settings.backfill_days)
    found = await _contacts_since(ghl, floor, ctx.settings.page_limit)
    changes = tracker.diff(found, cursor)
    previous = cursor.high_water if stored is not None else None
    changed: list[Contact] = changes.updated if ctx.emits(stored) else []
    events: list[Event] = []
    new_ids: set[str] = set()
    for contact in changed:
        updated = _contact_updated(contact)
        created = _is_new(as_utc(contact.date_added), updated, previous)
        if created:
            new_ids.add(contact.id)
        events.append(
            ghl_event(
                ctx.bridge,
                stream=CONTACTS,
                webhook_type="ContactCreate" if created else "ContactUpdate",
                object_id=contact.id,
                version=_ms(updated),
                occurred_at=updated or ctx.now,
                location_id=ghl.location_id,
                record=_json(contact),
            )
        )
    result = StreamResult(
        stream=CONTACTS,
        events=events,
        cursor=changes.cursor.to_json(),
        read=len(found),
        first_run=stored is None,
    )
    return ContactFindings(result=result, changed=changed, new_ids=frozenset(new_ids))


# ---- deletes of linked contacts -------------------------------------------------------------


async def _existing(ghl: GhlClient, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` GHL still has: one search, an OR of ``id`` equalities."""
    wanted = [{"field": "id", "operator": "eq", "value": i} for i in ids]
    page = await ghl.contacts.search_page(
        {"pageLimit": len(ids), "filters": [{"group": "OR", "filters": wanted}]}
    )
    return {contact.id for contact in page.contacts}


async def scan_contact_ids(
    ghl: GhlClient, ctx: PollContext, stored: dict[str, Any] | None, linked: LinkedIds
) -> StreamResult:
    """A search does not return deleted contacts, so a dropped ``ContactDelete`` is seen here.

    Each poll checks the next linked contacts, ``id_scan_batch`` per call and at most
    ``id_scan_calls`` calls, from where the last poll stopped; past the last it starts over.
    A linked contact GHL no longer has becomes a ``contact.deleted`` event, as its webhook.
    """
    after: str | None = (stored or {}).get("after")
    batch = ctx.settings.id_scan_batch
    events: list[Event] = []
    checked = 0
    for _ in range(ctx.settings.id_scan_calls):
        ids = await linked(after, batch)
        if not ids:
            after = None
            break
        present = await _existing(ghl, ids)
        checked += len(ids)
        for gone in (i for i in ids if i not in present):
            events.append(
                ghl_event(
                    ctx.bridge,
                    stream=CONTACT_IDS,
                    webhook_type="ContactDelete",
                    object_id=gone,
                    version="deleted",
                    occurred_at=ctx.now,
                    location_id=ghl.location_id,
                    record={"id": gone},
                )
            )
        after = ids[-1] if len(ids) == batch else None
        if after is None:
            break  # the whole list is checked: the next poll starts over
    return StreamResult(
        stream=CONTACT_IDS,
        events=events,
        cursor={"after": after},
        read=checked,
        first_run=stored is None,
    )


# ---- tasks and notes of changed contacts -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Activity:
    stream: str
    create: str
    update: str
    delete: str
    list_for: Callable[[GhlClient, str], Awaitable[Sequence[Task | Note]]]


def _task_version(item: Task | Note) -> str:
    # The completed flag leads, so a task whose flag went from 0 to 1 is a TaskComplete.
    done = "1" if getattr(item, "completed", False) else "0"
    return done + record_hash(_json(item))


def _note_version(item: Task | Note) -> str:
    return record_hash(_json(item))


_ACTIVITIES = {
    TASKS: _Activity(
        TASKS, "TaskCreate", "TaskUpdate", "TaskDelete", lambda g, c: g.tasks.list_for(c)
    ),
    NOTES: _Activity(
        NOTES, "NoteCreate", "NoteUpdate", "NoteDelete", lambda g, c: g.notes.list_for(c)
    ),
}


def _occurred(item: Task | Note, created: bool, ctx: PollContext) -> datetime:
    added = as_utc(getattr(item, "date_added", None))
    return added if created and added is not None else ctx.now


async def poll_activities(
    ghl: GhlClient,
    ctx: PollContext,
    stream: str,
    stored: dict[str, Any] | None,
    contacts: ContactFindings,
) -> StreamResult:
    """Tasks or notes of the changed contacts, against the versions stored per contact.

    A contact read for the first time gives a baseline, not events, unless the contact itself
    is new: its older items were never announced by a poll and may not be new at all.
    """
    spec = _ACTIVITIES[stream]
    version = _task_version if stream == TASKS else _note_version
    known: dict[str, dict[str, str]] = dict((stored or {}).get("contacts") or {})
    events: list[Event] = []
    read = 0
    for contact in contacts.changed:
        try:
            items = await spec.list_for(ghl, contact.id)
        except (NotFound, ValidationError):
            continue  # deleted since the search: its delete is not ours to see here
        read += len(items)
        now_versions = {item.id: version(item) for item in items}
        before = known.get(contact.id)
        known[contact.id] = now_versions
        if before is None and contact.id not in contacts.new_ids and not ctx.backfill:
            continue
        events.extend(_activity_events(ghl, ctx, spec, items, before or {}, now_versions))
        for gone in sorted(set(before or {}) - set(now_versions)):
            record = {"id": gone, "contactId": contact.id}
            events.append(_ghl(ghl, ctx, spec, spec.delete, gone, "deleted", ctx.now, record))
    return StreamResult(
        stream=stream,
        events=events,
        cursor={"contacts": known},
        read=read,
        first_run=stored is None,
    )


def _activity_events(
    ghl: GhlClient,
    ctx: PollContext,
    spec: _Activity,
    items: Sequence[Task | Note],
    before: dict[str, str],
    after: dict[str, str],
) -> list[Event]:
    events = []
    for item in items:
        old, new = before.get(item.id), after[item.id]
        if old == new:
            continue
        kind = spec.create if old is None else spec.update
        if spec.stream == TASKS and old is not None and old[0] == "0" and new[0] == "1":
            kind = "TaskComplete"
        when = _occurred(item, old is None, ctx)
        events.append(_ghl(ghl, ctx, spec, kind, item.id, new, when, _json(item)))
    return events


def _ghl(
    ghl: GhlClient,
    ctx: PollContext,
    spec: _Activity,
    webhook_type: str,
    object_id: str,
    version: str,
    when: datetime,
    record: dict[str, Any],
) -> Event:
    return ghl_event(
        ctx.bridge,
        stream=spec.stream,
        webhook_type=webhook_type,
        object_id=object_id,
        version=version,
        occurred_at=when,
        location_id=ghl.location_id,
        record=record,
    )


# ---- appointments ----------------------------------------------------------------------------


def _appointment_updated(item: Appointment) -> datetime | None:
    return as_utc(item.date_updated) or as_utc(item.date_added)


async def _appointments_in_window(ghl: GhlClient, ctx: PollContext) -> list[Appointment]:
    """GHL lists calendar events by start time, per calendar (or per user when none is set)."""
    settings = ctx.settings
    start = ctx.now - timedelta(days=settings.appointment_lookback_days)
    end = ctx.now + timedelta(days=settings.appointment_lookahead_days)
    found: dict[str, Appointment] = {}
    if settings.calendar_ids:
        for calendar_id in settings.calendar_ids:
            for item in await ghl.appointments.list_events(
                start=start, end=end, calendar_id=calendar_id
            ):
                found.setdefault(item.id, item)
        return list(found.values())
    for user in await ghl.users.list_for_location():
        for item in await ghl.appointments.list_events(start=start, end=end, user_id=user.id):
            found.setdefault(item.id, item)
    return list(found.values())


async def poll_appointments(
    ghl: GhlClient, ctx: PollContext, stored: dict[str, Any] | None
) -> StreamResult:
    tracker = _window(lambda a: a.id, _appointment_updated, ctx.overlap_for(APPOINTMENTS))
    cursor = _start(stored, ctx)
    found = await _appointments_in_window(ghl, ctx)
    changes = tracker.diff(found, cursor)
    previous = cursor.high_water if stored is not None else None
    events = []
    for item in changes.updated if ctx.emits(stored) else []:
        updated = _appointment_updated(item)
        created = _is_new(as_utc(item.date_added), updated, previous)
        events.append(
            ghl_event(
                ctx.bridge,
                stream=APPOINTMENTS,
                webhook_type="AppointmentCreate" if created else "AppointmentUpdate",
                object_id=item.id,
                version=_ms(updated),
                occurred_at=updated or ctx.now,
                location_id=ghl.location_id,
                record={"appointment": _json(item)},
            )
        )
    return StreamResult(
        stream=APPOINTMENTS,
        events=events,
        cursor=changes.cursor.to_json(),
        read=len(found),
        first_run=stored is None,
    )
