"""A location, its custom values and tags, and the search over its tasks (apps/locations.json).
Custom values answer ``{{ custom_values.<key> }}`` as their ``fieldKey``, as the live API does."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from starlette.routing import Route

from ghltt.sandbox.ghl import collections as col
from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Handler, Result, api
from ghltt.sandbox.ghl.errors import forbidden_location
from ghltt.sandbox.ghl.state import Location, Record

LOC_READ = "locations.readonly"
CV_READ, CV_WRITE = "locations/customValues.readonly", "locations/customValues.write"
TAG_READ, TAG_WRITE = "locations/tags.readonly", "locations/tags.write"
TASK_READ = "locations/tasks.readonly"


def _value_view(record: Record) -> Record:
    out = views.public(record)
    key = re.sub(r"[^a-z0-9]+", "_", str(record.get("name", "")).lower()).strip("_")
    out["fieldKey"] = "{{ custom_values." + key + " }}"
    return out


CUSTOM_VALUES = col.Kind(
    "customValues", "customValue", "customValues", {"name": "str", "value": "str"},
    ("name", "value"), location="path", view=_value_view,
)  # fmt: skip
TAGS = col.Kind(
    "locationTags", "tag", "tags", {"name": "str"}, ("name",), id_param="tagId", location="path",
)  # fmt: skip


def _create_value(ctx: Ctx) -> Result:
    return 201, col.create(CUSTOM_VALUES)(ctx)[1]


def _update_put(kind: col.Kind) -> Handler:
    """A PUT that requires the same fields as a create (the spec's DTO is the same)."""
    inner = col.update(kind)

    def handler(ctx: Ctx) -> Result:
        validation.check(ctx.body, kind.fields, kind.required)
        return inner(ctx)

    return handler


@api(LOC_READ)
def get_location(ctx: Ctx) -> Result:
    location = ctx.location(ctx.params.get("locationId"))
    return 200, {"location": {**location.as_dict(), "settings": {}, "social": {}}}


_LOCATION = {
    "name": "str", "companyId": "str", "phone": "str?", "email": "email?", "address": "str?",
    "city": "str?", "state": "str?", "country": "str?", "postalCode": "str?", "website": "str?",
    "timezone": "str?",
}  # fmt: skip


def _location_hook(location: Location, extra: Record) -> Record:
    return {"id": location.id, "companyId": location.company_id, "name": location.name, **extra}


@api("locations.write", company_only=True)
def create_location(ctx: Ctx) -> Result:
    """A new sub-account of the agency (Company tokens only, as live): LocationCreate."""
    data = validation.check(ctx.body, _LOCATION, ("name", "companyId"))
    if data["companyId"] != ctx.token.company_id:
        raise forbidden_location()
    location = Location(ctx.sim.ids.alnum(), data["companyId"], data["name"],
                        data.get("timezone") or "America/New_York")  # fmt: skip
    ctx.sim.state.locations[location.id] = location
    extra = {"email": data.get("email")} if data.get("email") else {}
    ctx.emit("LocationCreate", location.id, _location_hook(location, extra))
    return 200, location.as_dict()


@api("locations.write", agency=True)
def update_location(ctx: Ctx) -> Result:
    location = ctx.location(ctx.params.get("locationId"))
    fields = {k: v if v.endswith("?") else f"{v}?" for k, v in _LOCATION.items()}
    data = validation.check(ctx.body, {**fields, "companyId": "str"}, ("companyId",))
    if data["companyId"] != location.company_id:
        raise forbidden_location()
    if data.get("name"):
        location.name = data["name"]
    if data.get("timezone"):
        location.timezone = data["timezone"]
    extra = {"email": data.get("email")} if data.get("email") else {}
    ctx.emit("LocationUpdate", location.id, _location_hook(location, extra))
    return 200, location.as_dict()


@api(LOC_READ)
def timezones(ctx: Ctx) -> Result:
    ctx.location(ctx.params.get("locationId"))
    return 200, {"timeZones": sorted(available_timezones())}


_TASK_SEARCH = {
    "contactId": "strs", "completed": "bool", "assignedTo": "strs", "query": "str?",
    "limit": "num", "skip": "num", "businessId": "str?",
}  # fmt: skip


@api(TASK_READ)
def search_tasks(ctx: Ctx) -> Result:
    location = ctx.location(ctx.params.get("locationId"))
    data = validation.check(ctx.body, _TASK_SEARCH)
    found = [t for t in ctx.sim.state.tasks.values() if t.get("_locationId") == location.id]
    if data.get("contactId"):
        found = [t for t in found if t["contactId"] in data["contactId"]]
    if data.get("assignedTo"):
        found = [t for t in found if t.get("assignedTo") in data["assignedTo"]]
    if data.get("completed") is not None:
        found = [t for t in found if t.get("completed") is data["completed"]]
    if data.get("businessId"):
        found = [t for t in found if t.get("businessId") == data["businessId"]]
    if data.get("query"):
        words = data["query"].lower()
        found = [t for t in found if words in f"{t.get('title', '')} {t.get('body', '')}".lower()]
    skip, limit = int(data.get("skip") or 0), int(data.get("limit") or 25)
    page = found[skip : skip + limit]
    return 200, {"tasks": [{**views.task(t), "locationId": location.id} for t in page]}


routes = [
    Route("/locations/", create_location, methods=["POST"]),
    Route("/locations", create_location, methods=["POST"]),
    Route("/locations/{locationId}", get_location, methods=["GET"]),
    Route("/locations/{locationId}", update_location, methods=["PUT"]),
    Route("/locations/{locationId}/timezones", timezones, methods=["GET"]),
    Route("/locations/{locationId}/tasks/search", search_tasks, methods=["POST"]),
    Route(
        "/locations/{locationId}/customValues",
        api(CV_READ)(col.listing(CUSTOM_VALUES)),
        methods=["GET"],
    ),
    Route("/locations/{locationId}/customValues", api(CV_WRITE)(_create_value), methods=["POST"]),
    Route(
        "/locations/{locationId}/customValues/{id}",
        api(CV_READ)(col.get(CUSTOM_VALUES)),
        methods=["GET"],
    ),
    Route(
        "/locations/{locationId}/customValues/{id}",
        api(CV_WRITE)(_update_put(CUSTOM_VALUES)),
        methods=["PUT"],
    ),
    Route(
        "/locations/{locationId}/customValues/{id}",
        api(CV_WRITE)(col.delete(CUSTOM_VALUES)),
        methods=["DELETE"],
    ),
    Route("/locations/{locationId}/tags", api(TAG_READ)(col.listing(TAGS)), methods=["GET"]),
    Route(
        "/locations/{locationId}/tags",
        api(TAG_WRITE)(lambda ctx: (200, col.create(TAGS)(ctx)[1])),
        methods=["POST"],
    ),
    Route("/locations/{locationId}/tags/{tagId}", api(TAG_READ)(col.get(TAGS)), methods=["GET"]),
    Route(
        "/locations/{locationId}/tags/{tagId}", api(TAG_WRITE)(_update_put(TAGS)), methods=["PUT"]
    ),
    Route(
        "/locations/{locationId}/tags/{tagId}", api(TAG_WRITE)(col.delete(TAGS)), methods=["DELETE"]
    ),
]
