"""Opportunities and pipelines (apps/opportunities.json). A change sends OpportunityUpdate and,
for what moved, OpportunityStageUpdate, OpportunityStatusUpdate, OpportunityMonetaryValueUpdate
or OpportunityAssignedToUpdate, as the live API does."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import collections as col
from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError, unprocessable
from ghltt.sandbox.ghl.state import Record

READ, WRITE = "opportunities.readonly", "opportunities.write"
_STATUS = "enum:open,won,lost,abandoned,all"
_EDIT = {
    "pipelineId": "str",
    "name": "str",
    "pipelineStageId": "str",
    "status": _STATUS,
    "monetaryValue": "num",
    "assignedTo": "str",
    "customFields": "array",
}
_CREATE = {**_EDIT, "locationId": "str", "contactId": "str"}
_WEBHOOK = (
    "id", "assignedTo", "contactId", "monetaryValue", "name", "pipelineId", "pipelineStageId",
    "source", "status", "dateAdded",
)  # fmt: skip
# Which field's change sends which event, beside OpportunityUpdate.
_MOVES = {
    "pipelineStageId": "OpportunityStageUpdate",
    "status": "OpportunityStatusUpdate",
    "monetaryValue": "OpportunityMonetaryValueUpdate",
    "assignedTo": "OpportunityAssignedToUpdate",
}


def webhook(record: Record) -> Record:
    return {k: record[k] for k in _WEBHOOK if record.get(k) is not None}


def view(record: Record) -> Record:
    out = views.public(record)
    out.setdefault("followers", [])
    out["createdAt"], out["updatedAt"] = record["dateAdded"], record["dateUpdated"]
    return out


OPPORTUNITIES = col.Kind(
    "opportunities", "opportunity", "opportunities", _CREATE,
    ("pipelineId", "locationId", "name", "status", "contactId"),
    location="body", event="Opportunity", view=view, webhook=webhook,
)  # fmt: skip


def _custom_fields(data: Record) -> None:
    """Custom fields come in as ``{id|key, field_value}`` and are answered as
    ``{id, fieldValue}``."""
    given = data.get("customFields")
    if isinstance(given, list):
        data["customFields"] = [
            {"id": str(f.get("id") or f.get("key") or ""),
             "fieldValue": f.get("field_value", f.get("fieldValue"))}
            for f in given
            if isinstance(f, dict) and f.get("field_value", f.get("fieldValue")) is not None
        ]  # fmt: skip


def _check_pipeline(ctx: Ctx, location_id: str, data: Record, current: Record | None) -> None:
    pipeline_id = data.get("pipelineId") or (current or {}).get("pipelineId")
    pipeline = ctx.sim.state.tables["pipelines"].get(str(pipeline_id))
    if pipeline is None or pipeline["locationId"] != location_id:
        raise ApiError(400, f"Pipeline with id {pipeline_id} not found")
    stages = [s["id"] for s in pipeline["stages"]]
    stage = data.get("pipelineStageId") or (current or {}).get("pipelineStageId")
    if stage is None or stage not in stages:
        data["pipelineStageId"] = stages[0]


def _change(ctx: Ctx, record: Record, data: Record) -> None:
    moved = [event for key, event in _MOVES.items() if key in data and data[key] != record.get(key)]
    if data.get("status") and data["status"] != record.get("status"):
        record["lastStatusChangeAt"] = ctx.now()
    if data.get("pipelineStageId") and data["pipelineStageId"] != record.get("pipelineStageId"):
        record["lastStageChangeAt"] = ctx.now()
    record.update({k: v for k, v in data.items() if v is not None})
    record["dateUpdated"] = ctx.now()
    col.emit(ctx, OPPORTUNITIES, "Update", record)
    for event in moved:
        ctx.emit(event, record["locationId"], webhook(record))


@api(READ)
def search(ctx: Ctx) -> Result:
    q = ctx.query
    location = ctx.location(q.get("location_id"), name="location_id")
    found = col.rows(ctx, OPPORTUNITIES, location)
    wanted = {
        "pipeline_id": "pipelineId", "pipeline_stage_id": "pipelineStageId",
        "contact_id": "contactId", "status": "status", "assigned_to": "assignedTo", "id": "id",
    }  # fmt: skip
    for param, key in wanted.items():
        if q.get(param) and q[param] != "all":
            found = [r for r in found if r.get(key) == q[param]]
    if q.get("q"):
        found = [r for r in found if q["q"].lower() in str(r.get("name", "")).lower()]
    try:
        limit = int(q.get("limit", "20"))
    except ValueError:
        raise unprocessable(["limit must be a number"]) from None
    shown = [view(r) for r in found[:limit]]
    meta = {"total": len(found), "currentPage": 1}
    return 200, {"opportunities": shown, "meta": meta, "aggregations": {}}


@api(READ)
def search_advanced(ctx: Ctx) -> Result:
    data = validation.check(ctx.body, {"locationId": "str", "query": "str?", "limit": "num"})
    location = ctx.location(data.get("locationId"))
    found = col.rows(ctx, OPPORTUNITIES, location)
    if data.get("query"):
        found = [r for r in found if data["query"].lower() in str(r.get("name", "")).lower()]
    limit = int(data.get("limit") or 20)
    return 200, {"opportunities": [view(r) for r in found[:limit]], "total": len(found)}


@api(READ)
def pipelines(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    rows = [p for p in ctx.sim.state.tables["pipelines"].values() if p["locationId"] == location.id]
    return 200, {"pipelines": [views.public(p) for p in rows]}


@api(READ)
def lost_reasons(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    rows = [
        r for r in ctx.sim.state.tables["lostReasons"].values() if r["locationId"] == location.id
    ]
    return 200, {"lostReasons": [views.public(r) for r in rows], "total": len(rows)}


@api(WRITE)
def create(ctx: Ctx) -> Result:
    location = col.location_of(ctx, OPPORTUNITIES)
    data = validation.check(ctx.body, _CREATE, OPPORTUNITIES.required)
    data.pop("locationId", None)
    _custom_fields(data)
    ctx.contact(data["contactId"])
    _check_pipeline(ctx, location.id, data, None)
    data.setdefault("monetaryValue", 0)
    data.setdefault("source", "api")
    data["followers"] = []
    return 201, col.answer(OPPORTUNITIES, col.insert(ctx, OPPORTUNITIES, location, data))


@api(WRITE)
def update(ctx: Ctx) -> Result:
    record = col.find(ctx, OPPORTUNITIES)
    data = validation.check(ctx.body, _EDIT)
    _custom_fields(data)
    if "pipelineId" in data or "pipelineStageId" in data:
        _check_pipeline(ctx, record["locationId"], data, record)
    _change(ctx, record, data)
    return 200, col.answer(OPPORTUNITIES, record)


@api(WRITE)
def set_status(ctx: Ctx) -> Result:
    record = col.find(ctx, OPPORTUNITIES)
    data = validation.check(
        ctx.body, {"status": "enum:open,won,lost,abandoned", "lostReasonId": "str"}, ("status",)
    )
    _change(ctx, record, data)
    return 200, {"succeded": True}


@api(WRITE)
def upsert(ctx: Ctx) -> Result:
    fields = {**_CREATE, "id": "str", "lostReasonId": "str", "followers": "any"}
    data = validation.check(ctx.body, fields, ("pipelineId", "locationId"))
    location = ctx.location(data.pop("locationId"))
    current = ctx.sim.state.tables["opportunities"].get(str(data.pop("id", "")))
    if current is None and data.get("contactId"):
        current = next(
            (
                r
                for r in col.rows(ctx, OPPORTUNITIES, location)
                if r["contactId"] == data["contactId"] and r["pipelineId"] == data["pipelineId"]
            ),
            None,
        )
    data.pop("followers", None)
    _check_pipeline(ctx, location.id, data, current)
    if current is not None:
        ctx.own_location(current["locationId"])
        _change(ctx, current, data)
        return 200, {"opportunity": view(current), "new": False}
    if not data.get("contactId"):
        raise unprocessable(["contactId should not be empty"])
    ctx.contact(data["contactId"])
    data.setdefault("name", "Opportunity")
    data.setdefault("status", "open")
    data.setdefault("monetaryValue", 0)
    data["followers"] = []
    record = col.insert(ctx, OPPORTUNITIES, location, data)
    return 200, {"opportunity": view(record), "new": True}


@api(WRITE)
def add_followers(ctx: Ctx) -> Result:
    record = col.find(ctx, OPPORTUNITIES)
    data = validation.check(ctx.body, {"followers": "strs"}, ("followers",))
    added = [f for f in data["followers"] if f not in record["followers"]]
    record["followers"] = [*record["followers"], *added]
    return 201, {"followers": record["followers"], "followersAdded": added}


@api(WRITE)
def remove_followers(ctx: Ctx) -> Result:
    record = col.find(ctx, OPPORTUNITIES)
    data = validation.check(ctx.body, {"followers": "strs"}, ("followers",))
    removed = [f for f in record["followers"] if f in data["followers"]]
    record["followers"] = [f for f in record["followers"] if f not in removed]
    return 200, {"followers": record["followers"], "followersRemoved": removed}


routes = [
    Route("/opportunities/lost-reason", lost_reasons, methods=["GET"]),
    Route("/opportunities/search", search, methods=["GET"]),
    Route("/opportunities/search", search_advanced, methods=["POST"]),
    Route("/opportunities/pipelines", pipelines, methods=["GET"]),
    Route("/opportunities/upsert", upsert, methods=["POST"]),
    Route("/opportunities/", create, methods=["POST"]),
    Route("/opportunities", create, methods=["POST"]),
    Route("/opportunities/{id}/status", set_status, methods=["PUT"]),
    Route("/opportunities/{id}/followers", add_followers, methods=["POST"]),
    Route("/opportunities/{id}/followers", remove_followers, methods=["DELETE"]),
    Route("/opportunities/{id}", api(READ)(col.get(OPPORTUNITIES)), methods=["GET"]),
    Route("/opportunities/{id}", update, methods=["PUT"]),
    Route("/opportunities/{id}", api(WRITE)(col.delete(OPPORTUNITIES)), methods=["DELETE"]),
]
