"""Contacts: CRUD, upsert, search, the deprecated list, duplicates, by business, appointments."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.routing import Route

from ghltt.sandbox.ghl import contacts_ops, search, validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError, unprocessable
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import epoch_ms, parse_iso

READ, WRITE = "contacts.readonly", "contacts.write"


def _dto(ctx: Ctx, fields: dict[str, str], required: tuple[str, ...] = ()) -> Record:
    if ctx.body is not None and not isinstance(ctx.body, dict):
        raise unprocessable(["body must be an object"])
    data = validation.check(ctx.body, fields, required)
    contacts_ops.validate_extras(data)
    return data


@api(WRITE)
def create_contact(ctx: Ctx) -> Result:
    if isinstance(ctx.body, dict) and isinstance(ctx.body.get("locationId"), str):
        ctx.location(ctx.body["locationId"])
    data = _dto(ctx, contacts_ops.CREATE_FIELDS, ("locationId",))
    location = ctx.location(data["locationId"])
    if not location.settings.allow_duplicate_contact:
        dup = contacts_ops.find_duplicate(ctx.sim, location, data.get("email"), data.get("phone"))
        if dup is not None:
            raise contacts_ops.duplicate_error(*dup)
    record = contacts_ops.create(ctx.sim, location, ctx.token, data)
    return 201, {"contact": views.created_contact(record)}


@api(READ)
def get_contact(ctx: Ctx) -> Result:
    record = ctx.contact(ctx.params["contactId"])
    return 200, {"contact": views.contact(record), "traceId": ctx.trace_id}


@api(WRITE)
def update_contact(ctx: Ctx) -> Result:
    record = ctx.contact(ctx.params["contactId"])
    data = _dto(ctx, contacts_ops.UPDATE_FIELDS)
    location = ctx.sim.state.locations[record["locationId"]]
    if not location.settings.allow_duplicate_contact and ("email" in data or "phone" in data):
        dup = contacts_ops.find_duplicate(
            ctx.sim, location, data.get("email"), data.get("phone"), exclude=record["id"]
        )
        if dup is not None:
            raise contacts_ops.duplicate_error(*dup)
    contacts_ops.update(ctx.sim, record, data)
    return 200, {"succeded": True, "contact": views.contact(record)}


@api(WRITE)
def delete_contact(ctx: Ctx) -> Result:
    record = ctx.contact(ctx.params["contactId"])
    contacts_ops.delete(ctx.sim, record)
    return 200, {"succeded": True}


@api(WRITE)
def upsert_contact(ctx: Ctx) -> Result:
    if isinstance(ctx.body, dict) and isinstance(ctx.body.get("locationId"), str):
        ctx.location(ctx.body["locationId"])
    data = _dto(ctx, contacts_ops.UPSERT_FIELDS, ("locationId",))
    location = ctx.location(data["locationId"])
    allow = location.settings.allow_duplicate_contact
    if data.get("createNewIfDuplicateAllowed") and allow:
        record = contacts_ops.create(ctx.sim, location, ctx.token, data)
        return 200, {"new": True, "contact": views.contact(record), "traceId": ctx.trace_id}
    match = contacts_ops.find_duplicate(ctx.sim, location, data.get("email"), data.get("phone"))
    if match is None:
        record = contacts_ops.create(ctx.sim, location, ctx.token, data)
        return 200, {"new": True, "contact": views.contact(record), "traceId": ctx.trace_id}
    record, field = match
    # With both fields matching different contacts, the first field in the priority order wins
    # and the other field is ignored (spec description of upsert).
    other = "phone" if field == "email" else "email"
    if data.get(other):
        clash = contacts_ops.find_duplicate(
            ctx.sim,
            location,
            data[other] if other == "email" else None,
            data[other] if other == "phone" else None,
            exclude=record["id"],
        )
        if clash is not None:
            data.pop(other)
    contacts_ops.update(ctx.sim, record, data)
    return 200, {"new": False, "contact": views.contact(record), "traceId": ctx.trace_id}


def _int_param(value: str | None, name: str, default: int, *, maximum: int | None = None) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(float(value))
    except ValueError:
        raise unprocessable(
            [f"{name} must be a number conforming to the specified constraints"]
        ) from None
    if number < 0 or (maximum is not None and number > maximum):
        raise unprocessable([f"{name} must not be greater than {maximum}"])
    return number


@api(READ)
def list_contacts(ctx: Ctx) -> Result:
    """The deprecated GET /contacts/ with startAfter/startAfterId paging and ``meta``."""
    q = ctx.query
    location = ctx.location(q.get("locationId"))
    limit = _int_param(q.get("limit"), "limit", 20, maximum=100) or 20
    query = q.get("query", "")
    rows = [c for c in ctx.sim.state.contacts_of(location.id) if search.free_text(c, query)]
    # Newest first; the cursor is (dateAdded epoch ms, id) of the last item of a page.
    rows.sort(key=lambda c: (views.sort_value(c, "dateAdded"), c["id"]), reverse=True)

    def key(c: Record) -> tuple[Any, str]:
        return (views.sort_value(c, "dateAdded"), c["id"])

    start_after, start_after_id = q.get("startAfter"), q.get("startAfterId")
    cursor: tuple[Any, str] | None = None
    if start_after_id:
        found = next((c for c in rows if c["id"] == start_after_id), None)
        cursor = key(found) if found else None
    if start_after:
        try:
            cursor = (int(float(start_after)), start_after_id or "")
        except ValueError:
            raise unprocessable(
                ["startAfter must be a number conforming to the specified constraints"]
            ) from None
    if cursor is not None:
        rows = [c for c in rows if key(c) < cursor]
    total = len([c for c in ctx.sim.state.contacts_of(location.id) if search.free_text(c, query)])
    page = rows[:limit]
    consumed = total - len(rows) + len(page)
    current_page = (consumed - 1) // limit + 1 if page else 1
    meta: dict[str, Any] = {
        "total": total,
        "nextPageUrl": None,
        "startAfterId": None,
        "startAfter": None,
        "currentPage": current_page,
        "nextPage": None,
        "prevPage": current_page - 1 if current_page > 1 else None,
    }
    if page:
        last = page[-1]
        last_ms = views.sort_value(last, "dateAdded")
        meta["startAfterId"], meta["startAfter"] = last["id"], last_ms
        if len(rows) > limit:
            params = {"locationId": location.id, "startAfter": last_ms, "startAfterId": last["id"]}
            if query:
                params["query"] = query
            if q.get("limit"):
                params["limit"] = limit
            meta["nextPageUrl"] = f"{ctx.sim.config.base_url}/contacts/?{urlencode(params)}"
            meta["nextPage"] = current_page + 1
    items = [views.contact_list_item(c) for c in page]
    return 200, {"contacts": items, "count": total, "meta": meta, "traceId": ctx.trace_id}


_SEARCH_FIELDS = {
    "locationId": "str",
    "page": "num",
    "pageLimit": "num",
    "query": "str?",
    "filters": "array",
    "sort": "array",
    "searchAfter": "array",
}


@api(READ)
def search_contacts(ctx: Ctx) -> Result:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if isinstance(body.get("locationId"), str) and body["locationId"]:
        ctx.location(body["locationId"])
    data = validation.check(body, _SEARCH_FIELDS, ("locationId", "pageLimit"))
    location = ctx.location(data["locationId"])
    if not 1 <= data["pageLimit"] <= 500:
        raise unprocessable(
            ["pageLimit must not be greater than 500", "pageLimit must be positive"]
        )
    page_limit = int(data["pageLimit"])
    if "page" in data and "searchAfter" in data:
        raise ApiError(400, "page and searchAfter cannot be used together")
    sort_specs = data.get("sort") or [{"field": "dateAdded", "direction": "desc"}]
    spec = sort_specs[0] if isinstance(sort_specs[0], dict) else {}
    sort_field = spec.get("field", "dateAdded")
    if sort_field not in search.SORT_FIELDS:
        raise ApiError(400, f"Invalid sort field {sort_field}")
    descending = str(spec.get("direction", "desc")).lower() == "desc"
    rows = [
        c
        for c in ctx.sim.state.contacts_of(location.id)
        if search.free_text(c, data.get("query") or "")
        and search.matches(c, data.get("filters") or [])
    ]
    key = search.sort_key(sort_field)
    # Each contact's sort key once: the sort and the cursor compare them.
    keyed = sorted(((key(c), c) for c in rows), key=lambda pair: pair[0], reverse=descending)
    rows = [c for _, c in keyed]
    total = len(rows)
    cursor = data.get("searchAfter")
    if cursor:
        if len(cursor) != 2:
            raise ApiError(400, "searchAfter must hold the sort value and the id")
        mark = (cursor[0], str(cursor[1]))
        try:
            rows = [c for k, c in keyed if (k < mark if descending else k > mark)]
        except TypeError:
            raise ApiError(400, "searchAfter does not match the sort field") from None
        page = rows[:page_limit]
    else:
        page_number = data.get("page", 1)
        if not 1 <= page_number <= 10_000:
            raise unprocessable(["page must not be less than 1"])
        number = int(page_number)
        if number * page_limit > 10_000:
            raise ApiError(400, "Page window is too large, use searchAfter for deep paging")
        page = rows[(number - 1) * page_limit : number * page_limit]
    items = [views.contact_search_item(c, sort_field) for c in page]
    return 200, {"contacts": items, "total": total, "traceId": ctx.trace_id}


@api(READ)
def duplicate_contact(ctx: Ctx) -> Result:
    q = ctx.query
    location = ctx.location(q.get("locationId"))
    match = contacts_ops.find_duplicate(ctx.sim, location, q.get("email"), q.get("number"))
    return 200, {"contact": views.contact(match[0]) if match else None, "traceId": ctx.trace_id}


@api(READ)
def contacts_by_business(ctx: Ctx) -> Result:
    q = ctx.query
    location = ctx.location(q.get("locationId"))
    limit = _int_param(q.get("limit"), "limit", 25)
    skip = _int_param(q.get("skip"), "skip", 0)
    business_id = ctx.params["businessId"]
    rows = [
        c
        for c in ctx.sim.state.contacts_of(location.id)
        if c.get("businessId") == business_id and search.free_text(c, q.get("query", ""))
    ]
    rows.sort(key=lambda c: (views.sort_value(c, "dateAdded"), c["id"]), reverse=True)
    page = rows[skip : skip + limit]
    return 200, {"contacts": [views.contact_list_item(c) for c in page], "count": len(rows)}


def _start_ms(value: Any) -> int:
    parsed = parse_iso(value) if isinstance(value, str) else None
    return epoch_ms(parsed) if parsed else 0


@api(READ)
def contact_appointments(ctx: Ctx) -> Result:
    record = ctx.contact(ctx.params["contactId"])
    events = [
        views.contact_appointment(a)
        for a in ctx.sim.state.appointments.values()
        if a["contactId"] == record["id"]
    ]
    events.sort(key=lambda e: _start_ms(e.get("startTime")))
    return 200, {"events": events}


routes = [
    Route("/contacts/search", search_contacts, methods=["POST"]),
    Route("/contacts/search/duplicate", duplicate_contact, methods=["GET"]),
    Route("/contacts/upsert", upsert_contact, methods=["POST"]),
    Route("/contacts/business/{businessId}", contacts_by_business, methods=["GET"]),
    Route("/contacts/", list_contacts, methods=["GET"]),
    Route("/contacts", list_contacts, methods=["GET"]),
    Route("/contacts/", create_contact, methods=["POST"]),
    Route("/contacts", create_contact, methods=["POST"]),
    Route("/contacts/{contactId}/appointments", contact_appointments, methods=["GET"]),
    Route("/contacts/{contactId}", get_contact, methods=["GET"]),
    Route("/contacts/{contactId}", update_contact, methods=["PUT"]),
    Route("/contacts/{contactId}", delete_contact, methods=["DELETE"]),
]
