"""The ASGI app: ``/api/v4[/{account_id}]/...`` in TrackingTime's conventions, and ``/_admin``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ghltt.sandbox.trackingtime.admin import handle_admin
from ghltt.sandbox.trackingtime.auth import authenticate
from ghltt.sandbox.trackingtime.envelope import ApiError, envelope, error_envelope
from ghltt.sandbox.trackingtime.instance import TrackingTimeInstance
from ghltt.sandbox.trackingtime.params import Params, merge_params
from ghltt.sandbox.trackingtime.requestlog import LoggedRequest
from ghltt.sandbox.trackingtime.router import Ctx, Reply
from ghltt.sandbox.trackingtime.routes import build_router

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("ghltt.sandbox.trackingtime")

PREFIX = "/api/v4"
JSON_TYPE = "application/json;charset=UTF-8"
HTML_ERROR = (
    "<!doctype html><html><head><title>HTTP Status {code}</title></head>"
    "<body><h1>HTTP Status {code} - {reason}</h1></body></html>"
)
REASONS = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class _Answer:
    def __init__(
        self,
        status: int,
        body: bytes,
        media_type: str = JSON_TYPE,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.media_type = media_type
        self.headers = headers or {}


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> _Answer:
    return _Answer(status, json.dumps(payload, default=str).encode(), JSON_TYPE, headers)


def _html(status: int) -> _Answer:
    text = HTML_ERROR.format(code=status, reason=REASONS.get(status, "Error"))
    return _Answer(status, text.encode(), "text/html;charset=utf-8")


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(send: Send, answer: _Answer) -> None:
    headers = [
        (b"content-type", answer.media_type.encode()),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    headers += [(k.lower().encode(), v.encode()) for k, v in answer.headers.items()]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def build_app(sim: TrackingTimeInstance) -> ASGIApp:
    router = build_router()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope["path"]
        method: str = scope["method"].upper()
        query = scope.get("query_string", b"").decode("latin-1")
        if path == "/_admin" or path.startswith("/_admin/"):
            status, payload = await handle_admin(sim, method, path, query, body)
            await _send(send, _json(status, payload))
            return
        entry = sim.requests.start(at=sim.now().isoformat(), method=method, path=path, query=query)
        entry.user_agent = headers.get("user-agent")
        entry.content_type = headers.get("content-type")
        answer = await _api(sim, router, entry, method, path, query, headers, body)
        entry.http_status = answer.status
        await _send(send, answer)

    return app


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _finish(
    sim: TrackingTimeInstance,
    entry: LoggedRequest,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> _Answer:
    status = int(body["response"]["status"])
    entry.status = status
    entry.message = body["response"]["message"]
    http_status = 200
    if status == 401:
        http_status = 401
    elif sim.config.http_status_mirrors_envelope:
        http_status = status
    return _json(http_status, body, headers)


async def _api(
    sim: TrackingTimeInstance,
    router: Any,
    entry: LoggedRequest,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
) -> _Answer:
    faults = sim.faults
    fault = None
    if faults.applies(path):
        delay = faults.latency_s()
        if delay:
            await asyncio.sleep(delay)
        fault = faults.before()
    if fault is not None:
        entry.fault = fault.kind
        if fault.kind == "timeout":
            # Hold the answer long enough for the client's timeout to fire first.
            await asyncio.sleep(faults.config.timeout_s)
            return _html(504)
        if fault.kind == "http_429":
            entry.status = 429
            return _json(
                429,
                error_envelope(429, "Too many requests"),
                {"Retry-After": str(faults.config.retry_after_s)},
            )
        if fault.kind == "http_5xx":
            return _html(fault.status)
        return _finish(sim, entry, error_envelope(500, "Internal server error"))

    if not (path == PREFIX or path.startswith(PREFIX + "/")):
        entry.status = 404
        return _json(404, error_envelope(404, sim.config.unknown_endpoint_message))
    if sim.config.require_user_agent and not headers.get("user-agent"):
        entry.status = 400
        return _json(400, error_envelope(400, "A User-Agent header is required"))

    with sim.lock:
        principal = authenticate(
            sim.state, headers.get("authorization"), accept_bearer=sim.config.accept_bearer
        )
    if principal is None:
        return _finish(
            sim,
            entry,
            error_envelope(401, "Unauthorized"),
            {"WWW-Authenticate": 'Basic realm="TrackingTime"'},
        )
    entry.auth = principal.method
    entry.user_id = principal.user.id
    if sim.rate_limited(principal.credential_key):
        entry.status = 429
        return _json(429, error_envelope(429, "Too many requests"), {"Retry-After": "60"})

    segments = [s for s in path[len(PREFIX) :].split("/") if s]
    account_id: int | None = None
    if segments and segments[0].isdigit():
        account_id = int(segments.pop(0))
    endpoint = "/".join(segments)
    entry.endpoint = endpoint
    user = principal.user
    if account_id is None:
        account_id = user.default_account_id
    entry.account_id = account_id
    member = user.memberships.get(account_id)
    account = sim.state.accounts.get(account_id)
    if member is None or account is None:
        return _finish(sim, entry, error_envelope(403, "You don't have access to this account"))
    if member.is_archived:
        return _finish(sim, entry, error_envelope(401, "Unauthorized"))

    found = router.match(endpoint)
    if found is None:
        return _finish(
            sim,
            entry,
            error_envelope(sim.config.unknown_endpoint_status, sim.config.unknown_endpoint_message),
        )
    route, args = found
    allowed = {"GET", "POST", "PUT"} | ({"DELETE"} if route.allow_delete else set())
    if method not in allowed:
        return _html(405)
    if sim.config.strict_methods and route.html_on_post and method == "POST":
        # FICUS: POST on users/customers close/open answered an HTML error page.
        return _html(405)

    try:
        values = merge_params(query, headers.get("content-type", ""), body)
    except ApiError as exc:
        return _finish(sim, entry, error_envelope(exc.status, exc.message))
    entry.params = {k: v for k, v in values.items() if k not in ("password", "token")}

    with sim.lock:
        ctx = Ctx(
            sim.state, account, principal, sim.now(), sim.config, Params(values), args, method
        )
        before = dict(sim.state.counters)
        try:
            result = route.handler(ctx)
        except ApiError as exc:
            sim.state.discard_created(before)
            return _finish(sim, entry, error_envelope(exc.status, exc.message))
        except Exception:
            # Never a traceback to the client: the real API answers an in-band 500.
            log.exception("simulator handler failed: %s %s", method, path)
            sim.state.discard_created(before)
            return _finish(sim, entry, error_envelope(500, "Internal server error"))
        deliveries = sim.webhooks.build(sim.state, ctx.emissions, ctx.now)
    sim.webhooks.submit(deliveries)

    late = faults.after_commit() if faults.applies(path) else None
    if late is not None:
        entry.fault = late.kind
        return _html(late.status)
    if isinstance(result, Reply):
        if result.text is not None:
            entry.status = 200
            return _Answer(200, result.text.encode(), result.media_type)
        if result.bare is not None:
            entry.status = 200
            return _json(200, result.bare)
        return _finish(sim, entry, envelope(result.data, siblings=result.siblings))
    return _finish(sim, entry, envelope(result))
