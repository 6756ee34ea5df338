"""Fixtures: a simulator on a frozen clock and an httpx2 client wired to it in-process."""

from __future__ import annotations

import base64
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from ghltt.core.clock import FixedClock
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.support.server import serve_asgi

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # Tuesday; New York is on EDT since Mar 8
BASE = "https://api.trackingtime.co"
ACCOUNT = 1725


@pytest.fixture
def sim() -> TrackingTimeSimulator:
    return TrackingTimeSimulator(clock=FixedClock(NOW))


def creds(sim: TrackingTimeSimulator, role: str = "ADMIN") -> dict[str, Any]:
    return next(c for c in sim.credentials() if c["role"] == role)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def make_client(sim: TrackingTimeSimulator, role: str = "ADMIN") -> httpx2.AsyncClient:
    return httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=sim.app),
        base_url=BASE,
        auth=("API_TOKEN", creds(sim, role)["app_password"]),
        headers={"User-Agent": "ghltt-tests/1.0 (tests@example.com)"},
    )


@pytest.fixture
async def client(sim: TrackingTimeSimulator) -> AsyncIterator[httpx2.AsyncClient]:
    async with make_client(sim) as c:
        yield c


@pytest.fixture
async def coworker(sim: TrackingTimeSimulator) -> AsyncIterator[httpx2.AsyncClient]:
    async with make_client(sim, "CO_WORKER") as c:
        yield c


async def call(client: httpx2.AsyncClient, path: str, method: str = "GET", **kw: Any) -> Any:
    """The envelope of an account-scoped call; asserts the transport-level 200."""
    response = await client.request(method, f"/api/v4/{ACCOUNT}/{path}", **kw)
    assert response.status_code == 200, response.text
    return response.json()


async def ok(client: httpx2.AsyncClient, path: str, method: str = "GET", **kw: Any) -> Any:
    body = await call(client, path, method, **kw)
    assert body["response"]["status"] == 200, body["response"]
    return body["data"]


class Receiver:
    """A loopback webhook receiver that records requests and answers scripted statuses."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        with self.lock:
            status = self.statuses.pop(0) if self.statuses else 200
            self.received.append(
                {
                    "path": scope["path"],
                    "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
                    "body": body,
                    "status": status,
                }
            )
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    rx = Receiver()
    with serve_asgi(rx) as url:
        yield rx, url
