"""The source side of an import, read page by page from a cursor, oldest change first, up to
the moment the import started (later changes are real-time sync's, and the next catch-up's).

GHL contacts: ``POST /contacts/search`` sorted by ``dateUpdated`` with ``searchAfter`` (no
10,000-record window), ``locationId`` and ``pageLimit`` on every page. TT answers its lists
whole (it ignores ``page`` there), so a TT list is read once per page asked and cut at the
cursor: (updated_at, id) of the last record done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ghltt.connectors.trackingtime import parse_datetime
from ghltt.engine.catalog import tt_record
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


class Unsupported(ValueError):
    """No import source for this object type yet."""


TT_LIST_CAP = 1000
Reader = Callable[[BridgeContext, Any, Filters, datetime, int], Awaitable[Page]]


def _iso_ms(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def ghl_contacts(
    ctx: BridgeContext, cursor: Any, filters: Filters, until: datetime, size: int
) -> Page:
    window: dict[str, str] = {"lte": _iso_ms(until)}
    if filters.since is not None:
        window["gt"] = _iso_ms(filters.since)
    conditions: list[dict[str, Any]] = [
        {"field": "dateUpdated", "operator": "range", "value": window}
    ]
    if filters.tags:
        conditions.append({"field": "tags", "operator": "eq", "value": list(filters.tags)})
    body: dict[str, Any] = {
        "locationId": ctx.ghl.location_id,
        "pageLimit": size,
        "filters": conditions,
        "sort": [{"field": "dateUpdated", "direction": "asc"}],
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


def _tt_reader(name: str, object_type: str) -> Reader:
    async def read(
        ctx: BridgeContext, cursor: Any, filters: Filters, until: datetime, size: int
    ) -> Page:
        resource = getattr(ctx.tt, name)
        # TT answers at most 1,000 records per list: active and archived ones are read apart
        # so that twice as many are reached; a list at the cap says records may be missing.
        listed: list[dict[str, Any]] = []
        capped = False
        for state in ("ACTIVE", "ARCHIVED"):
            found = await resource.list(filter=state, include_custom_fields=True)
            capped = capped or len(found) >= TT_LIST_CAP
            listed += [tt_record(r, object_type) for r in found]

        def order(record: dict[str, Any]) -> tuple[float, int]:
            raw = record.get("updated_at") or record.get("created_at")
            moment = parse_datetime(raw, ctx.tt_timezone).timestamp() if raw else 0.0
            return moment, int(record["id"])

        since = filters.since.timestamp() if filters.since else None
        needle = (filters.query or "").strip().casefold()
        wanted = [
            (order(r), r)
            for r in listed
            if order(r)[0] <= until.timestamp()
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
        return Page([r for _, r in page], last, more, len(wanted), warning)

    return read


def _text(record: dict[str, Any]) -> str:
    return " ".join(str(record.get(k) or "") for k in ("name", "contact_email")).casefold()


READERS: dict[str, Reader] = {
    "ghl.contact": ghl_contacts,
    "tt.customer": _tt_reader("customers", "customer"),
}


def reader(object_type: str) -> Reader:
    found = READERS.get(object_type)
    if found is None:
        known = ", ".join(sorted(READERS))
        raise Unsupported(f"imports read {known}; {object_type} is not supported yet")
    return found
