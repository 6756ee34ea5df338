"""Time entries (TT calls them events) and their tags."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from ghltt.connectors.trackingtime._resource import Resource, third_party_fields
from ghltt.connectors.trackingtime.catalog import operation
from ghltt.connectors.trackingtime.changes import (
    DEFAULT_OVERLAP,
    Changes,
    WindowCursor,
    WindowTracker,
    content_hash,
)
from ghltt.connectors.trackingtime.models import EventTag, TimeEntry
from ghltt.connectors.trackingtime.pagination import DEFAULT_MAX_PAGES, paginate
from ghltt.connectors.trackingtime.timefmt import (
    format_date,
    format_offset,
    parse_timezone,
    to_tt,
)

__all__ = ["EventTags", "Events", "span"]


def span(start: datetime, end: datetime | None, zone: str | tzinfo | None) -> dict[str, Any]:
    """``start``, ``end``, ``duration`` and ``timezone`` for a write, from aware datetimes.

    TT takes one ``timezone`` for both ends, so both are written at the offset that held at the
    start: an entry that crosses a clock change still names the right instants.
    """
    if start.tzinfo is None or (end is not None and end.tzinfo is None):
        raise ValueError("time entries need aware datetimes")
    local = start.astimezone(parse_timezone(zone)) if zone is not None else start
    offset = local.utcoffset()
    assert offset is not None  # aware
    fixed = timezone(offset)
    fields: dict[str, Any] = {
        "start": start.astimezone(fixed).strftime("%Y-%m-%d %H:%M:%S"),
        "timezone": format_offset(offset),
    }
    if end is not None:
        if end < start:
            raise ValueError("a time entry cannot end before it starts")
        fields["end"] = end.astimezone(fixed).strftime("%Y-%m-%d %H:%M:%S")
        fields["duration"] = int((end - start).total_seconds())
    return fields


def _day(value: date | datetime | None, zone: tzinfo) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_date(value, zone)
    return format_date(value)


class Events(Resource):
    def iterate(
        self,
        *,
        filter: str = "COMPANY",
        id: int | None = None,
        from_: date | datetime | None = None,
        to: date | datetime | None = None,
        sort_by: str | None = None,
        order: str | None = None,
        page_size: int = 1000,
        include_custom_fields: bool | None = None,
        **params: Any,
    ) -> AsyncIterator[TimeEntry]:
        """Every time entry matching the filters, page by page.

        ``filter`` is USER, PROJECT, CUSTOMER, TASK (with ``id``) or COMPANY. ``from_``/``to`` are
        days in the account's zone; with ``sort_by="updated_at"`` they bound the update date.
        """
        query = {
            "filter": filter,
            "id": id,
            "from": _day(from_, self._zone),
            "to": _day(to, self._zone),
            "sort_by": sort_by,
            "order": order,
            "include_custom_fields": include_custom_fields,
            **params,
        }

        async def page(number: int, size: int) -> list[TimeEntry]:
            paged = {**query, "page": number, "page_size": size}
            return await self._many(TimeEntry, "events.list", params=paged)

        return paginate(page, page_size=page_size, key=lambda entry: entry.id)

    async def list(self, **kwargs: Any) -> list[TimeEntry]:
        return [entry async for entry in self.iterate(**kwargs)]

    async def get(self, event_id: int, **params: Any) -> TimeEntry:
        return await self._one(TimeEntry, "events.get", ids={"id": event_id}, params=params)

    async def find_by_third_party_id(
        self, field_id: int, value: str, *, around: datetime, page_size: int = 1000
    ) -> int | None:
        """The id of the entry whose custom field ``field_id`` (``EVENT_THIRD_PARTY_ID``)
        holds ``value``, among those starting from the day before ``around`` to the day after.

        ``/events`` lists custom field values beside its entries (``set_custom_fields`` rows
        of ``event_id``, ``custom_field_id``, ``value``), not on them: read from there.
        """
        query = {
            "filter": "COMPANY",
            "from": _day(around - timedelta(days=1), self._zone),
            "to": _day(around + timedelta(days=1), self._zone),
            "include_custom_fields": True,
            "page_size": page_size,
        }
        for number in range(DEFAULT_MAX_PAGES):
            envelope = await self._api.call(
                operation("events.list"), params={**query, "page": number}
            )
            for row in envelope.get("set_custom_fields") or ():
                if row.get("custom_field_id") == field_id and str(row.get("value")) == value:
                    return int(row["event_id"])
            if len(envelope.get("data") or ()) < page_size:
                break
        return None

    async def add(
        self,
        start: datetime,
        end: datetime,
        *,
        zone: str | tzinfo | None = None,
        task_id: int | None = None,
        project_id: int | None = None,
        user_id: int | None = None,
        notes: str | None = None,
        third_party_id: str | None = None,
        third_party_service: str | None = None,
        **fields: Any,
    ) -> TimeEntry:
        """Add a finished time entry; without ``zone`` the start's own zone is used."""
        body = {
            **span(start, end, zone),
            "task_id": task_id,
            "project_id": project_id,
            "user_id": user_id,
            "notes": notes,
            **fields,
        }
        extra = third_party_fields("EVENT", third_party_id, third_party_service)
        if extra:
            body["custom_fields"] = [*body.get("custom_fields", ()), *extra]
        return await self._one(TimeEntry, "events.add", body=body)

    async def update(
        self,
        event_id: int,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        zone: str | tzinfo | None = None,
        **fields: Any,
    ) -> TimeEntry:
        """Change only what is given. TT wants ``end`` on every update, so pass it."""
        body: dict[str, Any] = dict(fields)
        if start is not None:
            body |= span(start, end, zone)
        elif end is not None:
            body["end"], body["timezone"] = to_tt(end, zone)
        return await self._one(TimeEntry, "events.update", ids={"id": event_id}, body=body)

    async def delete(self, event_id: int, *, missing_ok: bool = False) -> None:
        await self._done("events.delete", ids={"id": event_id}, missing_ok=missing_ok)

    async def changes(
        self,
        cursor: WindowCursor | None = None,
        *,
        overlap: timedelta = DEFAULT_OVERLAP,
        first_since: datetime | None = None,
        page_size: int = 1000,
    ) -> Changes[TimeEntry]:
        """Time entries created or changed since ``cursor``, by ``updated_at``.

        The first poll (no cursor) starts at ``first_since`` or one ``overlap`` ago: history is
        the importer's job. Store ``result.cursor.to_json()`` and pass it back next time.
        """
        cursor = cursor or WindowCursor()
        tracker: WindowTracker[TimeEntry] = WindowTracker(
            key=lambda entry: entry.id,
            updated_at=self._updated_at,
            version=lambda entry: content_hash(entry.model_dump(mode="json")),
            overlap=overlap,
        )
        now = self._clock.now()
        since = tracker.since(cursor) or first_since or now - overlap
        entries = self.iterate(
            filter="COMPANY",
            from_=since,
            to=now + timedelta(days=1),
            sort_by="updated_at",
            order="asc",
            page_size=page_size,
        )
        return tracker.diff([entry async for entry in entries], cursor)

    def _updated_at(self, entry: TimeEntry) -> datetime | None:
        # created_at/updated_at are in the account's zone; a never-edited entry may lack uat.
        return entry.timestamp("updated_at", self._zone) or entry.timestamp(
            "created_at", self._zone
        )


class EventTags(Resource):
    """Event tags: legacy per the release notes, still answered per FICUS."""

    async def list(self) -> list[EventTag]:
        return await self._many(EventTag, "event_tags.list")

    async def add(self, name: str, **fields: Any) -> EventTag:
        return await self._one(EventTag, "event_tags.add", body={"name": name, **fields})

    async def update(self, tag_id: int, **fields: Any) -> EventTag:
        return await self._one(EventTag, "event_tags.update", ids={"id": tag_id}, body=fields)

    async def delete(self, tag_id: int, *, missing_ok: bool = False) -> None:
        await self._done("event_tags.delete", ids={"id": tag_id}, missing_ok=missing_ok)

    async def save(self, event_id: int, name: str, **fields: Any) -> Any:
        """Put tag ``name`` on an event (creating the tag definition when it is new)."""
        body = {"name": name, **fields}
        return await self._data("event_tags.save", ids={"id": event_id}, body=body)

    async def remove(self, event_id: int, name: str) -> None:
        await self._data("event_tags.remove", ids={"id": event_id}, params={"name": name})
