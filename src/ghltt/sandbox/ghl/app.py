"""The ASGI app: API routes, OAuth, admin, the request log and NestJS-style fallbacks."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ghltt.sandbox.ghl import admin
from ghltt.sandbox.ghl.errors import route_not_found
from ghltt.sandbox.ghl.ids import trace_id
from ghltt.sandbox.ghl.instance import GhlInstance, RequestLogEntry
from ghltt.sandbox.ghl.routes import (
    businesses,
    calendar_admin,
    calendars,
    contacts,
    conversations,
    custom_fields,
    locations,
    marketing,
    notes,
    oauth,
    objects,
    opportunities,
    products,
    tags,
    tasks,
    users,
)
from ghltt.sandbox.ghl.timeutil import iso_ms


class RequestLog:
    """Records every non-admin request: method, path, status, location, time, and the
    ``Version`` header it sent (which API version a client speaks is its own choice)."""

    def __init__(self, app: ASGIApp, sim: GhlInstance) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_admin"):
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        started = time.perf_counter()
        when = iso_ms(self.sim.clock.now())
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            state = scope.get("state", {})
            entry: RequestLogEntry = RequestLogEntry(
                method=scope["method"],
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                status=status,
                location_id=state.get("location_id"),
                time=when,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                trace_id=state.get("trace_id"),
                version=_header(scope, b"version"),
            )
            self.sim.log_request(entry)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _not_found(request: Request, exc: Exception) -> Response:
    return route_not_found(request.method, request.url.path).response(trace_id())


async def _server_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"statusCode": 500, "message": "Internal server error"}, status_code=500)


async def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code not in (404, 405):
        return JSONResponse(
            {"statusCode": exc.status_code, "message": exc.detail}, status_code=exc.status_code
        )
    return await _not_found(request, exc)


def build_app(sim: GhlInstance) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sim.webhooks.ensure_running()
        try:
            yield
        finally:
            await sim.aclose()

    routes = [
        *admin.routes,
        *oauth.routes,
        *contacts.routes,
        *tasks.routes,
        *notes.routes,
        *tags.routes,
        *businesses.routes,
        *custom_fields.routes,
        *users.routes,
        *calendar_admin.routes,  # before calendars: /calendars/groups is not a calendar id
        *calendars.routes,
        *opportunities.routes,
        *locations.routes,
        *conversations.routes,
        *marketing.routes,
        *objects.routes,
        *products.routes,
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.sim = sim
    app.add_middleware(RequestLog, sim=sim)
    return app
