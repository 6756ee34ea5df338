"""Custom objects, their records, associations and relations (apps/objects.json,
apps/associations.json). Changes send ObjectSchemaCreate/Update, RecordCreate/Update/Delete,
AssociationCreate/Update/Delete and RelationCreate/Delete."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from ghltt.sandbox.ghl import collections as col
from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError, unprocessable
from ghltt.sandbox.ghl.state import Record

SCHEMA_READ, SCHEMA_WRITE = "objects/schema.readonly", "objects/schema.write"
REC_READ, REC_WRITE = "objects/record.readonly", "objects/record.write"
ASSOC_READ, ASSOC_WRITE = "associations.readonly", "associations.write"
REL_READ, REL_WRITE = "associations/relation.readonly", "associations/relation.write"
# Objects every location has besides its custom ones.
STANDARD = ("contact", "opportunity", "business")


def _hook(keys: tuple[str, ...]) -> Any:
    return lambda r: {k: r[k] for k in keys if r.get(k) is not None}


OBJECTS = col.Kind(
    "objects", "object", "objects", {}, location="body", event="ObjectSchema", id_kind="hex24",
    webhook=_hook(("id", "key", "labels", "description", "searchableProperties",
                   "primaryDisplayProperty", "dateAdded", "dateUpdated")),
)  # fmt: skip
RECORDS = col.Kind(
    "objectRecords", "record", "records", {}, location="query", event="Record", id_kind="hex24",
    webhook=lambda r: {"id": r["id"], "owners": r.get("owner", []),
                       "followers": r.get("followers", []),
                       "properties": [{"key": k, "value": v}
                                      for k, v in r.get("properties", {}).items()]},
)  # fmt: skip
ASSOCIATIONS = col.Kind(
    "associations", "", "associations", {}, location="query", event="Association",
    id_kind="hex24", id_param="associationId",
    webhook=_hook(("id", "associationType", "firstObjectKey", "firstObjectLabel",
                   "secondObjectKey", "secondObjectLabel", "key")),
)  # fmt: skip
RELATIONS = col.Kind(
    "relations", "", "relations", {}, location="query", event="Relation", id_kind="hex24",
    id_param="relationId",
    webhook=_hook(("id", "firstObjectKey", "firstRecordId", "secondObjectKey", "secondRecordId",
                   "associationId")),
)  # fmt: skip


def _labels(value: Any) -> None:
    if value is None:
        return
    if not all(isinstance(value.get(k), str) and value.get(k) for k in ("singular", "plural")):
        raise unprocessable(
            ["labels.singular should not be empty", "labels.plural should not be empty"]
        )


def _object(ctx: Ctx, key: str, location_id: str) -> Record:
    wanted = (
        key if key.startswith("custom_objects.") or key in STANDARD else f"custom_objects.{key}"
    )
    for record in ctx.sim.state.tables["objects"].values():
        if record["key"] == wanted and record["locationId"] == location_id:
            return record
    raise ApiError(404, f"Object with key {key} not found")


def _location_from(ctx: Ctx) -> Any:
    if ctx.query.get("locationId"):
        return ctx.location(ctx.query["locationId"])
    body = ctx.body if isinstance(ctx.body, dict) else {}
    return ctx.location(body.get("locationId"))


# ---- object schemas -----------------------------------------------------------------------
@api(SCHEMA_READ)
def list_objects(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    return 200, {"objects": [views.public(o) for o in col.rows(ctx, OBJECTS, location)]}


@api(SCHEMA_READ)
def get_object(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    record = _object(ctx, ctx.params["key"], location.id)
    return 200, {
        "object": views.public(record),
        "cache": False,
        "fields": record.get("_fields", []),
    }


_SCHEMA = {
    "labels": "obj", "key": "str", "description": "str?", "locationId": "str",
    "primaryDisplayPropertyDetails": "obj", "searchableProperties": "strs",
}  # fmt: skip


@api(SCHEMA_WRITE)
def create_object(ctx: Ctx) -> Result:
    data = validation.check(
        ctx.body, _SCHEMA, ("labels", "key", "locationId", "primaryDisplayPropertyDetails")
    )
    location = ctx.location(data.pop("locationId"))
    _labels(data["labels"])
    key = (
        data["key"]
        if data["key"].startswith("custom_objects.")
        else f"custom_objects.{data['key']}"
    )
    if any(o["key"] == key for o in col.rows(ctx, OBJECTS, location)):
        raise ApiError(400, f"Object with key {key} already exists")
    display = data.pop("primaryDisplayPropertyDetails")
    fields = {**data, "key": key, "standard": False, "searchableProperties": [],
              "primaryDisplayProperty": display.get("key")}  # fmt: skip
    record = col.insert(ctx, OBJECTS, location, fields)
    return 201, {"object": views.public(record)}


@api(SCHEMA_WRITE)
def update_object(ctx: Ctx) -> Result:
    data = validation.check(ctx.body, _SCHEMA, ("locationId", "searchableProperties"))
    location = ctx.location(data.pop("locationId"))
    record = _object(ctx, ctx.params["key"], location.id)
    _labels(data.get("labels"))
    for key in ("labels", "description", "searchableProperties"):
        if data.get(key) is not None:
            record[key] = data[key]
    record["dateUpdated"] = ctx.now()
    col.emit(ctx, OBJECTS, "Update", record)
    return 200, {"object": views.public(record)}


# ---- records ------------------------------------------------------------------------------
_RECORD = {"locationId": "str", "properties": "obj", "owner": "strs", "followers": "strs"}


def _record(ctx: Ctx) -> Record:
    record = ctx.sim.state.tables["objectRecords"].get(ctx.params["id"])
    if record is None or record["_parent"] not in (ctx.params["schemaKey"], record["objectKey"]):
        raise ApiError(404, "Record not found")
    ctx.own_location(record["locationId"])
    return record


def _record_view(record: Record) -> Record:
    return {
        **views.public(record),
        "createdAt": record["dateAdded"],
        "updatedAt": record["dateUpdated"],
    }


@api(REC_WRITE)
def create_record(ctx: Ctx) -> Result:
    data = validation.check(ctx.body, _RECORD, ("locationId",))
    location = ctx.location(data.pop("locationId"))
    schema = _object(ctx, ctx.params["schemaKey"], location.id)
    fields = {"properties": data.get("properties") or {}, "owner": data.get("owner") or [],
              "followers": data.get("followers") or [], "objectKey": schema["key"],
              "objectId": schema["id"], "_parent": ctx.params["schemaKey"]}  # fmt: skip
    record = col.insert(ctx, RECORDS, location, fields)
    return 201, {"record": _record_view(record)}


@api(REC_READ)
def get_record(ctx: Ctx) -> Result:
    return 200, {"record": _record_view(_record(ctx))}


@api(REC_WRITE)
def update_record(ctx: Ctx) -> Result:
    ctx.location(ctx.query.get("locationId"))
    record = _record(ctx)
    data = validation.check(ctx.body, _RECORD)
    if data.get("properties"):
        record["properties"] = {**record["properties"], **data["properties"]}
    for key in ("owner", "followers"):
        if data.get(key) is not None:
            record[key] = data[key]
    record["dateUpdated"] = ctx.now()
    col.emit(ctx, RECORDS, "Update", record)
    return 200, {"record": _record_view(record)}


@api(REC_WRITE)
def delete_record(ctx: Ctx) -> Result:
    record = _record(ctx)
    del ctx.sim.state.tables["objectRecords"][record["id"]]
    col.emit(ctx, RECORDS, "Delete", record)
    return 200, {"id": record["id"], "success": True}


@api(REC_READ)
def search_records(ctx: Ctx) -> Result:
    fields = {"locationId": "str", "page": "num", "pageLimit": "num", "query": "str?",
              "searchAfter": "array"}  # fmt: skip
    data = validation.check(ctx.body, fields, ("locationId",))
    location = ctx.location(data["locationId"])
    schema = _object(ctx, ctx.params["schemaKey"], location.id)
    found = [r for r in col.rows(ctx, RECORDS, location) if r["objectKey"] == schema["key"]]
    if data.get("query"):
        words = data["query"].lower()
        found = [r for r in found if words in str(r["properties"]).lower()]
    page, limit = int(data.get("page") or 1), int(data.get("pageLimit") or 10)
    chunk = found[(page - 1) * limit : page * limit]
    return 200, {"records": [_record_view(r) for r in chunk], "total": len(found)}


# ---- associations and relations -----------------------------------------------------------
_ASSOC = {
    "locationId": "str", "key": "str", "firstObjectLabel": "any", "firstObjectKey": "any",
    "secondObjectLabel": "any", "secondObjectKey": "any",
}  # fmt: skip


def _association(ctx: Ctx, association_id: str) -> Record:
    record = ctx.sim.state.tables["associations"].get(association_id)
    if record is None:
        raise ApiError(400, f"Association with id {association_id} not found")
    ctx.own_location(record["locationId"])
    return record


def _page(ctx: Ctx, rows: list[Record]) -> list[Record]:
    try:
        skip, limit = int(ctx.query.get("skip", "0")), int(ctx.query.get("limit", "100"))
    except ValueError:
        raise unprocessable(["skip and limit must be numbers"]) from None
    return rows[skip : skip + limit]


@api(ASSOC_WRITE)
def create_association(ctx: Ctx) -> Result:
    data = validation.check(ctx.body, _ASSOC, tuple(_ASSOC))
    location = ctx.location(data.pop("locationId"))
    if any(a["key"] == data["key"] for a in col.rows(ctx, ASSOCIATIONS, location)):
        raise ApiError(400, f"Association with key {data['key']} already exists")
    data["associationType"] = "USER_DEFINED"
    return 201, views.public(col.insert(ctx, ASSOCIATIONS, location, data))


@api(ASSOC_READ)
def list_associations(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    rows = _page(ctx, col.rows(ctx, ASSOCIATIONS, location))
    return 200, {"associations": [views.public(a) for a in rows], "total": len(rows)}


@api(ASSOC_READ)
def get_association(ctx: Ctx) -> Result:
    return 200, views.public(_association(ctx, ctx.params["associationId"]))


@api(ASSOC_READ)
def association_by_key(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    for record in col.rows(ctx, ASSOCIATIONS, location):
        if record["key"] == ctx.params["key_name"]:
            return 200, views.public(record)
    raise ApiError(400, f"Association with key {ctx.params['key_name']} not found")


@api(ASSOC_READ)
def associations_by_object(ctx: Ctx) -> Result:
    location = (
        ctx.location(ctx.query.get("locationId")) if ctx.query.get("locationId") else ctx.home()
    )
    key = ctx.params["objectKey"]
    rows = [
        a
        for a in col.rows(ctx, ASSOCIATIONS, location)
        if key in (a["firstObjectKey"], a["secondObjectKey"])
    ]
    return 200, {"associations": [views.public(a) for a in rows]}


@api(ASSOC_WRITE)
def update_association(ctx: Ctx) -> Result:
    record = _association(ctx, ctx.params["associationId"])
    fields = {"firstObjectLabel": "any", "secondObjectLabel": "any"}
    data = validation.check(ctx.body, fields, tuple(fields))
    record.update(data)
    record["dateUpdated"] = ctx.now()
    col.emit(ctx, ASSOCIATIONS, "Update", record)
    return 200, views.public(record)


@api(ASSOC_WRITE)
def delete_association(ctx: Ctx) -> Result:
    record = _association(ctx, ctx.params["associationId"])
    del ctx.sim.state.tables["associations"][record["id"]]
    for relation in [
        r for r in ctx.sim.state.tables["relations"].values() if r["associationId"] == record["id"]
    ]:
        del ctx.sim.state.tables["relations"][relation["id"]]
    col.emit(ctx, ASSOCIATIONS, "Delete", record)
    return 200, {"deleted": True, "id": record["id"], "message": "Association deleted"}


@api(REL_WRITE)
def create_relation(ctx: Ctx) -> Result:
    fields = {
        "locationId": "str",
        "associationId": "str",
        "firstRecordId": "str",
        "secondRecordId": "str",
    }
    data = validation.check(ctx.body, fields, tuple(fields))
    location = ctx.location(data.pop("locationId"))
    association = _association(ctx, data["associationId"])
    data["firstObjectKey"] = association["firstObjectKey"]
    data["secondObjectKey"] = association["secondObjectKey"]
    return 201, views.public(col.insert(ctx, RELATIONS, location, data))


@api(REL_READ)
def relations_of(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    wanted = ctx.params["recordId"]
    rows = [
        r
        for r in col.rows(ctx, RELATIONS, location)
        if wanted in (r["firstRecordId"], r["secondRecordId"])
    ]
    if ctx.query.get("associationIds"):
        ids = set(ctx.query["associationIds"].split(","))
        rows = [r for r in rows if r["associationId"] in ids]
    page = _page(ctx, rows)
    return 200, {"relations": [views.public(r) for r in page], "total": len(rows)}


@api(REL_WRITE)
def delete_relation(ctx: Ctx) -> Result:
    ctx.location(ctx.query.get("locationId"))
    record = col.find(ctx, RELATIONS)
    del ctx.sim.state.tables["relations"][record["id"]]
    col.emit(ctx, RELATIONS, "Delete", record)
    return 200, views.public(record)


routes = [
    Route("/objects/", list_objects, methods=["GET"]),
    Route("/objects", list_objects, methods=["GET"]),
    Route("/objects/", create_object, methods=["POST"]),
    Route("/objects", create_object, methods=["POST"]),
    Route("/objects/{schemaKey}/records/search", search_records, methods=["POST"]),
    Route("/objects/{schemaKey}/records", create_record, methods=["POST"]),
    Route("/objects/{schemaKey}/records/{id}", get_record, methods=["GET"]),
    Route("/objects/{schemaKey}/records/{id}", update_record, methods=["PUT"]),
    Route("/objects/{schemaKey}/records/{id}", delete_record, methods=["DELETE"]),
    Route("/objects/{key}", get_object, methods=["GET"]),
    Route("/objects/{key}", update_object, methods=["PUT"]),
    Route("/associations/relations", create_relation, methods=["POST"]),
    Route("/associations/relations/{recordId}", relations_of, methods=["GET"]),
    Route("/associations/relations/{relationId}", delete_relation, methods=["DELETE"]),
    Route("/associations/key/{key_name}", association_by_key, methods=["GET"]),
    Route("/associations/objectKey/{objectKey}", associations_by_object, methods=["GET"]),
    Route("/associations/", create_association, methods=["POST"]),
    Route("/associations", create_association, methods=["POST"]),
    Route("/associations/", list_associations, methods=["GET"]),
    Route("/associations", list_associations, methods=["GET"]),
    Route("/associations/{associationId}", get_association, methods=["GET"]),
    Route("/associations/{associationId}", update_association, methods=["PUT"]),
    Route("/associations/{associationId}", delete_association, methods=["DELETE"]),
]
