"""Contact custom fields: the location list, by id, created (locations.json
``create-custom-field``), and the v2 custom-fields API by object key.

The v2 API creates fields of custom objects only; a location's contact fields are made through
``POST /locations/{locationId}/customFields``. The field key is derived from the name, as GHL
does: ``contact.`` and the name lower-cased, runs of other characters made ``_``.
"""

from __future__ import annotations

import re

from starlette.routing import Route

from ghltt.sandbox.ghl import views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.validation import check

READ = "locations/customFields.readonly"
WRITE = "locations/customFields.write"
# CreateCustomFieldsDTO's dataType values, as the location settings offer them.
DATA_TYPES = (
    "TEXT",
    "LARGE_TEXT",
    "NUMERICAL",
    "PHONE",
    "MONETORY",
    "CHECKBOX",
    "SINGLE_OPTIONS",
    "MULTIPLE_OPTIONS",
    "FLOAT",
    "TIME",
    "DATE",
    "TEXTBOX_LIST",
    "FILE_UPLOAD",
    "SIGNATURE",
    "RADIO",
    "EMAIL",
)
_CREATE_FIELDS = {
    "name": "str",
    "dataType": "enum:" + ",".join(DATA_TYPES),
    "placeholder": "str",
    "position": "num",
    "model": "enum:contact,opportunity",
    "textBoxListOptions": "array",
    "acceptedFormat": "strs",
    "isMultipleFile": "bool",
    "maxNumberOfFiles": "num",
}


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
        "model": field.get("model", "contact"),
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
    model = ctx.query.get("model", "contact")
    if model not in ("contact", "opportunity", "all"):
        raise ApiError(
            422, ["model must be one of the following values: contact, opportunity, all"]
        )
    rows = [
        f
        for f in ctx.sim.state.custom_fields.values()
        if f["locationId"] == location.id and model in (f.get("model", "contact"), "all")
    ]
    return 200, {"customFields": [_location_view(f) for f in rows]}


def field_key(name: str, model: str) -> str:
    """The key GHL gives a field of this name: ``Project Code`` → ``contact.project_code``."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return f"{model}.{slug}"


@api(WRITE)
def create_location_field(ctx: Ctx) -> Result:
    location = ctx.location(ctx.params["locationId"])
    body = check(ctx.body, _CREATE_FIELDS, required=("name", "dataType"))
    model = body.get("model", "contact")
    key = field_key(body["name"], model)
    if key == f"{model}.":
        raise ApiError(422, ["name must contain a letter or a digit"])
    taken = [
        f
        for f in ctx.sim.state.custom_fields.values()
        if f["locationId"] == location.id and f["fieldKey"] == key
    ]
    if taken:
        raise ApiError(400, f"Custom field with key {key} already exists")
    now = ctx.now()
    record: Record = {
        "id": ctx.sim.ids.alnum(),
        "name": body["name"],
        "fieldKey": key,
        "placeholder": body.get("placeholder", ""),
        "dataType": body["dataType"],
        "position": body.get("position", 0),
        "locationId": location.id,
        "model": model,
        "dateAdded": now,
        "dateUpdated": now,
    }
    ctx.sim.state.custom_fields[record["id"]] = record
    return 201, {"customField": _location_view(record)}


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
    rows = [
        f
        for f in ctx.sim.state.custom_fields.values()
        if f["locationId"] == location.id and f.get("model", "contact") == "contact"
    ]
    return 200, {"fields": [_v2_view(f) for f in rows], "folders": []}


routes = [
    Route("/locations/{locationId}/customFields", list_location_fields, methods=["GET"]),
    Route("/locations/{locationId}/customFields", create_location_field, methods=["POST"]),
    Route("/locations/{locationId}/customFields/{id}", get_location_field, methods=["GET"]),
    Route("/custom-fields/object-key/{objectKey}", fields_by_object_key, methods=["GET"]),
    Route("/custom-fields/{id}", get_field, methods=["GET"]),
]
