"""``/_admin/*``: control and inspect the simulator over HTTP (no TrackingTime auth).

Plain JSON in and out, no envelope; errors are HTTP 400/404 with ``{"error": ...}``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError as PydanticValidationError

from ghltt.sandbox.trackingtime.instance import SimulatorError, TrackingTimeInstance

ENDPOINTS = {
    "GET /_admin/state": "the whole in-memory state",
    "GET /_admin/requests?path_contains=&method=": "the request log (count with len)",
    "DELETE /_admin/requests": "clear the request log",
    "POST /_admin/reset {seed?}": "fresh sample account, empty logs, faults off",
    "GET /_admin/clock": "the simulator's now",
    "POST /_admin/clock {now: ISO-8601 with offset} | {advance_seconds}": "set the clock",
    "GET /_admin/config, PATCH /_admin/config {...}": "behaviour flags",
    "GET /_admin/faults, PUT|PATCH /_admin/faults {...}, DELETE /_admin/faults": "faults",
    "POST /_admin/signups {email, name?, surname?, role?, account_id?, password?}": "sign-up",
    "POST /_admin/app_passwords {user_id}": "a new App Password for a user",
    "GET /_admin/credentials": "seeded account id, users, passwords and App Passwords",
    "GET /_admin/webhooks/deliveries, DELETE ...": "outgoing webhook deliveries",
    "POST /_admin/webhooks/flush": "wait for pending deliveries",
}


class _Bad(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise _Bad(400, "body must be JSON") from None
    if not isinstance(value, dict):
        raise _Bad(400, "body must be a JSON object")
    return value


async def handle_admin(
    sim: TrackingTimeInstance, method: str, path: str, query: str, raw: bytes
) -> tuple[int, Any]:
    try:
        return await _dispatch(sim, method, path.rstrip("/"), dict(parse_qsl(query)), raw)
    except _Bad as exc:
        return exc.status, {"error": str(exc)}
    except (SimulatorError, PydanticValidationError, ValueError, TypeError) as exc:
        return 400, {"error": str(exc)}


async def _dispatch(
    sim: TrackingTimeInstance, method: str, path: str, query: dict[str, str], raw: bytes
) -> tuple[int, Any]:
    route = (method, path)
    if route == ("GET", "/_admin"):
        return 200, {"endpoints": ENDPOINTS}
    if route == ("GET", "/_admin/state"):
        return 200, sim.snapshot()
    if route == ("GET", "/_admin/requests"):
        items = sim.request_log(
            path_contains=query.get("path_contains"), method=query.get("method")
        )
        return 200, {"count": len(items), "requests": items}
    if route == ("DELETE", "/_admin/requests"):
        sim.clear_requests()
        return 200, {"count": 0}
    if route == ("POST", "/_admin/reset"):
        body = _body(raw)
        seed = body.get("seed", query.get("seed"))
        sim.reset(int(seed) if seed is not None else None)
        return 200, {"ok": True, "seed": sim.config.seed, "account_id": sim.account_id}
    if route == ("GET", "/_admin/clock"):
        return 200, {"now": sim.now().isoformat()}
    if route == ("POST", "/_admin/clock") or route == ("PUT", "/_admin/clock"):
        body = _body(raw)
        if "now" in body:
            sim.set_clock(datetime.fromisoformat(str(body["now"]).replace("Z", "+00:00")))
        elif "advance_seconds" in body:
            sim.advance_clock(float(body["advance_seconds"]))
        else:
            raise _Bad(400, "give 'now' or 'advance_seconds'")
        return 200, {"now": sim.now().isoformat()}
    if route == ("GET", "/_admin/config"):
        return 200, sim.config.model_dump()
    if method in ("PATCH", "POST", "PUT") and path == "/_admin/config":
        return 200, sim.configure(**_body(raw)).model_dump()
    if route == ("GET", "/_admin/faults"):
        return 200, sim.faults.config.model_dump()
    if method in ("PATCH", "POST", "PUT") and path == "/_admin/faults":
        body = _body(raw)
        if method == "PUT":
            sim.clear_faults()
        return 200, sim.set_faults(**body).model_dump()
    if route == ("DELETE", "/_admin/faults"):
        sim.clear_faults()
        return 200, sim.faults.config.model_dump()
    if route == ("POST", "/_admin/signups"):
        body = _body(raw)
        if not body.get("email"):
            raise _Bad(400, "'email' is required")
        signup = sim.simulate_signup(
            str(body["email"]),
            name=str(body.get("name", "New")),
            surname=str(body.get("surname", "User")),
            account_id=int(body["account_id"]) if body.get("account_id") else None,
            role=str(body.get("role", "CO_WORKER")).upper(),
            password=body.get("password"),
        )
        return 201, signup.__dict__
    if route == ("POST", "/_admin/app_passwords"):
        body = _body(raw)
        if body.get("user_id") is None:
            raise _Bad(400, "'user_id' is required")
        return 201, {
            "user_id": int(body["user_id"]),
            "app_password": sim.add_app_password(int(body["user_id"])),
        }
    if route == ("GET", "/_admin/credentials"):
        return 200, {"account_id": sim.account_id, "users": sim.credentials()}
    if route == ("GET", "/_admin/webhooks/deliveries"):
        items = [d.public() for d in sim.deliveries]
        return 200, {"count": len(items), "deliveries": items}
    if route == ("DELETE", "/_admin/webhooks/deliveries"):
        sim.webhooks.clear()
        return 200, {"count": 0}
    if route == ("POST", "/_admin/webhooks/flush"):
        await sim.drain_webhooks(float(query.get("timeout", "10")))
        return 200, {"pending": sim.webhooks.pending}
    raise _Bad(404, f"no admin endpoint {method} {path}; see GET /_admin")
