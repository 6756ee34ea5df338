"""The source side of an import, read page by page from a cursor, oldest change first, up to
the moment the import started (later changes are real-time sync's, and the next catch-up's).

GHL contacts: ``POST /contacts/search`` sorted by ``dateUpdated`` with ``searchAfter`` (no
10,000-record window), ``locationId`` and ``pageLimit`` on every page. TT answers its lists
whole (it ignores ``page`` there), so a TT list is cut at the cursor, (updated_at, id) of the
last record done, and what follows the page comes with it (``Page.ahead``) for the next pages.

GHL tasks: the location's task search (one call per page of every contact's tasks, instead of
one per contact), by ``skip``. GHL notes have no such search: a page is a page of contacts
(as above) with each contact's notes. GHL appointments: calendar events by start time, one
calendar and one window of time per page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ghltt.connectors.http import ScopeError
from ghltt.connectors.trackingtime import parse_datetime
from ghltt.engine.catalog import call_action, tt_record
from ghltt.engine.catalog.records import ghl_record
from ghltt.engine.context import BridgeContext
from ghltt.engine.imports.model import Filters


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    # The position after the page's last record (None: the page is empty); the next page, or
    # a later read of what changed since, starts there.
    cursor: Any
    # Whether the read holds more records after this page.
    more: bool
    # How many records the whole read holds, when the source says.
    total: int | None = None
    # What the source could not give (TT's list cap).
    warning: str | None = None
    # The records the read returned past this page, each with the cursor after it (TT
    # answers its lists whole): the pages after this one, while they are fresh.
    ahead: tuple[tuple[Any, dict[str, Any]], ...] = ()

    def following(self, size: int) -> Page:
        """The page after this one, from what was read ahead."""
        taken, rest = self.ahead[:size], self.ahead[size:]
        cursor = taken[-1][0] if taken else self.cursor
        return Page([r for _, r in taken], cursor, bool(rest), self.total, self.warning, rest)


class Unsupported(ValueError):
    """No import source for this object type yet."""


TT_LIST_CAP = 1000
# GHL documents no most per page of its location task search: ask for no more than this.
TASK_SEARCH_PAGE = 100
Reader = Callable[[BridgeContext, Any, Filters, datetime, int], Awaitable[Page]]


def _iso_ms(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def ghl_contacts(
    ctx: BridgeContext, cursor: Any, filters: Filters, until: datetime, size: int
) -> Page:
    return await _contacts_page(ctx, cursor, filters, until, size, since=filters.since)


async def _contacts_page(
    ctx: BridgeContext,
    cursor: Any,
    filters: Filters,
    until: datetime,
    size: int,
    *,
    since: datetime | None,
    order: str = "dateUpdated",
) -> Page:
    """Contacts ``order``ed (``dateUpdated``; ``dateAdded``: an order edits do not change)
    within (since, until] of that date."""
    window: dict[str, str] = {"lte": _iso_ms(until)}
    if since is not None:
        window["gt"] = _iso_ms(since)
    conditions: list[dict[str, Any]] = [{"field": order, "operator": "range", "value": window}]
    if filters.tags:
        conditions.append({"field": "tags", "operator": "eq", "value": list(filters.tags)})
    body: dict[str, Any] = {
        "locationId": ctx.ghl.location_id,
        "pageLimit": size,
        "filters": conditions,
        "sort": [{"field": order, "direction": "asc"}],
    }
    if filters.query:
        body["query"] = filters.query
    if cursor:
        body["searchAfter"] = list(cursor)
    found = await ctx.ghl.contacts.search_page(body)
    records = [ghl_record(c) for c in found.contacts]
    last = records[-1].get("searchAfter") if records else None
    more = len(records) >= size and bool(last)
    return Page(records, list(last) if last else None, more, found.total)


def _tt_reader(name: str, object_type: str, *, paged: bool = False) -> Reader:
    """``paged``: the list is read through TT's pages (tasks), all states at once, no cap."""

    async def read(
        ctx: BridgeContext, cursor: Any, filters: Filters, until: datetime, size: int
    ) -> Page:
        resource = getattr(ctx.tt, name)
        listed: list[dict[str, Any]] = []
        capped = False
        if paged:
            found = await resource.list(filter="ALL", include_custom_fields=True)
            listed = [tt_record(r, object_type) for r in found]
        # TT answers at most 1,000 records per list: active and archived ones are read apart
        # so that twice as many are reached; a list at the cap says records may be missing.
        for state in () if paged else ("ACTIVE", "ARCHIVED"):
            found = await resource.list(filter=state, include_custom_fields=True)
            capped = capped or len(found) >= TT_LIST_CAP
            listed += [tt_record(r, object_type) for r in found]

        def order(record: dict[str, Any]) -> tuple[float, int]:
            raw = record.get("updated_at") or record.get("created_at")
            moment = parse_datetime(raw, ctx.tt_timezone).timestamp() if raw else 0.0
            return moment, int(record["id"])

        since = filters.since.timestamp() if filters.since else None
        needle = (filters.query or "").strip().casefold()
        # TT's times have one-second resolution: what changed in the second the read stops at
        # may be the import's own write-backs, read again in the tail (not counted twice).
        last_second = int(until.timestamp())
        wanted = [
            (order(r), r)
            for r in listed
            if order(r)[0] < last_second
            and (since is None or order(r)[0] > since)
            and (not needle or needle in _text(r))
        ]
        wanted.sort(key=lambda pair: pair[0])
        after = tuple(cursor) if cursor else None
        rest = [(k, r) for k, r in wanted if after is None or k > after]
        page = rest[:size]
        more = len(rest) > size
        last = list(page[-1][0]) if page else None
        warning = (
            f"TT answered {TT_LIST_CAP} {name} (its most per list): records beyond are not read"
            if capped
            else None
        )
        ahead = tuple((list(k), r) for k, r in rest[size:])
        return Page([r for _, r in page], last, more, len(wanted), warning, ahead)

    return read


