"""OAuth over HTTP (reference §10): the choose-location page, the token endpoint, location
tokens and installed locations. The server behind them is ``oauth.OAuthServer``."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ghltt.sandbox.ghl.context import Ctx, Result, api, apply_faults
from ghltt.sandbox.ghl.errors import ApiError, forbidden_location
from ghltt.sandbox.ghl.ids import trace_id
from ghltt.sandbox.ghl.instance import GhlInstance
from ghltt.sandbox.ghl.validation import check


async def choose_location(request: Request) -> Response:
    sim: GhlInstance = request.app.state.sim
    try:
        await apply_faults(sim)
        with sim.lock:
            url = sim.oauth.authorize(dict(request.query_params))
    except ApiError as exc:
        return exc.response(trace_id())
    return RedirectResponse(url, status_code=302)


async def token_endpoint(request: Request) -> Response:
    sim: GhlInstance = request.app.state.sim
    trace = trace_id()
    try:
        await apply_faults(sim)
        raw = (await request.body()).decode("utf-8", "replace")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        with sim.lock:
            status, body = sim.oauth.token(form)
    except ApiError as exc:
        return exc.response(trace)
    if status != 200:
        return JSONResponse(body, status_code=status)
    return JSONResponse(body, status_code=200)


@api("oauth.write", company_only=True)
def location_token(ctx: Ctx) -> Result:
    data = check(ctx.body, {"companyId": "str", "locationId": "str"}, ("companyId", "locationId"))
    if data["companyId"] != ctx.token.company_id:
        raise forbidden_location()
    ctx.own_location(data["locationId"])
    return 200, ctx.sim.oauth.location_token(ctx.token, data["locationId"])


@api("oauth.readonly", company_only=True)
def installed_locations(ctx: Ctx) -> Result:
    q = ctx.query
    data = check(q, {"companyId": "str", "appId": "str"}, ("companyId", "appId"))
    if data["companyId"] != ctx.token.company_id:
        raise forbidden_location()
    oauth = ctx.sim.oauth
    installed_clients = {c.client_id for c in oauth.clients.values() if c.app_id == data["appId"]}
    rows = []
    for loc in ctx.sim.state.locations.values():
        if loc.company_id != data["companyId"]:
            continue
        installed = any((cid, loc.id) in oauth.installs for cid in installed_clients) or any(
            (cid, loc.company_id) in oauth.installs for cid in installed_clients
        )
        rows.append({"_id": loc.id, "name": loc.name, "address": "", "isInstalled": installed})
    return 200, {"locations": rows, "count": len(rows), "installToFutureLocations": True}


routes = [
    Route("/oauth/chooselocation", choose_location, methods=["GET"]),
    Route("/v2/oauth/chooselocation", choose_location, methods=["GET"]),
    Route("/oauth/token", token_endpoint, methods=["POST"]),
    Route("/oauth/locationToken", location_token, methods=["POST"]),
    Route("/oauth/installedLocations", installed_locations, methods=["GET"]),
]
