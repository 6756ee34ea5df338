"""Businesses (reference §6), spelled as the API spells them (``buiseness``)."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError, unprocessable
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import iso_ms

READ, WRITE = "businesses.readonly", "businesses.write"
_UPDATE = {
    k: "str?"
    for k in (
        "name", "phone", "email", "postalCode", "website", "address", "state", "city", "country",
        "description",
    )
}  # fmt: skip
_CREATE = {**_UPDATE, "name": "str", "locationId": "str"}


def _business(ctx: Ctx) -> Record:
    business = ctx.sim.state.businesses.get(ctx.params["businessId"])
    if business is None:
        raise ApiError(400, f"Business with id {ctx.params['businessId']} not found")
    ctx.own_location(business["locationId"])
    return business


@api(READ)
def list_businesses(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    try:
        limit = int(ctx.query.get("limit", "100"))
        skip = int(ctx.query.get("skip", "0"))
    except ValueError:
        raise unprocessable(["limit must be a number string"]) from None
    rows = [b for b in ctx.sim.state.businesses.values() if b["locationId"] == location.id]
    rows.sort(key=lambda b: b["createdAt"])
    return 200, {
        "businesses": [views.public(b) for b in rows[skip : skip + limit]],
        "success": True,
    }


@api(READ)
def get_business(ctx: Ctx) -> Result:
    return 200, {"business": views.public(_business(ctx))}


@api(WRITE)
def create_business(ctx: Ctx) -> Result:
    if isinstance(ctx.body, dict) and isinstance(ctx.body.get("locationId"), str):
        ctx.location(ctx.body["locationId"])
    data = validation.check(ctx.body, _CREATE, ("name", "locationId"))
    ctx.location(data["locationId"])
    now = iso_ms(ctx.sim.clock.now())
    business: Record = {
        "id": ctx.sim.ids.hex24(),
        **{k: v for k, v in data.items() if v is not None},
        "createdBy": {},
        "updatedBy": {},
        "createdAt": now,
        "updatedAt": now,
    }
    ctx.sim.state.businesses[business["id"]] = business
    return 201, {"success": True, "buiseness": views.public(business)}


@api(WRITE)
def update_business(ctx: Ctx) -> Result:
    business = _business(ctx)
    data = validation.check(ctx.body, _UPDATE)
    business.update({k: v for k, v in data.items() if v is not None})
    business["updatedAt"] = iso_ms(ctx.sim.clock.now())
    return 200, {"success": True, "buiseness": views.public(business)}


@api(WRITE)
def delete_business(ctx: Ctx) -> Result:
    business = _business(ctx)
    del ctx.sim.state.businesses[business["id"]]
    for contact in ctx.sim.state.contacts.values():
        if contact.get("businessId") == business["id"]:
            contact["businessId"] = None
    return 200, {"success": True}


routes = [
    Route("/businesses/", list_businesses, methods=["GET"]),
    Route("/businesses", list_businesses, methods=["GET"]),
    Route("/businesses/", create_business, methods=["POST"]),
    Route("/businesses", create_business, methods=["POST"]),
    Route("/businesses/{businessId}", get_business, methods=["GET"]),
    Route("/businesses/{businessId}", update_business, methods=["PUT"]),
    Route("/businesses/{businessId}", delete_business, methods=["DELETE"]),
]
