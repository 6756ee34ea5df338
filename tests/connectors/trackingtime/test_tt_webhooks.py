"""Webhook verification (token, signature, payload token) and parsing into core events."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import orjson
import pytest

from ghltt.connectors.trackingtime import (
    WebhookVerificationError,
    WebhookVerifier,
    parse_delivery,
)
from ghltt.core import EventOrigin, EventSource, InvalidInput

TOKEN = "whk-token-0123456789"
BODY = orjson.dumps(
    {
        "event": "event.updated",
        "account_id": 1725,
        "webhook_id": 77,
        "created_at": "2026-01-05 10:00:00",
        "data": {"id": 42, "start": "2026-01-05 08:00:00", "updated_at": "2026-01-05 09:59:00"},
    }
)


def sign(body: bytes, token: str = TOKEN) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def test_header_token_signature_and_rotation() -> None:
    verifier = WebhookVerifier([TOKEN])
    verifier.verify(BODY, {"X-TrackingTime-Token": TOKEN})
    verifier.verify(BODY, {"x-trackingtime-signature": sign(BODY)})
    verifier.verify(BODY, {"X-TrackingTime-Signature": "sha256=" + sign(BODY)})
    rotating = WebhookVerifier(["old-token-xyz", TOKEN])
    assert rotating.is_valid(BODY, {"X-TrackingTime-Token": TOKEN})
    assert TOKEN not in repr(verifier)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-TrackingTime-Token": "wrong"},
        {"X-TrackingTime-Signature": sign(BODY, "wrong")},
        # A valid token does not excuse a bad signature: every proof present must hold.
        {"X-TrackingTime-Token": TOKEN, "X-TrackingTime-Signature": "00"},
    ],
)
def test_rejections(headers: dict[str, str]) -> None:
    verifier = WebhookVerifier([TOKEN])
    with pytest.raises(WebhookVerificationError):
        verifier.verify(BODY, headers)
    assert not verifier.is_valid(BODY, headers)


def test_tampered_body_fails_the_signature() -> None:
    with pytest.raises(WebhookVerificationError):
        WebhookVerifier([TOKEN]).verify(BODY + b" ", {"X-TrackingTime-Signature": sign(BODY)})


def test_payload_token() -> None:
    body = orjson.dumps({"event": "task.created", "token": TOKEN, "data": {"id": 1}})
    WebhookVerifier([TOKEN]).verify(body, {})
    with pytest.raises(WebhookVerificationError):
        WebhookVerifier([TOKEN], accept_payload_token=False).verify(body, {})
    with pytest.raises(ValueError):
        WebhookVerifier([])


def test_parse_single_delivery() -> None:
    [event] = parse_delivery(BODY, bridge="b1", zone="Europe/Madrid")
    assert event.source is EventSource.TT and event.origin is EventOrigin.WEBHOOK
    assert (event.kind, event.object_type, event.object_id) == ("event.updated", "event", "42")
    assert event.occurred_at == datetime(2026, 1, 5, 8, 59, tzinfo=UTC)
    assert event.dedup_key == "tt:event.updated:42:2026-01-05 09:59:00"
    assert event.payload["data"]["id"] == 42 and event.payload["webhook_id"] == 77
    # The same change notified twice dedups to one key.
    resent = orjson.dumps({**orjson.loads(BODY), "created_at": "2026-01-05 10:05:00"})
    assert parse_delivery(resent, bridge="b1")[0].dedup_key == event.dedup_key


def test_parse_grouped_delivery_and_token_is_dropped() -> None:
    body = orjson.dumps(
        {"event": "task.created", "token": TOKEN, "data": [{"id": 1}, {"id": 2, "name": "x"}]}
    )
    events = parse_delivery(body, received_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert [e.object_id for e in events] == ["1", "2"]
    assert len({e.dedup_key for e in events}) == 2
    assert all(e.dedup_key.startswith("tt:sha256:") for e in events)
    assert all("token" not in e.payload for e in events)


@pytest.mark.parametrize("body", [b"nope", b"[]", b'{"event": "created"}'])
def test_parse_rejects_bad_bodies(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse_delivery(body)
