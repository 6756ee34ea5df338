"""Over a real loopback socket: what a separate client process would see."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.sandbox.trackingtime.conftest import Receiver, creds
from tests.support.server import serve_asgi


@pytest.fixture
def served(sim: TrackingTimeSimulator) -> Iterator[str]:
    with serve_asgi(sim.app) as url:
        yield url


def test_client_flow_over_http(sim: TrackingTimeSimulator, served: str) -> None:
    auth = ("API_TOKEN", creds(sim)["app_password"])
    with httpx2.Client(base_url=f"{served}/api/v4", auth=auth) as c:
        teams = c.get("/teams").json()["data"]
        account = teams[0]["account_id"]
        event = c.get(
            f"/{account}/events/add",
            params={
                "start": "2026-03-10 07:00:00",
                "end": "2026-03-10 07:45:00",
                "project_name": "Website Redesign",
            },
        ).json()["data"]
        assert event["duration"] == 2700 and event["task_visibility"] == "HIDDEN"
        assert c.get("/me", auth=("API_TOKEN", "wrong")).status_code == 401
    with httpx2.Client(base_url=served) as admin:
        assert admin.get("/_admin/requests").json()["count"] == 3


def test_timeout_fault_outlasts_the_client(sim: TrackingTimeSimulator, served: str) -> None:
    sim.set_faults(timeout_rate=1.0, timeout_s=1.0)
    auth = ("API_TOKEN", creds(sim)["app_password"])
    with (
        httpx2.Client(base_url=served, auth=auth, timeout=0.2) as c,
        pytest.raises(httpx2.TimeoutException),
    ):
        c.get("/api/v4/me")


def test_webhooks_from_a_served_simulator(sim: TrackingTimeSimulator, served: str) -> None:
    """Deliveries run on the server's loop; the test waits from its own thread."""
    rx = Receiver()
    auth = ("API_TOKEN", creds(sim)["app_password"])
    with (
        serve_asgi(rx) as hook_url,
        httpx2.Client(base_url=f"{served}/api/v4/1725", auth=auth) as c,
    ):
        c.get("/webhooks/add", params={"url": hook_url, "events": "event.created"})
        c.post(
            "/events/add",
            json={
                "start": "2026-03-10 07:00:00",
                "end": "2026-03-10 08:00:00",
                "task_id": 94656212107,
            },
        )
        assert sim.webhooks.wait_idle(5)
        assert len(rx.received) == 1
