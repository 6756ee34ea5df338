"""Users: enough to list, read, search and create the people tasks are assigned to."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError, forbidden_location, unprocessable
from ghltt.sandbox.ghl.state import Record

READ, WRITE = "users.readonly", "users.write"


def _visible(ctx: Ctx, user: Record) -> bool:
    locations = user["roles"]["locationIds"]
    if ctx.token.user_type == "Company":
        return bool(user["companyId"] == ctx.token.company_id)
    return ctx.token.location_id in locations


@api(READ, agency=True)
def list_users(ctx: Ctx) -> Result:
    location = ctx.location(ctx.query.get("locationId"))
    rows = [u for u in ctx.sim.state.users.values() if location.id in u["roles"]["locationIds"]]
    return 200, {"users": [views.user(u) for u in rows]}


@api(READ, agency=True)
def search_users(ctx: Ctx) -> Result:
    q = ctx.query
    if q.get("locationId"):
        ctx.location(q["locationId"])
    query = q.get("query", "").lower()
    rows = [
        u
        for u in ctx.sim.state.users.values()
        if _visible(ctx, u)
        and (not q.get("locationId") or q["locationId"] in u["roles"]["locationIds"])
        and (not query or query in f"{u['name']} {u['email']}".lower())
    ]
    try:
        skip, limit = int(q.get("skip") or 0), int(q.get("limit") or 25)
    except ValueError:
        raise unprocessable(["skip and limit must be number strings"]) from None
    return 200, {"users": [views.user(u) for u in rows[skip : skip + limit]], "count": len(rows)}


@api(READ, agency=True)
def get_user(ctx: Ctx) -> Result:
    user = ctx.sim.state.users.get(ctx.params["userId"])
    if user is None or not _visible(ctx, user):
        # Observed quirk: an unknown user id is a 401 (reference §1.2).
        raise ApiError(401, "The user does not exist.")
    return 200, views.user(user)


_CREATE = {
    "companyId": "str",
    "firstName": "str",
    "lastName": "str",
    "email": "email?",
    "password": "str",
    "phone": "str?",
    "type": "enum:account,agency",
    "role": "enum:admin,user",
    "locationIds": "strs",
}


@api(WRITE, agency=True)
def create_user(ctx: Ctx) -> Result:
    data = validation.check(
        ctx.body, _CREATE, ("companyId", "firstName", "lastName", "email", "password", "type",
                            "role", "locationIds"),
    )  # fmt: skip
    if data["companyId"] != ctx.token.company_id:
        raise forbidden_location()
    for location_id in data["locationIds"]:
        ctx.own_location(location_id)
    user = ctx.sim.add_user(
        first_name=data["firstName"],
        last_name=data["lastName"],
        email=data["email"],
        phone=data.get("phone"),
        role=data["role"],
        user_type=data["type"],
        location_ids=list(data["locationIds"]),
        company_id=data["companyId"],
    )
    return 201, views.user(user)


_UPDATE = {
    "firstName": "str?", "lastName": "str?", "email": "email?", "phone": "str?",
    "type": "enum:account,agency", "role": "enum:admin,user", "locationIds": "strs",
}  # fmt: skip


def _own_user(ctx: Ctx) -> Record:
    user = ctx.sim.state.users.get(ctx.params["userId"])
    if user is None or not _visible(ctx, user):
        raise ApiError(401, "The user does not exist.")
    return user


@api(WRITE, agency=True)
def update_user(ctx: Ctx) -> Result:
    user = _own_user(ctx)
    data = validation.check(ctx.body, _UPDATE)
    for location_id in data.get("locationIds") or ():
        ctx.own_location(location_id)
    for key in ("firstName", "lastName", "email", "phone"):
        if data.get(key) is not None:
            user[key] = data[key]
    user["name"] = f"{user['firstName']} {user['lastName']}"
    for key, role_key in (("type", "type"), ("role", "role"), ("locationIds", "locationIds")):
        if data.get(key) is not None:
            user["roles"][role_key] = data[key]
    return 200, views.user(user)


@api(WRITE, agency=True)
def delete_user(ctx: Ctx) -> Result:
    user = _own_user(ctx)
    del ctx.sim.state.users[user["id"]]
    return 200, {
        "succeded": True,
        "message": "Queued deleting user with e-mail "
        f"{user['email']} and name {user['name']}. Will take effect in a few minutes.",
    }


@api(READ, agency=True)
def filter_by_email(ctx: Ctx) -> Result:
    fields = {"companyId": "str", "emails": "strs", "deleted": "bool", "skip": "str?",
              "limit": "str?", "projection": "str?"}  # fmt: skip
    data = validation.check(ctx.body, fields, ("companyId", "emails"))
    if data["companyId"] != ctx.token.company_id:
        raise forbidden_location()
    wanted = {e.lower() for e in data["emails"]}
    rows = [
        u
        for u in ctx.sim.state.users.values()
        if _visible(ctx, u) and str(u.get("email") or "").lower() in wanted
    ]
    return 200, {"users": [views.user(u) for u in rows], "count": len(rows)}


routes = [
    Route("/users/search/filter-by-email", filter_by_email, methods=["POST"]),
    Route("/users/search", search_users, methods=["GET"]),
    Route("/users/", list_users, methods=["GET"]),
    Route("/users", list_users, methods=["GET"]),
    Route("/users/", create_user, methods=["POST"]),
    Route("/users", create_user, methods=["POST"]),
    Route("/users/{userId}", get_user, methods=["GET"]),
    Route("/users/{userId}", update_user, methods=["PUT"]),
    Route("/users/{userId}", delete_user, methods=["DELETE"]),
]
