"""Contact custom fields: the location list, by id, and the v2 custom-fields API by object key."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.state import Record

READ = "locations/customFields.readonly"


def _location_view(field: Record) -> Record:
    """Shape of GET /locations/{locationId}/customFields items."""
    out = {
        "id": field["id"],
        "name": field["name"],
        "fieldKey": field["fieldKey"],
        "placeholder": field.get("placeholder", ""),
        "dataType": field["dataType"],
        "position": field.get("position", 0),
        "locationId": field["locationId"],
        "model": "contact",
        "dateAdded": field["dateAdded"],
    }
    if field.get("options"):
        out["picklistOptions"] = [o["label"] for o in field["options"]]
    return out


def _v2_view(field: Record) -> Record:
    """ICustomField of custom-fields.json."""
    out = views.public(field)
    out.pop("position", None)
    out["objectKey"] = "contact"
    out.setdefault("parentId", field["locationId"])
    out.setdefault("showInForms", True)
    return out


def _field(ctx: Ctx, field_id: str) -> Record:
    field = ctx.sim.state.custom_fields.get(field_id)
    if field is None:
        raise ApiError(400, f"Custom field with id {field_id} not found")
    ctx.own_location(field["locationId"])
    return field


@api(READ)
def list_location_fields(ctx: Ctx) -> Result:
    location = ctx.location(ctx.params["locationId"])
    rows = [f for f in ctx.sim.state.custom_fields.values() if f["locationId"] == location.id]
    return 200, {"customFields": [_location_view(f) for f in rows]}


@api(READ)
def get_location_field(ctx: Ctx) -> Result:
    ctx.location(ctx.params["locationId"])
    return 200, {"customField": _location_view(_field(ctx, ctx.params["id"]))}


@api(READ)
def get_field(ctx: Ctx) -> Result:
    return 200, {"field": _v2_view(_field(ctx, ctx.params["id"]))}


@api(READ)
def fields_by_object_key(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    key = ctx.params["objectKey"]
    if key != "contact":
        return 200, {"fields": [], "folders": []}
    rows = [f for f in ctx.sim.state.custom_fields.values() if f["locationId"] == location.id]
    return 200, {"fields": [_v2_view(f) for f in rows], "folders": []}


routes = [
    Route("/locations/{locationId}/customFields", list_location_fields, methods=["GET"]),
    Route("/locations/{locationId}/customFields/{id}", get_location_field, methods=["GET"]),
    Route("/custom-fields/object-key/{objectKey}", fields_by_object_key, methods=["GET"]),
    Route("/custom-fields/{id}", get_field, methods=["GET"]),
]