def _text(record: dict[str, Any]) -> str:
    return " ".join(str(record.get(k) or "") for k in ("name", "contact_email")).casefold()


async def ghl_tasks(
    ctx: BridgeContext, cursor: Any, filters: Filters, until: datetime, size: int
) -> Page:
    """The location's task search by ``skip``: one call per page of every contact's tasks.
    It needs ``locations/tasks.readonly``, which no template's actions need: without it, a page
    is a page of contacts with each one's tasks (one call per contact). The cursor keeps the
    way the import began. GHL gives its tasks no date to filter or order by: ``since`` cannot
    narrow them (a record read again costs a comparison)."""
    if not (isinstance(cursor, dict) and "contacts" in cursor):
        skip = int(cursor.get("skip", 0)) if isinstance(cursor, dict) else 0
        query: dict[str, Any] = {"limit": min(size, TASK_SEARCH_PAGE), "skip": skip}
        if filters.query:
            query["query"] = filters.query
        try:
            found = await call_action(ctx, "ghl.location_tasks.search", query)
        except ScopeError:
            if skip:
                raise  # the scope was taken away mid-import: say so, do not start over
            cursor = {"contacts": None}
        else:
            records = [dict(t) for t in found or ()]
            # Until an empty page: GHL documents no most per page, and may answer fewer.
            return Page(records, {"skip": skip + len(records)}, bool(records))
    return await _per_contact(ctx, cursor["contacts"], filters, until, size, "tasks")


