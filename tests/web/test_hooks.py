"""Webhook intake: verified, routed to bridges by location, deduplicated, never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import orjson
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from ghltt.bridges import build_services
from ghltt.connectors.ghl import WebhookVerifier
from ghltt.settings import load_settings
from ghltt.store import open_database
from ghltt.store.tables import bridge_webhooks, bridges, connections
from ghltt.web import create_app
from ghltt.web.hooks import hook_state
from tests.support.server import serve_asgi

LOCATION = "ve9EPM428h8vShlRW1KT"
KEY = ed25519.Ed25519PrivateKey.generate()
PUBLIC_PEM = (
    KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ghl_body(**overrides: Any) -> bytes:
    payload = {
        "type": "ContactUpdate",
        "locationId": LOCATION,
        "id": "c123",
        "email": "ada@example.com",
        "timestamp": _now(),
        "webhookId": "wh-1",
        **overrides,
    }
    return orjson.dumps(payload)


def signed(body: bytes, key: ed25519.Ed25519PrivateKey = KEY) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-ghl-signature": base64.b64encode(key.sign(body)).decode(),
    }


class Hooks:
    def __init__(self, base: str, db: sa.Engine, services: Any, app: Any = None) -> None:
        self.client = httpx2.Client(base_url=base, timeout=10)
        self.db = db
        self.services = services
        self.app = app

    def inbox(self) -> list[tuple[str, str, str]]:
        with self.db.connect() as conn:
            rows = conn.exec_driver_sql("SELECT bridge_id, kind, object_id FROM inbox_events")
            return sorted((r[0], r[1], r[2]) for r in rows)


@pytest.fixture
def hooks(database_url: str, tmp_path: Path) -> Iterator[Hooks]:
    settings = load_settings(data_dir=tmp_path / "data", database_url=database_url)
    app = create_app(settings, with_executor=False)
    with serve_asgi(app) as base:
        db = open_database(settings.store_url)
        now = datetime.now(UTC)
        with db.begin() as conn:
            for cid, system, account in (("ghl1", "ghl", LOCATION), ("tt1", "tt", "1725")):
                conn.execute(
                    connections.insert().values(
                        id=cid,
                        system=system,
                        label=cid,
                        auth_kind="pit" if system == "ghl" else "app_password",
                        account_id=account,
                        created_at=now,
                        updated_at=now,
                    )
                )
            conn.execute(
                bridges.insert().values(
                    id="b1",
                    name="acme",
                    mode="sandbox",
                    ghl_connection_id="ghl1",
                    tt_connection_id="tt1",
                    settings={"ghl_public_keys": {"ed25519": [PUBLIC_PEM]}},
                    created_at=now,
                    updated_at=now,
                )
            )
        services = build_services(settings, db)
        yield Hooks(base, db, services, app)
        db.dispose()


def test_a_signed_ghl_webhook_is_routed_to_its_bridge_once(hooks: Hooks) -> None:
    body = ghl_body()
    first = hooks.client.post("/webhooks", content=body, headers=signed(body))
    assert first.status_code == 200, first.text
    [item] = first.json()["accepted"]
    assert item["bridge"] == "b1" and item["duplicate"] is False
    again = hooks.client.post("/hooks/ghl", content=body, headers=signed(body))
    assert again.json()["accepted"][0] == {**item, "duplicate": True}
    assert hooks.inbox() == [("b1", "contact.updated", "c123")]


@pytest.mark.parametrize(
    ("headers_for", "status"),
    [
        (lambda b: {"content-type": "application/json"}, 401),  # unsigned
        (lambda b: signed(b + b" "), 401),  # signed something else
        (lambda b: signed(b, ed25519.Ed25519PrivateKey.generate()), 401),  # wrong key
    ],
)
def test_unverified_ghl_webhooks_are_refused(hooks: Hooks, headers_for: Any, status: int) -> None:
    body = ghl_body()
    response = hooks.client.post("/webhooks", content=body, headers=headers_for(body))
    assert response.status_code == status
    assert response.json()["error"] == "unauthorized"
    assert hooks.inbox() == []


def test_a_stale_ghl_webhook_is_refused(hooks: Hooks) -> None:
    old = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    body = ghl_body(timestamp=old)
    response = hooks.client.post("/webhooks", content=body, headers=signed(body))
    assert response.status_code == 401 and "stale" in response.json()["message"]


def test_malformed_bodies_get_a_clear_400(hooks: Hooks) -> None:
    response = hooks.client.post("/webhooks", content=b"{nope", headers=signed(b"{nope"))
    assert response.status_code == 400 and "not valid JSON" in response.json()["message"]
    response = hooks.client.post("/webhooks", content=b"[1]", headers=signed(b"[1]"))
    assert response.status_code == 400 and "JSON object" in response.json()["message"]


def test_events_of_a_location_without_a_bridge_are_kept_unrouted(hooks: Hooks) -> None:
    """GHL sends every location's events to the app's one URL, also before a bridge serves the
    location: a delivery GHL signed is answered 200 (any other answer and GHL retries, then
    disables the URL) and kept under the bridge ``unrouted``, once, where it can be seen."""
    body = ghl_body(locationId="unknownLocation000001", webhookId="wh-2")
    # No bridge names its keys, so GHL's published keys apply: the test key is refused ...
    response = hooks.client.post("/webhooks", content=body, headers=signed(body))
    assert response.status_code == 401
    assert hooks.inbox() == []
    # ... and GHL's own signature is accepted. We cannot sign as GHL: the test key stands in
    # for GHL's published one (the verifier of "no bridge's keys" is the one ghltt caches).
    verifiers = hook_state(hooks.app).verifiers
    verifiers[orjson.dumps([{}, False]).decode()] = WebhookVerifier(
        ed25519_public_keys=(PUBLIC_PEM,), rsa_public_keys=()
    )
    first = hooks.client.post("/webhooks", content=body, headers=signed(body))
    assert first.status_code == 200, first.text
    [item] = first.json()["accepted"]
    assert item["bridge"] == "unrouted" and item["duplicate"] is False
    again = hooks.client.post("/webhooks", content=body, headers=signed(body))
    assert again.json()["accepted"] == [{**item, "duplicate": True}]
    assert hooks.inbox() == [("unrouted", "contact.updated", "c123")]
    # The bridge's own location is routed as before, and never gets the unrouted event.
    routed = ghl_body(webhookId="wh-9")
    response = hooks.client.post("/webhooks", content=routed, headers=signed(routed))
    assert response.json()["accepted"][0]["bridge"] == "b1"
    kept = [("b1", "contact.updated", "c123"), ("unrouted", "contact.updated", "c123")]
    assert hooks.inbox() == kept


def test_ghl_webhooks_answer_429_when_the_store_cannot_take_them(hooks: Hooks) -> None:
    with hooks.db.begin() as conn:  # the store stops taking events
        conn.exec_driver_sql("ALTER TABLE inbox_events RENAME TO inbox_gone")
    body = ghl_body(webhookId="wh-3")
    response = hooks.client.post("/webhooks", content=body, headers=signed(body))
    assert response.status_code == 429  # GHL retries only on 429
    assert response.headers["retry-after"]


def _add_tt_webhook(hooks: Hooks, token: str, remote_id: str = "77") -> None:
    ref = hooks.services.vault.put("tt_webhook", {"token": token}, owner="b1")
    with hooks.db.begin() as conn:
        conn.execute(
            bridge_webhooks.insert().values(
                bridge_id="b1",
                system="tt",
                remote_id=remote_id,
                url="http://x/hooks/tt/b1",
                events=["event.updated"],
                secret_ref=ref,
                created_at=datetime.now(UTC),
            )
        )


def test_trackingtime_deliveries_need_the_bridge_token(hooks: Hooks) -> None:
    _add_tt_webhook(hooks, "tt-token-1")
    body = orjson.dumps(
        {
            "event": "event.updated",
            "account_id": 1725,
            "webhook_id": 77,
            "delivery_id": "d-1",
            "created_at": "2026-11-28 10:00:00",
            "data": {"id": 991, "updated_at": "2026-11-28 10:00:00"},
        }
    )
    signature = hmac.new(b"tt-token-1", body, hashlib.sha256).hexdigest()
    good = {"content-type": "application/json", "x-trackingtime-signature": signature}
    response = hooks.client.post("/hooks/tt/b1", content=body, headers=good)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"][0]["duplicate"] is False
    bad = {"content-type": "application/json", "x-trackingtime-signature": "00" * 32}
    wrong_token = hooks.client.post("/hooks/tt/b1", content=body, headers=bad)
    unknown = hooks.client.post("/hooks/tt/nope", content=body, headers=good)
    # An unknown bridge answers as a wrong token does: bridge ids cannot be probed.
    assert wrong_token.status_code == unknown.status_code == 401
    assert wrong_token.json()["message"] == unknown.json()["message"]
    assert [k for _, k, _ in hooks.inbox()] == ["event.updated"]


def test_a_trackingtime_hook_registered_after_the_tokens_were_cached_is_accepted(
    hooks: Hooks,
) -> None:
    _add_tt_webhook(hooks, "tt-token-old")
    body = orjson.dumps({"event": "task.closed", "account_id": 1725, "data": {"id": 5}})

    def signed(token: bytes) -> dict[str, str]:
        signature = hmac.new(token, body, hashlib.sha256).hexdigest()
        return {"content-type": "application/json", "x-trackingtime-signature": signature}

    # Caches the bridge's tokens (the old hook only).
    assert hooks.client.post("/hooks/tt/b1", content=body, headers=signed(b"x")).status_code == 401
    _add_tt_webhook(hooks, "tt-token-new", "78")  # as when a widened subscription replaces a hook
    time.sleep(1.1)  # the cache is looked at again once a second old, not on every refusal
    response = hooks.client.post("/hooks/tt/b1", content=body, headers=signed(b"tt-token-new"))
    assert response.status_code == 200, response.text


def test_ghl_workflow_webhooks_need_the_bridge_secret(hooks: Hooks) -> None:
    url = hooks.services.bridges.intake_urls("acme")["ghl_workflow_webhook"]
    path = url.split("127.0.0.1:8000", 1)[-1]
    custom = {"ghltt_event": "contact.tags_updated"}
    body = {"contact_id": "c9", "email": "x@example.com", "customData": custom}
    accepted = hooks.client.post(path, json=body)
    assert accepted.status_code == 200, accepted.text
    assert hooks.client.post(path, json=body).json()["accepted"][0]["duplicate"] is True
    no_secret = path.split("?")[0]
    assert hooks.client.post(no_secret, json=body).status_code == 401
    wrong = hooks.client.post(no_secret, json=body, headers={"X-Ghltt-Secret": "guess"})
    assert wrong.status_code == 401
    assert hooks.inbox() == [("b1", "contact.tags_updated", "c9")]
