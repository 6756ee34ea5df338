"""Webhook intake: GHL (marketplace app and workflow webhooks) and TrackingTime.

The same hot path as ``/api/events``: plain Starlette endpoints, verify, normalise into
events, commit through the group-committing intake, then answer. GHL retries only on 429, so
whenever the store cannot take an event the GHL endpoints answer 429 with ``Retry-After``.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import orjson
import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from ghltt.bridges import ghl_webhook_keys
from ghltt.connectors.ghl import event_from_workflow
from ghltt.connectors.ghl.webhooks import WebhookRejected, WebhookVerifier
from ghltt.connectors.trackingtime.webhooks import WebhookVerificationError, parse_delivery
from ghltt.connectors.trackingtime.webhooks import WebhookVerifier as TTWebhookVerifier
from ghltt.core import Event, InvalidInput, StoreUnavailable
from ghltt.store.routing import BridgeRoute, bridge_by_id, bridges_for_ghl_account
from ghltt.vault import handle_install_event, handle_uninstall_event
from ghltt.web import metrics
from ghltt.web.auth import services
from ghltt.web.connections_api import bridge_services
from ghltt.web.errors import problem
from ghltt.web.intake_writer import IntakeOverloaded
from ghltt.web.refusals import UNKNOWN_BRIDGE, RefusalLog
from ghltt.web.responses import JSONResponse

log = structlog.get_logger(__name__)

UNROUTED = "unrouted"  # events of a location no bridge serves yet: kept, visible, not lost
WORKFLOW_SECRET_HEADER = "x-ghltt-secret"


class _TTLCache:
    """Lookups re-read after ``ttl`` seconds; a miss re-reads at most once a second."""

    def __init__(self, ttl: float = 5.0) -> None:
        self._ttl = ttl
        self._items: dict[str, tuple[float, Any]] = {}

    async def get(self, key: str, load: Callable[[], Any], *, stale: bool = False) -> Any:
        """``stale=True``: the caller found the cached value wrong; re-read if a second old."""
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None:
            age = now - hit[0]
            fresh = age < self._ttl and not ((stale or not hit[1]) and age >= 1)
            if fresh:
                return hit[1]
        value = await anyio.to_thread.run_sync(load)
        self._items[key] = (now, value)
        return value

    def clear(self) -> None:
        self._items.clear()


class HookState:
    """Per-app caches, so a burst of webhooks costs no store reads for routing or tokens, and
    the log of refusals."""

    def __init__(self) -> None:
        self.routes = _TTLCache()
        self.tt_tokens = _TTLCache()
        self.verifiers: dict[str, WebhookVerifier] = {}
        self.refusals = RefusalLog()


def hook_state(app: Any) -> HookState:
    state: HookState | None = getattr(app.state, "hooks", None)
    if state is None:
        state = app.state.hooks = HookState()
    return state


def _state(request: Request) -> HookState:
    return hook_state(request.app)


def _refuse(
    request: Request,
    status: int,
    *,
    bridge: str,
    reason: str,
    detail: str,
    answer: str | None = None,
) -> HTTPException:
    """The refusal, logged (rate-limited) and counted; raise what this returns. ``answer``
    replaces ``detail`` in the response where the detail would tell a prober too much."""
    _state(request).refusals.refused(
        bridge=bridge, reason=reason, endpoint=request.url.path.split("?")[0], detail=detail
    )
    return HTTPException(status, detail=f"webhook refused: {answer or detail}")


# One answer for an unknown bridge and a wrong credential, so bridge ids cannot be probed.
_TT_UNAUTHORIZED = "not signed with a TrackingTime webhook token of this bridge"
_WORKFLOW_UNAUTHORIZED = "wrong bridge secret"


def _ghl_verifier(state: HookState, route: BridgeRoute | None) -> WebhookVerifier:
    """GHL's published keys, or the bridge's own (``ghltt bridges set NAME
    ghl_webhook_public_key=@file``; the sandbox's simulator keys); unsigned only if asked."""
    settings = route.settings if route else {}
    keys = ghl_webhook_keys(settings)
    insecure = bool(route and route.mode == "sandbox" and settings.get("insecure_webhooks"))
    cache_key = orjson.dumps([keys, insecure], option=orjson.OPT_SORT_KEYS).decode()
    verifier = state.verifiers.get(cache_key)
    if verifier is None:
        options: dict[str, Any] = {"allow_unsigned": insecure}
        if keys.get("ed25519"):
            options["ed25519_public_keys"] = tuple(keys["ed25519"])
        if keys.get("rsa"):
            options["rsa_public_keys"] = tuple(keys["rsa"])
        verifier = state.verifiers[cache_key] = WebhookVerifier(**options)
    return verifier


async def _commit(request: Request, events: list[Event], *, busy_status: int) -> JSONResponse:
    try:
        accepted = await services(request).intake.submit(events)
    except (IntakeOverloaded, StoreUnavailable) as exc:
        metrics.EVENTS_REFUSED.labels(type(exc).__name__).inc()
        error = "overloaded" if isinstance(exc, IntakeOverloaded) else "store_unavailable"
        return problem(busy_status, error, str(exc), headers={"Retry-After": "5"})
    results = []
    for event, result in zip(events, accepted, strict=True):
        counter = metrics.EVENTS_DUPLICATE if result.duplicate else None
        if counter is not None:
            counter.labels(event.source.value).inc()
        else:
            metrics.EVENTS_ACCEPTED.labels(event.source.value, event.origin.value).inc()
        results.append(
            {"bridge": event.bridge, "event_id": result.event_id, "duplicate": result.duplicate}
        )
    return JSONResponse({"accepted": results}, status_code=200)


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", where="body") from None
    if not isinstance(payload, dict):
        raise InvalidInput("must be a JSON object", where="body")
    return payload


async def ghl_webhook(request: Request) -> JSONResponse:
    """POST /webhooks: every GHL marketplace webhook, routed to bridges by its location."""
    if not _is_json(request):
        detail = "send the body as JSON with Content-Type: application/json"
        raise _refuse(request, 415, bridge=UNROUTED, reason="not_json", detail=detail)
    body = await request.body()
    try:
        payload = _json_object(body)
    except InvalidInput as exc:
        raise _refuse(request, 400, bridge=UNROUTED, reason="malformed", detail=str(exc)) from None
    account = str(payload.get("locationId") or payload.get("companyId") or "")
    db = services(request).db
    state = _state(request)
    routes: list[BridgeRoute] = (
        await state.routes.get(account, lambda: bridges_for_ghl_account(db, account))
        if account
        else []
    )
    events = []
    targets: list[BridgeRoute | None] = list(routes) or [None]
    bridge = UNROUTED
    try:
        for route in targets:
            bridge = route.id if route else UNROUTED
            verifier = _ghl_verifier(state, route)
            events.append(verifier.parse(body, request.headers, bridge=bridge))
    except WebhookRejected as exc:
        status = 400 if exc.reason == "malformed" else 401
        raise _refuse(request, status, bridge=bridge, reason=exc.reason, detail=str(exc)) from None
    if payload.get("type") in {"INSTALL", "UNINSTALL"}:
        await _install_or_uninstall(request, payload)
    return await _commit(request, events, busy_status=429)


async def _install_or_uninstall(request: Request, payload: dict[str, Any]) -> None:
    connections = bridge_services(request).connections
    handler: Callable[[Any, dict[str, Any]], Awaitable[Any]] = (
        handle_install_event if payload["type"] == "INSTALL" else handle_uninstall_event
    )
    await handler(connections, payload)
    _state(request).routes.clear()  # a new or retired connection changes where events go


async def _bridge(request: Request, *, stale: bool = False) -> BridgeRoute | None:
    """The bridge of the path, or None: callers answer that as a wrong credential."""
    bridge_id = request.path_params["bridge"]
    db = services(request).db
    route: BridgeRoute | None = await _state(request).routes.get(
        f"bridge:{bridge_id}", lambda: bridge_by_id(db, bridge_id), stale=stale
    )
    return route


def _unknown_bridge(request: Request, answer: str) -> HTTPException:
    detail = f"no bridge {request.path_params['bridge'][:64]!r}"
    return _refuse(
        request, 401, bridge=UNKNOWN_BRIDGE, reason="unknown_bridge", detail=detail, answer=answer
    )


async def _verify_tt(request: Request, bridge_id: str, body: bytes, *, stale: bool) -> None:
    bridges = bridge_services(request).bridges
    tokens: list[str] = await _state(request).tt_tokens.get(
        bridge_id, lambda: bridges.webhooks.tokens(bridge_id), stale=stale
    )
    if not tokens:
        raise WebhookVerificationError("this bridge has registered no TrackingTime webhook")
    TTWebhookVerifier(tuple(tokens)).verify(body, request.headers)


async def tt_webhook(request: Request) -> JSONResponse:
    """POST /hooks/tt/{bridge}: TrackingTime deliveries, checked against the bridge's tokens."""
    route = await _bridge(request)
    if route is None:
        raise _unknown_bridge(request, _TT_UNAUTHORIZED)
    body = await request.body()
    try:
        await _verify_tt(request, route.id, body, stale=False)
    except WebhookVerificationError:
        # The bridge may have registered a webhook since the tokens were cached (a hook is
        # replaced when its subscription widens): look again, at most once a second.
        try:
            await _verify_tt(request, route.id, body, stale=True)
        except WebhookVerificationError as exc:
            raise _refuse(
                request,
                401,
                bridge=route.id,
                reason="bad_token",
                detail=str(exc),
                answer=_TT_UNAUTHORIZED,
            ) from None
    zone = str(route.settings.get("tt_timezone") or "UTC")
    try:
        events = parse_delivery(body, bridge=route.id, zone=zone)
    except (ValueError, KeyError, TypeError) as exc:
        detail = f"body: not a TrackingTime delivery: {type(exc).__name__}"
        raise _refuse(request, 400, bridge=route.id, reason="malformed", detail=detail) from None
    if not events:
        return JSONResponse({"accepted": []}, status_code=200)
    return await _commit(request, events, busy_status=503)


async def ghl_workflow_webhook(request: Request) -> JSONResponse:
    """POST /hooks/ghl-workflow/{bridge}: a GHL workflow's Webhook action (no signature).

    Authenticated by the bridge's own secret, in the ``X-Ghltt-Secret`` header or the
    ``secret`` query parameter (GHL workflows can set neither headers nor signatures). The
    event's kind is the custom data's ``ghltt_event`` (see docs/ghl-workflows.md).
    """
    given = request.headers.get(WORKFLOW_SECRET_HEADER) or request.query_params.get("secret")
    if not given:
        detail = "missing bridge secret (header X-Ghltt-Secret or ?secret=)"
        raise _refuse(request, 401, bridge=UNKNOWN_BRIDGE, reason="no_secret", detail=detail)
    route = await _bridge(request)
    if route is None or not await _secret_matches(request, route, given):
        # The bridge or its secret may be newer than the cache: look again, at most once a second.
        route = await _bridge(request, stale=True)
        if route is None:
            raise _unknown_bridge(request, _WORKFLOW_UNAUTHORIZED)
        if not await _secret_matches(request, route, given):
            raise _refuse(
                request, 401, bridge=route.id, reason="bad_secret", detail=_WORKFLOW_UNAUTHORIZED
            )
    body = await request.body()
    try:
        event = event_from_workflow(_json_object(body), body, bridge=route.id)
    except InvalidInput as exc:
        raise _refuse(request, 400, bridge=route.id, reason="malformed", detail=str(exc)) from None
    except ValueError as exc:  # the Event refused a field (a kind or id out of shape)
        detail = f"body: {str(exc).splitlines()[0][:200]}"
        raise _refuse(request, 400, bridge=route.id, reason="malformed", detail=detail) from None
    return await _commit(request, [event], busy_status=429)


async def _secret_matches(request: Request, route: BridgeRoute, given: str) -> bool:
    expected = await anyio.to_thread.run_sync(_workflow_secret, request, route)
    return expected is not None and hmac.compare_digest(given.encode(), expected.encode())


def _workflow_secret(request: Request, route: BridgeRoute) -> str | None:
    ref = route.settings.get("workflow_secret_ref")
    if not ref:
        return None
    record = bridge_services(request).vault.find(str(ref))
    return str(record.payload["secret"]) if record else None


def routes() -> list[Route]:
    return [
        Route("/webhooks", ghl_webhook, methods=["POST"]),
        Route("/hooks/ghl", ghl_webhook, methods=["POST"]),
        Route("/hooks/tt/{bridge}", tt_webhook, methods=["POST"]),
        Route("/hooks/ghl-workflow/{bridge}", ghl_workflow_webhook, methods=["POST"]),
    ]
