"""Signed webhooks delivered to a real loopback receiver; retries only on 429."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx2
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ghltt.sandbox.ghl import GhlSimulator
from tests.support.server import serve_asgi

pytestmark = pytest.mark.anyio


@dataclass
class Receiver:
    """A tiny webhook endpoint: records raw bodies and headers, answers scripted statuses."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            with self.lock:
                self.received.append((body, dict(request.headers)))
                status = self.statuses.pop(0) if self.statuses else 200
            return Response(status_code=status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])

    def types(self) -> list[str]:
        return [json.loads(b)["type"] for b, _ in self.received]


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    rec = Receiver()
    with serve_asgi(rec.app()) as base:
        yield rec, f"{base}/hook"


def _verify(sim: GhlSimulator, body: bytes, headers: dict[str, str]) -> None:
    ed = serialization.load_pem_public_key(sim.ed25519_public_pem.encode())
    assert isinstance(ed, ed25519.Ed25519PublicKey)
    ed.verify(base64.b64decode(headers["x-ghl-signature"]), body)
    rsa_key = serialization.load_pem_public_key(sim.rsa_public_pem.encode())
    assert isinstance(rsa_key, rsa.RSAPublicKey)
    rsa_key.verify(
        base64.b64decode(headers["x-wh-signature"]), body, padding.PKCS1v15(), hashes.SHA256()
    )


async def test_signed_delivery_and_payloads(
    client: httpx2.AsyncClient,
    sim: GhlSimulator,
    headers: dict[str, str],
    receiver: tuple[Receiver, str],
) -> None:
    rec, url = receiver
    sim.add_webhook_target(url)
    loc = sim.sample_location_id
    r = await client.post(
        "/contacts/",
        json={"locationId": loc, "firstName": "Web", "email": "w@h.io"},
        headers=headers,
    )
    cid = r.json()["contact"]["id"]
    await client.post(f"/contacts/{cid}/notes", json={"body": "n"}, headers=headers)
    assert await sim.drain_webhooks(5)
    assert rec.types() == ["ContactCreate", "NoteCreate"]
    for body, hdrs in rec.received:
        _verify(sim, body, hdrs)
        payload = json.loads(body)
        assert payload["locationId"] == loc and payload["webhookId"] and payload["timestamp"]
        assert body == json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    contact = json.loads(rec.received[0][0])
    assert contact["id"] == cid and contact["firstName"] == "Web" and "address1" not in contact

    body, hdrs = rec.received[0]
    tampered = body.replace(b"Web", b"Bad")
    ed = serialization.load_pem_public_key(sim.ed25519_public_pem.encode())
    assert isinstance(ed, ed25519.Ed25519PublicKey)
    with pytest.raises(InvalidSignature):
        ed.verify(base64.b64decode(hdrs["x-ghl-signature"]), tampered)
    rsa_key = serialization.load_pem_public_key(sim.rsa_public_pem.encode())
    assert isinstance(rsa_key, rsa.RSAPublicKey)
    with pytest.raises(InvalidSignature):
        rsa_key.verify(
            base64.b64decode(hdrs["x-wh-signature"]), tampered, padding.PKCS1v15(), hashes.SHA256()
        )


async def test_retry_only_on_429(
    client: httpx2.AsyncClient,
    sim: GhlSimulator,
    headers: dict[str, str],
    receiver: tuple[Receiver, str],
) -> None:
    rec, url = receiver
    sim.add_webhook_target(url)
    rec.statuses = [429, 429, 200, 500]
    cid = next(iter(sim.state.contacts))
    await client.post(f"/contacts/{cid}/tags", json={"tags": ["a"]}, headers=headers)
    assert await sim.drain_webhooks(5)
    assert len(rec.received) == 3  # two 429s, then delivered
    ids = {json.loads(b)["webhookId"] for b, _ in rec.received}
    assert len(ids) == 1
    await client.post(f"/contacts/{cid}/tags", json={"tags": ["b"]}, headers=headers)
    assert await sim.drain_webhooks(5)
    assert len(rec.received) == 4  # the 500 is final: no retry
    outcomes = [d["outcome"] for d in sim.webhooks.deliveries]
    assert outcomes == ["retry", "retry", "delivered", "failed"]


async def test_retries_are_bounded(sim: GhlSimulator, receiver: tuple[Receiver, str]) -> None:
    rec, url = receiver
    sim.webhooks.options.max_retries = 2
    sim.add_webhook_target(url)
    rec.statuses = [429] * 10
    sim.emit("ContactCreate", sim.sample_location_id, {"id": "x"})
    assert await sim.drain_webhooks(5)
    assert len(rec.received) == 3


async def test_drop_duplicate_and_reorder(
    sim: GhlSimulator, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    sim.add_webhook_target(url)
    loc = sim.sample_location_id
    sim.set_faults(webhook_drop_rate=1.0)
    sim.emit("ContactCreate", loc, {"id": "dropped"})
    assert await sim.drain_webhooks(5)
    assert rec.received == []
    sim.set_faults(webhook_drop_rate=0.0, webhook_duplicate_rate=1.0)
    sim.emit("ContactCreate", loc, {"id": "twice"})
    assert await sim.drain_webhooks(5)
    assert [json.loads(b)["id"] for b, _ in rec.received] == ["twice", "twice"]
    rec.received.clear()
    sim.set_faults(webhook_duplicate_rate=0.0, webhook_reorder_rate=1.0)
    sim.emit("ContactCreate", loc, {"id": "first"})
    sim.emit("ContactUpdate", loc, {"id": "second"})
    assert await sim.drain_webhooks(5)
    assert [json.loads(b)["id"] for b, _ in rec.received] == ["second", "first"]


async def test_target_filters_and_event_log(
    client: httpx2.AsyncClient,
    sim: GhlSimulator,
    headers: dict[str, str],
    receiver: tuple[Receiver, str],
) -> None:
    rec, url = receiver
    sim.add_webhook_target(url, events=["TaskCreate"])
    cid = next(iter(sim.state.contacts))
    await client.post(
        f"/contacts/{cid}/tasks",
        json={"title": "t", "dueDate": "2026-03-05T10:00:00Z", "completed": False},
        headers=headers,
    )
    await client.post(f"/contacts/{cid}/notes", json={"body": "n"}, headers=headers)
    assert await sim.drain_webhooks(5)
    assert rec.types() == ["TaskCreate"]
    events = (await client.get("/_admin/webhooks/events")).json()["events"]
    assert [e["type"] for e in events] == ["TaskCreate", "NoteCreate"]
    task = events[0]
    assert set(task) >= {"type", "locationId", "id", "contactId", "title", "dueDate", "dateAdded"}
