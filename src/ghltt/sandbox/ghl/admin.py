"""``/_admin/``: controls for tests and operators. No GHL auth; never part of the real API."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ghltt.sandbox.ghl import payments
from ghltt.sandbox.ghl.instance import GhlInstance

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class AdminError(Exception):
    pass


def _sim(request: Request) -> GhlInstance:
    sim: GhlInstance = request.app.state.sim
    return sim


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise AdminError("body must be JSON") from None
    if not isinstance(data, dict):
        raise AdminError("body must be a JSON object")
    return data


def _snake(data: dict[str, Any]) -> dict[str, Any]:
    return {_CAMEL.sub("_", k).lower(): v for k, v in data.items()}


def _admin(handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            result = await handler(request)
        except (AdminError, ValueError, TypeError, KeyError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    endpoint.__name__ = handler.__name__
    return endpoint


@_admin
async def state(request: Request) -> Any:
    sim = _sim(request)
    return {"sample": sim.sample.public(), "counts": sim.state.counts(), **sim.snapshot()}


@_admin
async def sample(request: Request) -> Any:
    sim = _sim(request)
    return {**sim.sample.public(), "baseUrl": sim.config.base_url}


@_admin
async def reset(request: Request) -> Any:
    body = await _body(request)
    sim = _sim(request)
    sim.reset(seed=int(body["seed"]) if "seed" in body else None)
    return {"reset": True, "sample": sim.sample.public()}


@_admin
async def requests(request: Request) -> Any:
    sim = _sim(request)
    q = request.query_params
    rows = sim.request_log()
    if q.get("method"):
        rows = [r for r in rows if r["method"] == q["method"].upper()]
    if q.get("path"):
        wanted = q["path"]
        rows = [
            r
            for r in rows
            if (r["path"].startswith(wanted[:-1]) if wanted.endswith("*") else r["path"] == wanted)
        ]
    if q.get("status"):
        rows = [r for r in rows if r["status"] == int(q["status"])]
    return {"count": len(rows), "requests": rows}


@_admin
async def clear_requests(request: Request) -> Any:
    _sim(request).clear_requests()
    return {"cleared": True}


@_admin
async def rate_limits(request: Request) -> Any:
    sim = _sim(request)
    if request.method == "GET":
        return sim.ratelimit.settings()
    body = await _body(request)
    return sim.set_rate_limits(
        burst=body.get("burst"), window_ms=body.get("windowMs"), daily=body.get("daily")
    )


@_admin
async def faults(request: Request) -> Any:
    sim = _sim(request)
    if request.method == "DELETE":
        sim.clear_faults()
    elif request.method in ("PUT", "POST", "PATCH"):
        sim.set_faults(**_snake(await _body(request)))
    return sim.faults.describe()


@_admin
async def targets(request: Request) -> Any:
    sim = _sim(request)
    if request.method == "POST":
        body = await _body(request)
        if not isinstance(body.get("url"), str):
            raise AdminError("url is required")
        target = sim.add_webhook_target(
            body["url"], events=body.get("events"), location_id=body.get("locationId")
        )
        return JSONResponse(target.public(), status_code=201)
    if request.method == "DELETE":
        body = await _body(request)
        return {"removed": sim.remove_webhook_target(str(body.get("url") or body.get("id")))}
    return {"targets": [t.public() for t in sim.webhooks.targets.values()]}


@_admin
async def remove_target(request: Request) -> Any:
    return {"removed": _sim(request).remove_webhook_target(request.path_params["targetId"])}


@_admin
async def deliveries(request: Request) -> Any:
    sim = _sim(request)
    return {"deliveries": list(sim.webhooks.deliveries), "busy": sim.webhooks.busy}


@_admin
async def events(request: Request) -> Any:
    return {"events": _sim(request).emitted_events}


@_admin
async def drain(request: Request) -> Any:
    done = await _sim(request).drain_webhooks(float(request.query_params.get("timeout", "10")))
    return {"drained": done}


@_admin
async def keys(request: Request) -> Any:
    sim = _sim(request)
    return {"ed25519PublicKey": sim.ed25519_public_pem, "rsaPublicKey": sim.rsa_public_pem}


@_admin
async def tokens(request: Request) -> Any:
    sim = _sim(request)
    if request.method == "GET":
        return {"tokens": [t.public() for t in sim.tokens.all()]}
    body = await _body(request)
    info = sim.create_token(
        kind=body.get("kind", "pit"),
        location_id=body.get("locationId"),
        scopes=body.get("scopes"),
        company=bool(body.get("company", False)),
    )
    return JSONResponse(info.public(), status_code=201)


@_admin
async def revoke(request: Request) -> Any:
    body = await _body(request)
    sim = _sim(request)
    if body.get("clientId"):
        return {"revoked": sim.tokens.revoke_client(body["clientId"], body.get("resourceId"))}
    return {"revoked": sim.revoke_token(str(body.get("token", "")))}


@_admin
async def expire(request: Request) -> Any:
    body = await _body(request)
    return {"expired": _sim(request).expire_token(str(body.get("token", "")))}


@_admin
async def clients(request: Request) -> Any:
    sim = _sim(request)
    if request.method == "GET":
        return {"clients": [c.public() for c in sim.oauth.clients.values()]}
    body = await _body(request)
    uris = body.get("redirectUris") or body.get("redirect_uris")
    if not isinstance(uris, list) or not uris:
        raise AdminError("redirectUris must be a non-empty list")
    client = sim.register_oauth_client(
        redirect_uris=[str(u) for u in uris],
        scopes=body.get("scopes"),
        user_type=body.get("userType", "Location"),
        name=body.get("name", "Sandbox app"),
        client_id=body.get("clientId"),
        client_secret=body.get("clientSecret"),
    )
    return JSONResponse(client.public(), status_code=201)


@_admin
async def token_calls(request: Request) -> Any:
    return {"count": _sim(request).token_endpoint_calls}


@_admin
async def uninstall(request: Request) -> Any:
    body = await _body(request)
    resource = body.get("locationId") or body.get("companyId")
    if not body.get("clientId") or not resource:
        raise AdminError("clientId and locationId (or companyId) are required")
    return {"revoked": _sim(request).oauth.uninstall(body["clientId"], resource)}


@_admin
async def plan_change(request: Request) -> Any:
    body = await _body(request)
    resource = body.get("locationId") or body.get("companyId")
    if not body.get("clientId") or not resource or not body.get("planId"):
        raise AdminError("clientId, planId and locationId (or companyId) are required")
    try:
        return _sim(request).oauth.change_plan(body["clientId"], resource, body["planId"])
    except ValueError as exc:
        raise AdminError(str(exc)) from None


@_admin
async def location_settings(request: Request) -> Any:
    body = await _body(request)
    return _sim(request).set_location_settings(
        request.path_params["locationId"],
        allow_duplicate_contact=body.get("allowDuplicateContact"),
        duplicate_priority=body.get("duplicatePriority"),
    )


@_admin
async def clock(request: Request) -> Any:
    sim = _sim(request)
    if request.method == "POST":
        body = await _body(request)
        advance = getattr(sim.clock, "advance", None)
        if advance is None:
            raise AdminError("the simulator runs on the system clock; start it with a FixedClock")
        advance(timedelta(seconds=float(body.get("advanceSeconds", 0))))
    return {"now": sim.clock.now().isoformat()}


@_admin
async def workflows(request: Request) -> Any:
    """GET: the published workflows. POST ``{"trigger", "url", "customData"?, "name"?}``: a
    workflow whose Webhook action posts the standard data to ``url`` when ``trigger`` fires."""
    sim = _sim(request)
    if request.method == "POST":
        body = await _body(request)
        custom = body.get("customData") or {}
        if not isinstance(custom, dict):
            raise AdminError("customData must be an object of key/value pairs")
        workflow = sim.add_workflow(
            str(body["trigger"]),
            str(body["url"]),
            custom_data={str(k): str(v) for k, v in custom.items()},
            name=str(body.get("name") or ""),
        )
        return workflow.public()
    return {"workflows": [w.public() for w in sim.workflow_hooks.values()]}


@_admin
async def submissions(request: Request) -> Any:
    """POST ``{"formId" | "surveyId", "contactId", "others"}``: the contact fills in the form
    or survey on its public page (GHL has no API for that); the submission is returned."""
    body = await _body(request)
    kind = "survey" if "surveyId" in body else "form"
    answers = body.get("others") or {}
    if not isinstance(answers, dict):
        raise AdminError("others must be an object of answers")
    return _sim(request).submit(kind, str(body[f"{kind}Id"]), str(body["contactId"]), answers)


@_admin
async def invoices(request: Request) -> Any:
    """POST ``{"contactId", "name", "items": [{name, amount, qty}], "currency"?}``: a draft
    invoice (GHL's Invoices API is not simulated; this stands in for its page)."""
    body = await _body(request)
    currency = str(body.get("currency") or "USD")
    return payments.create_invoice(
        _sim(request), str(body["contactId"]), str(body["name"]), body["items"], currency=currency
    )


@_admin
async def invoice_change(request: Request) -> Any:
    """POST ``{"change": "update" | "send" | "pay" | "void" | "delete", "amount"?, "name"?}``."""
    body = await _body(request)
    amount = body.get("amount")
    return payments.change_invoice(
        _sim(request), request.path_params["invoiceId"], str(body["change"]),
        amount=None if amount is None else float(amount), name=str(body.get("name") or ""),
    )  # fmt: skip


@_admin
async def orders(request: Request) -> Any:
    """POST ``{"contactId", "items": [{name, amount, qty}], "currency"?}``: a store checkout."""
    body = await _body(request)
    currency = str(body.get("currency") or "USD")
    return payments.create_order(
        _sim(request), str(body["contactId"]), body["items"], currency=currency
    )


@_admin
async def order_status(request: Request) -> Any:
    """POST ``{"status"}``: pending, completed, cancelled or refunded."""
    body = await _body(request)
    return payments.set_order(_sim(request), request.path_params["orderId"], str(body["status"]))


@_admin
async def remove_workflow(request: Request) -> Any:
    return {"removed": _sim(request).remove_workflow(request.path_params["workflowId"])}


routes = [
    Route("/_admin/state", state, methods=["GET"]),
    Route("/_admin/sample", sample, methods=["GET"]),
    Route("/_admin/reset", reset, methods=["POST"]),
    Route("/_admin/requests", requests, methods=["GET"]),
    Route("/_admin/requests", clear_requests, methods=["DELETE"]),
    Route("/_admin/rate-limits", rate_limits, methods=["GET", "PUT", "POST"]),
    Route("/_admin/faults", faults, methods=["GET", "PUT", "POST", "PATCH", "DELETE"]),
    Route("/_admin/webhooks/targets", targets, methods=["GET", "POST", "DELETE"]),
    Route("/_admin/webhooks/targets/{targetId}", remove_target, methods=["DELETE"]),
    Route("/_admin/webhooks/deliveries", deliveries, methods=["GET"]),
    Route("/_admin/webhooks/events", events, methods=["GET"]),
    Route("/_admin/webhooks/drain", drain, methods=["POST"]),
    Route("/_admin/workflows", workflows, methods=["GET", "POST"]),
    Route("/_admin/workflows/{workflowId}", remove_workflow, methods=["DELETE"]),
    Route("/_admin/submissions", submissions, methods=["POST"]),
    Route("/_admin/invoices", invoices, methods=["POST"]),
    Route("/_admin/invoices/{invoiceId}", invoice_change, methods=["POST"]),
    Route("/_admin/orders", orders, methods=["POST"]),
    Route("/_admin/orders/{orderId}", order_status, methods=["POST"]),
    Route("/_admin/keys", keys, methods=["GET"]),
    Route("/_admin/tokens", tokens, methods=["GET", "POST"]),
    Route("/_admin/tokens/revoke", revoke, methods=["POST"]),
    Route("/_admin/tokens/expire", expire, methods=["POST"]),
    Route("/_admin/oauth/clients", clients, methods=["GET", "POST"]),
    Route("/_admin/oauth/token-calls", token_calls, methods=["GET"]),
    Route("/_admin/oauth/uninstall", uninstall, methods=["POST"]),
    Route("/_admin/oauth/plan-change", plan_change, methods=["POST"]),
    Route("/_admin/locations/{locationId}/settings", location_settings, methods=["PUT"]),
    Route("/_admin/clock", clock, methods=["GET", "POST"]),
]
