"""A tiny fake GHL for unit tests: just enough routes, driven by httpx2.MockTransport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx2
from pydantic import SecretStr

from ghltt.connectors.ghl import OAuthTokens
from ghltt.core import FixedClock

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def tokens(access: str, refresh: str | None, *, expires_in: float = 3600) -> OAuthTokens:
    return OAuthTokens(
        access_token=SecretStr(access),
        refresh_token=SecretStr(refresh) if refresh else None,
        expires_at=T0 + timedelta(seconds=expires_in),
        user_type="Location",
        location_id="loc1",
    )


class FakeTokenServer:
    """``/oauth/token`` with single-use rotating refresh tokens, and a protected resource."""

    def __init__(self, clock: FixedClock, *, delay: float = 0.01) -> None:
        self.clock = clock
        self.delay = delay
        self.refreshes = 0
        self.valid_access: set[str] = {"a0"}
        self.valid_refresh: set[str] = {"r0"}
        self.location_mints = 0
        self.log: list[str] = []

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        await asyncio.sleep(self.delay)
        path = request.url.path
        if path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if form.get("refresh_token") not in self.valid_refresh:
                return httpx2.Response(
                    400, json={"error": "invalid_grant", "error_description": "invalid"}
                )
            self.valid_refresh.discard(form["refresh_token"])
            self.refreshes += 1
            access, refresh = f"a{self.refreshes}", f"r{self.refreshes}"
            self.valid_access = {access}
            self.valid_refresh.add(refresh)
            self.log.append(f"refresh->{access}")
            body = {"access_token": access, "refresh_token": refresh, "expires_in": 86399,
                    "userType": "Location", "locationId": "loc1"}  # fmt: skip
            return httpx2.Response(200, json=body)
        if path == "/oauth/locationToken":
            self.location_mints += 1
            if request.headers.get("Authorization") != f"Bearer {next(iter(self.valid_access))}":
                return httpx2.Response(401, json={"statusCode": 401, "message": "Invalid JWT"})
            body = {"access_token": f"loc-{self.location_mints}", "expires_in": 86399,
                    "locationId": "loc1"}  # fmt: skip
            self.valid_access.add(f"loc-{self.location_mints}")
            return httpx2.Response(200, json=body)
        auth = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.log.append(f"use:{auth}")
        if auth not in self.valid_access:
            return httpx2.Response(401, json={"statusCode": 401, "message": "Invalid JWT"})
        return httpx2.Response(200, json={"contact": {"id": "c1"}})


def json_handler(
    routes: dict[tuple[str, str], Callable[[httpx2.Request], httpx2.Response]],
) -> httpx2.MockTransport:
    def handle(request: httpx2.Request) -> httpx2.Response:
        route = routes.get((request.method, request.url.path))
        if route is None:
            return httpx2.Response(404, text=f"Cannot {request.method} {request.url.path}")
        return route(request)

    return httpx2.MockTransport(handle)


def body_of(request: httpx2.Request) -> Any:
    return json.loads(request.content) if request.content else None