async def _per_contact(
    ctx: BridgeContext, after: Any, filters: Filters, until: datetime, size: int, kind: str
) -> Page:
    """A page of the location's contacts with each one's ``kind`` (tasks, notes) added before
    ``until`` and after ``since``, one call per contact. Contacts are read in the order they
    were added (all of them: adding a task or a note does not change a contact's dates, and an
    edit of a contact must not move it past the cursor); those added during the import are in
    its tail."""
    contacts = await _contacts_page(
        ctx, after, Filters(), until, size, since=None, order="dateAdded"
    )
    listing = ctx.ghl.tasks if kind == "tasks" else ctx.ghl.notes
    records: list[dict[str, Any]] = []
    for contact in contacts.records:
        for item in await listing.list_for(str(contact["id"])):
            record = {**ghl_record(item), "contactId": item.contact_id or contact["id"]}
            added = _ghl_moment(record.get("dateAdded"))
            if added is not None and (
                added > until or (filters.since is not None and added <= _aware(filters.since))
            ):
                continue
            text = f"{record.get('title') or ''} {record.get('body') or ''}".casefold()
            if filters.query and filters.query.casefold() not in text:
                continue
            records.append(record)
    return Page(records, {"contacts": contacts.cursor}, contacts.more)


async def ghl_notes(
    ctx: BridgeContext, cursor: Any, filters: Filters, until: datetime, size: int
) -> Page:
    """GHL has no search of notes: a page of contacts with each one's notes."""
    after = cursor.get("contacts") if isinstance(cursor, dict) else None
    return await _per_contact(ctx, after, filters, until, size, "notes")


# Appointments: windows of calendar events by start time, from ``since`` (else this far back)
# to this far after the import's start (bookings are made for what is to come; appointments
# skip those that have not taken place).
APPOINTMENT_HISTORY = timedelta(days=730)
APPOINTMENT_AHEAD = timedelta(days=366)
APPOINTMENT_WINDOW = timedelta(days=31)


async def ghl_appointments(
    ctx: BridgeContext, cursor: Any, filters: Filters, until: datetime, size: int
) -> Page:
    """One calendar's events starting in one window of time: the cursor is [calendar number,
    window start]. ``since`` bounds the start time (what a catch-up looks for started after
    the last import began, or is still to come). GHL lists events by calendar, user or group:
    by calendar, so that each is read once."""
    calendars = sorted(str(c["id"]) for c in await call_action(ctx, "ghl.calendars.list", {}))
    # Since a day before ``since``: one under way then had not ended, and was not imported.
    first = (
        _aware(filters.since) - timedelta(days=1) if filters.since else until - APPOINTMENT_HISTORY
    )
    until = until + APPOINTMENT_AHEAD
    number, start = (int(cursor[0]), datetime.fromisoformat(cursor[1])) if cursor else (0, first)
    if number >= len(calendars):
        return Page([], cursor, False)
    end = min(start + APPOINTMENT_WINDOW, until)
    found = await ctx.ghl.appointments.list_events(
        start=start, end=end, calendar_id=calendars[number]
    )
    last = end >= until
    # GHL's window includes both ends: one starting at ``end`` is the next window's.
    records = [
        r
        for r in (ghl_record(a) for a in found)
        if _starts_before(r, end, inclusive=last)
        and (not filters.query or _found_in(filters.query, r))
    ]
    if last:
        number, end = number + 1, first
    more = number < len(calendars)
    return Page(records, [number, end.isoformat()], more)


def _starts_before(record: dict[str, Any], end: datetime, *, inclusive: bool) -> bool:
    start = _ghl_moment(record.get("startTime"))
    if start is None:
        return True
    return start <= end if inclusive else start < end


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _found_in(query: str, record: dict[str, Any]) -> bool:
    text = " ".join(str(record.get(k) or "") for k in ("title", "notes", "address"))
    return query.casefold() in text.casefold()


def _ghl_moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _aware(moment)


READERS: dict[str, Reader] = {
    "ghl.contact": ghl_contacts,
    "ghl.task": ghl_tasks,
    "ghl.note": ghl_notes,
    "ghl.appointment": ghl_appointments,
    "tt.customer": _tt_reader("customers", "customer"),
    "tt.task": _tt_reader("tasks", "task", paged=True),
}


def reader(object_type: str) -> Reader:
    found = READERS.get(object_type)
    if found is None:
        known = ", ".join(sorted(READERS))
        raise Unsupported(f"imports read {known}; {object_type} is not supported yet")
    return found
