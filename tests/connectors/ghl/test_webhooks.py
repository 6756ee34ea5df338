from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from ghltt.connectors.ghl import WebhookRejected, WebhookVerifier, kind_for
from ghltt.core import EventOrigin, EventSource, FixedClock

NOW = datetime(2026, 3, 29, 13, 52, 4, tzinfo=UTC)
ED = ed25519.Ed25519PrivateKey.generate()
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: ed25519.Ed25519PublicKey | rsa.RSAPublicKey) -> str:
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_bytes(serialization.Encoding.PEM, fmt).decode()


def _verifier(**kw: object) -> WebhookVerifier:
    return WebhookVerifier(
        ed25519_public_keys=[_pem(ED.public_key())],
        rsa_public_keys=[_pem(RSA.public_key())],
        clock=FixedClock(NOW),
        **kw,  # type: ignore[arg-type]
    )


def _body(**over: object) -> bytes:
    payload = {
        "type": "ContactUpdate",
        "locationId": "loc1",
        "id": "c1",
        "email": "a@b.c",
        "timestamp": "2026-03-29T13:52:04.212Z",
        "webhookId": "dfffb990-4b0a-4411-8ba4-995e3f0f313f",
        **over,
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def _ed(body: bytes, key: ed25519.Ed25519PrivateKey = ED) -> str:
    return base64.b64encode(key.sign(body)).decode()


def _rsa(body: bytes, key: rsa.RSAPrivateKey = RSA) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def test_ed25519_signed_delivery_becomes_an_event() -> None:
    body = _body()
    event = _verifier().parse(body, {"X-GHL-Signature": _ed(body)}, bridge="b1")
    assert event.source is EventSource.GHL and event.origin is EventOrigin.WEBHOOK
    assert (event.kind, event.object_type, event.object_id) == ("contact.updated", "contact", "c1")
    assert event.dedup_key == "ghl:dfffb990-4b0a-4411-8ba4-995e3f0f313f"
    assert event.payload["locationId"] == "loc1" and event.bridge == "b1"
    assert event.occurred_at == datetime(2026, 3, 29, 13, 52, 4, 212000, tzinfo=UTC)


def test_rsa_fallback_when_no_ed25519_header() -> None:
    body = _body()
    assert _verifier().verify(body, {"x-wh-signature": _rsa(body), "x-ghl-signature": "N/A"})


@pytest.mark.parametrize("header", ["x-ghl-signature", "x-wh-signature"])
def test_tampered_body_is_refused(header: str) -> None:
    body = _body()
    sig = _ed(body) if header == "x-ghl-signature" else _rsa(body)
    with pytest.raises(WebhookRejected) as info:
        _verifier().verify(body.replace(b"a@b.c", b"x@b.c"), {header: sig})
    assert info.value.reason == "bad_signature"


def test_wrong_keys_are_refused() -> None:
    body = _body()
    other_ed = ed25519.Ed25519PrivateKey.generate()
    with pytest.raises(WebhookRejected):
        _verifier().verify(body, {"x-ghl-signature": _ed(body, other_ed)})
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(WebhookRejected):
        _verifier().verify(body, {"x-wh-signature": _rsa(body, other_rsa)})


def test_bad_ed25519_does_not_fall_back_to_rsa() -> None:
    body = _body()
    headers = {"x-ghl-signature": _ed(b"other"), "x-wh-signature": _rsa(body)}
    with pytest.raises(WebhookRejected):
        _verifier().verify(body, headers)


def test_garbage_signatures_are_refused() -> None:
    body = _body()
    for value in ["!!!", base64.b64encode(b"short").decode()]:
        with pytest.raises(WebhookRejected):
            _verifier().verify(body, {"x-ghl-signature": value})


@pytest.mark.parametrize("delta", [timedelta(minutes=6), timedelta(minutes=-6)])
def test_stale_timestamps_are_refused(delta: timedelta) -> None:
    stamp = (NOW + delta).isoformat().replace("+00:00", "Z")
    body = _body(timestamp=stamp)
    with pytest.raises(WebhookRejected) as info:
        _verifier().verify(body, {"x-ghl-signature": _ed(body)})
    assert info.value.reason == "stale"
    assert _verifier(tolerance=timedelta(minutes=10)).verify(body, {"x-ghl-signature": _ed(body)})


def test_unsigned_is_refused_by_default() -> None:
    body = _body()
    with pytest.raises(WebhookRejected) as info:
        _verifier().verify(body, {})
    assert info.value.reason == "unsigned"
    assert _verifier(allow_unsigned=True).verify(body, {})


def test_app_id_must_match_when_configured() -> None:
    body = _body(appId="app1")
    assert _verifier(app_id="app1-abcdefgh").verify(body, {"x-ghl-signature": _ed(body)})
    with pytest.raises(WebhookRejected):
        _verifier(app_id="app2-abcdefgh").verify(body, {"x-ghl-signature": _ed(body)})


def test_default_keys_are_the_published_ones() -> None:
    verifier = WebhookVerifier()
    assert "ed25519_keys=1" in repr(verifier) and "rsa_keys=1" in repr(verifier)


def test_appointment_and_install_events() -> None:
    body = _body(type="AppointmentCreate", appointment={"id": "ap1"}, id=None)
    event = _verifier().parse(body, {"x-ghl-signature": _ed(body)})
    assert (event.kind, event.object_type, event.object_id) == (
        "appointment.created",
        "appointment",
        "ap1",
    )
    body = _body(type="INSTALL", webhookId=None)
    event = _verifier().parse(body, {"x-ghl-signature": _ed(body)})
    assert event.kind == "app.installed" and event.dedup_key.startswith("ghl:sha256:")


def test_kinds() -> None:
    assert kind_for("ContactCreate") == "contact.created"
    assert kind_for("TaskComplete") == "task.completed"
    assert kind_for("ContactDndUpdate") == "contact.dnd_updated"
    assert kind_for("OpportunityStageUpdate") == "opportunity.stage_updated"
