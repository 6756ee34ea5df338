"""The request pipeline every API route shares, in the order the real API checks things
(reference §13): Version → token → rate limit → auth class → scope → location → DTO → rules."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ghltt.sandbox.ghl.auth import TokenInfo
from ghltt.sandbox.ghl.errors import (
    MSG_AUTH_CLASS,
    ApiError,
    contact_not_found,
    forbidden_location,
    scope_error,
    unprocessable,
)
from ghltt.sandbox.ghl.ids import trace_id
from ghltt.sandbox.ghl.instance import GhlInstance
from ghltt.sandbox.ghl.state import Location, Record
from ghltt.sandbox.ghl.timeutil import iso_ms

Result = tuple[int, dict[str, Any]]
Handler = Callable[["Ctx"], Result]
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class Ctx:
    """What a handler gets: the simulator, the caller's token and the parsed request."""

    sim: GhlInstance
    request: Request
    token: TokenInfo
    body: Any
    trace_id: str

    @property
    def params(self) -> dict[str, str]:
        return dict(self.request.path_params)

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params)

    def now(self) -> str:
        return iso_ms(self.sim.clock.now())

    def location(self, location_id: Any, *, name: str = "locationId") -> Location:
        """The location a request names; 422 when missing, 403 when not the token's."""
        if not isinstance(location_id, str) or not location_id:
            raise unprocessable([f"{name} should not be empty", f"{name} must be a string"])
        return self.own_location(location_id)

    def own_location(self, location_id: str) -> Location:
        location = self.sim.state.locations.get(location_id)
        if self.token.user_type == "Company":
            if location is None or location.company_id != self.token.company_id:
                raise forbidden_location()
            return location
        if location_id != self.token.location_id or location is None:
            raise forbidden_location()
        return location

    def home(self) -> Location:
        """The location of a sub-account token (routes without a locationId parameter)."""
        assert self.token.location_id is not None
        return self.sim.state.locations[self.token.location_id]

    def contact(self, contact_id: str) -> Record:
        record = self.sim.state.contacts.get(contact_id)
        if record is None:
            raise contact_not_found(contact_id)
        self.own_location(record["locationId"])
        return record

    def emit(self, event_type: str, location_id: str, fields: Record) -> None:
        self.sim.emit(event_type, location_id, fields)


def check_version(request: Request, accepted: tuple[str, ...]) -> None:
    version = request.headers.get("version")
    if version is None:
        raise ApiError(401, "version header was not found.")
    if version not in accepted:
        raise ApiError(401, "version header is invalid")


def _reject_constant(name: str) -> Any:
    # JavaScript's JSON.parse has no NaN or Infinity; neither does the real API.
    raise json.JSONDecodeError(f"Unexpected token {name[0]}", name, 0)


async def read_json(request: Request) -> Any:
    """The JSON body, None when empty; malformed JSON is a 400 like Express's body-parser."""
    raw = await request.body()
    if not raw.strip():
        return None
    content_type = request.headers.get("content-type", "application/json")
    if "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if "json" not in content_type:
        return None
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ApiError(400, "Unexpected token in JSON at position 0") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"Unexpected token in JSON at position {exc.pos}") from None


async def apply_faults(sim: GhlInstance) -> None:
    fault = sim.faults.for_request()
    if fault.latency_s:
        await asyncio.sleep(fault.latency_s)
    if fault.hang_s:
        await asyncio.sleep(fault.hang_s)
    if fault.error_status is not None:
        raise ApiError(fault.error_status, "Internal server error", error=None)


def api(
    scope: str | None,
    *,
    agency: bool = False,
    company_only: bool = False,
    versioned: bool = True,
) -> Callable[[Handler], Endpoint]:
    """Wrap a synchronous handler in the shared checks. ``agency``: Company tokens allowed too;
    ``company_only``: only Company tokens (e.g. /oauth/locationToken)."""

    def wrap(handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            sim: GhlInstance = request.app.state.sim
            trace = trace_id()
            request.state.trace_id = trace
            sim.webhooks.ensure_running()
            rate_headers: dict[str, str] = {}
            try:
                await apply_faults(sim)
                if versioned:
                    check_version(request, sim.config.accepted_versions)
                token = sim.tokens.authenticate(request.headers.get("authorization"))
                request.state.location_id = token.resource_id
                key = (token.app_key, token.resource_id)
                if sim.faults.take_storm():
                    raise ApiError(
                        429,
                        "Too Many Requests",
                        error=None,
                        headers=sim.ratelimit.exhausted_headers(key),
                    )
                allowed, rate_headers = sim.ratelimit.hit(key)
                if not allowed:
                    raise ApiError(429, "Too Many Requests", error=None)
                if (token.user_type == "Company" and not (agency or company_only)) or (
                    company_only and token.user_type != "Company"
                ):
                    raise ApiError(401, MSG_AUTH_CLASS, error=None)
                if scope is not None and scope not in token.scopes:
                    raise scope_error()
                body = await read_json(request) if request.method != "GET" else None
                with sim.lock:
                    status, payload = handler(Ctx(sim, request, token, body, trace))
            except ApiError as exc:
                return exc.response(trace, rate_headers)
            return JSONResponse(payload, status_code=status, headers=rate_headers)

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    return wrap
