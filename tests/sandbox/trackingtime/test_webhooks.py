"""Outgoing webhooks: registration, deliveries to a real loopback receiver, retries, faults."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx2
import pytest

from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.sandbox.trackingtime.conftest import Receiver, make_client, ok

pytestmark = pytest.mark.anyio

TASK = 94656212107
ENTRY = {"start": "2026-03-10 07:00:00", "end": "2026-03-10 08:00:00", "task_id": TASK}


async def register(client: httpx2.AsyncClient, url: str, events: str, **extra: str) -> Any:
    return await ok(client, "webhooks/add", params={"url": url, "events": events, **extra})


async def test_event_created_and_updated_reach_the_receiver(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient, receiver: tuple[Receiver, str]
) -> None:
    rx, url = receiver
    hook = await register(client, f"{url}/hooks/tt", "event.created,event.updated")
    created = await ok(client, "events/add", params=ENTRY)
    await ok(client, f"events/update/{created['id']}", params={"notes": "edited"})
    await ok(client, "customers/add", "POST", data={"name": "No hook for this"})
    await sim.drain_webhooks()
    assert [json.loads(r["body"])["event"] for r in rx.received] == [
        "event.created",
        "event.updated",
    ]
    first = rx.received[0]
    payload = json.loads(first["body"])
    assert first["path"] == "/hooks/tt"
    assert payload["account_id"] == 1725 and payload["webhook_id"] == hook["id"]
    assert payload["data"]["id"] == created["id"] and payload["data"]["duration"] == 3600
    assert payload["created_at"] == "2026-03-10 11:00:00"
    headers = first["headers"]
    assert headers["x-trackingtime-token"] == hook["secret"]
    expected = hmac.new(hook["secret"].encode(), first["body"], hashlib.sha256).hexdigest()
    assert headers["x-trackingtime-signature"] == expected
    assert headers["content-type"] == "application/json"
    assert json.loads(rx.received[1]["body"])["data"]["notes"] == "edited"


async def test_task_and_project_events(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient, receiver: tuple[Receiver, str]
) -> None:
    rx, url = receiver
    await register(
        client,
        url,
        "task.created,task.updated,task.closed,task.opened,project.created,project.closed",
    )
    project = await ok(client, "projects/add", "POST", data={"name": "Hooked"})
    task = await ok(client, "tasks/add", "POST", data={"name": "T", "project_id": project["id"]})
    await ok(client, f"tasks/update/{task['id']}", params={"name": "T2"})
    await ok(client, f"tasks/close/{task['id']}")
    await ok(client, f"tasks/open/{task['id']}")
    await ok(client, f"projects/close/{project['id']}")
    await sim.drain_webhooks()
    assert [json.loads(r["body"])["event"] for r in rx.received] == [
        "project.created",
        "task.created",
        "task.updated",
        "task.closed",
        "task.opened",
        "project.closed",
    ]


async def test_disable_enable_delete_and_reset_token(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient, receiver: tuple[Receiver, str]
) -> None:
    rx, url = receiver
    hook = await register(client, url, "event.created")
    disabled = await ok(client, f"webhooks/disable/{hook['id']}", "PUT")
    assert disabled["status"] == "DISABLED"
    await ok(client, "events/add", params=ENTRY)
    await sim.drain_webhooks()
    assert rx.received == []
    await ok(client, f"webhooks/enable/{hook['id']}", "PUT")
    reset = await ok(client, f"webhooks/reset_token/{hook['id']}", "POST")
    assert reset["token"] != hook["secret"]
    await ok(client, "events/add", params=ENTRY)
    await sim.drain_webhooks()
    assert rx.received[0]["headers"]["x-trackingtime-token"] == reset["token"]
    await ok(client, f"webhooks/{hook['id']}/delete")
    assert await ok(client, "webhooks") == []
    await ok(client, "events/add", params=ENTRY)
    await sim.drain_webhooks()
    assert len(rx.received) == 1


async def test_unknown_event_name_is_refused(client: httpx2.AsyncClient) -> None:
    body = await client.get(
        "/api/v4/1725/webhooks/add", params={"url": "https://x.example", "events": "event.exploded"}
    )
    assert body.json()["response"]["status"] == 500


async def test_failed_deliveries_are_retried_a_bounded_number_of_times(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient, receiver: tuple[Receiver, str]
) -> None:
    rx, url = receiver
    sim.configure(webhook_retry_backoff_ms=10, webhook_max_attempts=3)
    rx.statuses = [500, 503]
    await register(client, url, "event.created")
    await ok(client, "events/add", params=ENTRY)
    await sim.drain_webhooks()
    assert [r["status"] for r in rx.received] == [500, 503, 200]
    assert sim.deliveries[0].status == "delivered"
    rx.statuses = [500, 500, 500, 500]
    await ok(client, "events/add", params=ENTRY)
    await sim.drain_webhooks()
    assert len(rx.received) == 6
    assert sim.deliveries[1].status == "failed" and len(sim.deliveries[1].attempts) == 3


async def test_grouped_webhook_gets_a_list(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient, receiver: tuple[Receiver, str]
) -> None:
    rx, url = receiver
    await register(client, url, "task.closed,event.updated", grouped="true")
    await ok(client, f"tasks/track/{TASK}", data={"date": "2026-03-10 10:00:00"})
    await ok(client, f"tasks/close/{TASK}")  # stops the timer (event.updated) and closes
    await sim.drain_webhooks()
    assert len(rx.received) == 1
    payload = json.loads(rx.received[0]["body"])
    assert isinstance(payload["data"], list) and len(payload["data"]) == 2


async def test_drop_duplicate_reorder_faults(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient, receiver: tuple[Receiver, str]
) -> None:
    rx, url = receiver
    await register(client, url, "event.created")
    sim.set_faults(webhook_drop_rate=1.0)
    await ok(client, "events/add", params=ENTRY)
    await sim.drain_webhooks()
    assert rx.received == [] and sim.deliveries[-1].status == "dropped"

    sim.set_faults(webhook_drop_rate=0.0, webhook_duplicate_rate=1.0)
    await ok(client, "events/add", params=ENTRY)
    await sim.drain_webhooks()
    assert len(rx.received) == 2
    assert rx.received[0]["body"] == rx.received[1]["body"]
    assert (
        rx.received[0]["headers"]["x-trackingtime-delivery"]
        == rx.received[1]["headers"]["x-trackingtime-delivery"]
    )

    rx.received.clear()
    sim.set_faults(
        webhook_duplicate_rate=0.0, webhook_reorder_rate=1.0, webhook_reorder_delay_ms=150
    )
    first = await ok(client, "events/add", params=ENTRY)
    sim.set_faults(webhook_reorder_rate=0.0)
    second = await ok(client, "events/add", params=ENTRY)
    await sim.drain_webhooks()
    order = [json.loads(r["body"])["data"]["id"] for r in rx.received]
    assert order == [second["id"], first["id"]]


async def test_in_process_transport() -> None:
    """Tests can hand the simulator a transport instead of a socket."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(204)

    sim = TrackingTimeSimulator(webhook_transport=httpx2.MockTransport(handler))
    async with make_client(sim) as client:
        await register(client, "https://receiver.example/tt", "event.created")
        await ok(client, "events/add", params=ENTRY)
        await sim.drain_webhooks()
    assert len(seen) == 1 and seen[0].url.host == "receiver.example"
