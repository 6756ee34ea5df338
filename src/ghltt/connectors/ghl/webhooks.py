"""Verify GHL Marketplace webhooks and turn them into ``ghltt.core.Event``.

Order (as the official SDKs): ``x-ghl-signature`` (Ed25519 over the raw body) when present, with
no fallback if it fails; else the legacy ``x-wh-signature`` (RSA PKCS#1 v1.5 + SHA-256); else the
delivery is unsigned and refused unless ``allow_unsigned``. Then the payload ``timestamp`` must be
within ``tolerance`` of the injectable clock. Signature checks are done by ``cryptography``; the
only secret-dependent comparison here (app id) uses ``hmac.compare_digest``.

GHL's own private keys cannot sign test deliveries, so the keys are configuration; the defaults
are the public keys the reference quotes (Ed25519: third-party copies of the official guide; RSA:
the official WebhookAuthentication.md).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from ghltt.core import (
    Clock,
    Event,
    EventOrigin,
    EventSource,
    GhlttError,
    SystemClock,
    dedup_key_for,
)

__all__ = [
    "GHL_ED25519_PUBLIC_KEY",
    "GHL_RSA_PUBLIC_KEY",
    "WebhookRejected",
    "WebhookVerifier",
    "event_from_payload",
    "kind_for",
]

GHL_ED25519_PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=\n"
    "-----END PUBLIC KEY-----\n"
)
GHL_RSA_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----
"""

_ED_HEADER = "x-ghl-signature"
_RSA_HEADER = "x-wh-signature"
_ABSENT = {"", "n/a"}  # GHL has been seen sending "N/A" for "no signature"


class WebhookRejected(GhlttError):
    """A delivery failed verification. ``reason`` is one of: unsigned, bad_signature, stale,
    malformed, wrong_app. Answer 401/400; never 429 (GHL would retry)."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(f"webhook rejected ({reason}): {detail}")


def _load_keys(pems: Iterable[str | bytes], kind: type[Any]) -> list[Any]:
    keys = []
    for pem in pems:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
        if not isinstance(key, kind):
            raise ValueError(f"expected a {kind.__name__} public key")
        keys.append(key)
    return keys


class WebhookVerifier:
    """``verify(body, headers)`` → payload dict; ``parse(body, headers)`` → ``Event``.

    Several keys per algorithm may be given (key rotation: any one may match).
    """

    def __init__(
        self,
        *,
        ed25519_public_keys: Iterable[str | bytes] = (GHL_ED25519_PUBLIC_KEY,),
        rsa_public_keys: Iterable[str | bytes] = (GHL_RSA_PUBLIC_KEY,),
        tolerance: timedelta = timedelta(minutes=5),
        clock: Clock | None = None,
        allow_unsigned: bool = False,
        require_timestamp: bool = True,
        app_id: str | None = None,
    ) -> None:
        self._ed: list[ed25519.Ed25519PublicKey] = _load_keys(
            ed25519_public_keys, ed25519.Ed25519PublicKey
        )
        self._rsa: list[rsa.RSAPublicKey] = _load_keys(rsa_public_keys, rsa.RSAPublicKey)
        self.tolerance = tolerance
        self.clock: Clock = clock or SystemClock()
        self.allow_unsigned = allow_unsigned
        self.require_timestamp = require_timestamp
        self.app_id = app_id

    def __repr__(self) -> str:
        return (
            f"WebhookVerifier(ed25519_keys={len(self._ed)}, rsa_keys={len(self._rsa)}, "
            f"tolerance={self.tolerance}, allow_unsigned={self.allow_unsigned})"
        )

    def verify(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """Check signature, then timestamp (and app id if configured); the parsed payload."""
        lowered = {k.lower(): v for k, v in headers.items()}
        self._check_signature(body, lowered)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise WebhookRejected("malformed", "body is not JSON") from None
        if not isinstance(payload, dict):
            raise WebhookRejected("malformed", "body is not a JSON object")
        self._check_timestamp(payload)
        self._check_app(payload)
        return payload

    def parse(self, body: bytes, headers: Mapping[str, str], *, bridge: str = "default") -> Event:
        """Verify, then normalise into an ``Event`` (origin webhook, dedup by ``webhookId``)."""
        return event_from_payload(self.verify(body, headers), body, bridge=bridge, now=self.clock)

    def _check_signature(self, body: bytes, headers: Mapping[str, str]) -> None:
        ed_sig = headers.get(_ED_HEADER, "").strip()
        if ed_sig.lower() not in _ABSENT:
            signature = _b64(ed_sig)
            if len(signature) != 64 or not any(_ed_ok(k, signature, body) for k in self._ed):
                raise WebhookRejected("bad_signature", f"{_ED_HEADER} does not match the body")
            return
        rsa_sig = headers.get(_RSA_HEADER, "").strip()
        if rsa_sig.lower() not in _ABSENT:
            signature = _b64(rsa_sig)
            if not any(_rsa_ok(k, signature, body) for k in self._rsa):
                raise WebhookRejected("bad_signature", f"{_RSA_HEADER} does not match the body")
            return
        if not self.allow_unsigned:
            raise WebhookRejected("unsigned", "no x-ghl-signature or x-wh-signature header")

    def _check_timestamp(self, payload: Mapping[str, Any]) -> None:
        raw = payload.get("timestamp")
        if raw is None:
            if self.require_timestamp:
                raise WebhookRejected("stale", "payload has no timestamp")
            return
        when = _parse_time(raw)
        if when is None:
            raise WebhookRejected("malformed", "timestamp is not an ISO-8601 time")
        skew = abs(self.clock.now() - when)
        if skew > self.tolerance:
            raise WebhookRejected("stale", f"timestamp is {skew} away from now")

    def _check_app(self, payload: Mapping[str, Any]) -> None:
        sent = payload.get("appId")
        if self.app_id is None or sent is None:
            return
        expected = self.app_id.split("-")[0]  # client_id is "<appId>-<suffix>"
        if not hmac.compare_digest(str(sent).encode(), expected.encode()):
            raise WebhookRejected("wrong_app", "delivery is for another app")


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookRejected("bad_signature", "signature is not base64") from None


def _ed_ok(key: ed25519.Ed25519PublicKey, signature: bytes, body: bytes) -> bool:
    try:
        key.verify(signature, body)
    except InvalidSignature:
        return False
    return True


def _rsa_ok(key: rsa.RSAPublicKey, signature: bytes, body: bytes) -> bool:
    try:
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


# ---- normalisation ---------------------------------------------------------------------------

_SPECIAL_KINDS = {
    "INSTALL": "app.installed",
    "UNINSTALL": "app.uninstalled",
    "PLAN_CHANGE": "app.plan_changed",
    "ContactTagUpdate": "contact.tags_updated",
    # Events whose names do not end in a verb, or whose first word is not the record's type.
    "InboundMessage": "message.inbound",
    "OutboundMessage": "message.outbound",
    "ProviderOutboundMessage": "message.provider_outbound",
    "LCEmailStats": "email.stats",
    "ConversationUnreadUpdate": "conversation.unread_updated",
    "InvoicePaid": "invoice.paid",
    "InvoicePartiallyPaid": "invoice.partially_paid",
    "InvoiceSent": "invoice.sent",
    "InvoiceVoid": "invoice.voided",
    "ObjectSchemaCreate": "object_schema.created",
    "ObjectSchemaUpdate": "object_schema.updated",
}
# The payload key that holds the record's id, where it is not ``id``.
_ID_KEYS = {"message": "messageId"}
_VERBS = {"Create": "created", "Update": "updated", "Delete": "deleted", "Complete": "completed"}
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def kind_for(event_type: str) -> str:
    """``ContactUpdate`` → ``contact.updated``; ``OpportunityStageUpdate`` → ``opportunity.
    stage_updated``; unknown shapes become ``ghl.<snake_case>``."""
    if event_type in _SPECIAL_KINDS:
        return _SPECIAL_KINDS[event_type]
    words = _WORD.findall(event_type)
    if len(words) >= 2 and words[-1] in _VERBS:
        rest = [w.lower() for w in words[1:-1]]
        return f"{words[0].lower()}.{'_'.join([*rest, _VERBS[words[-1]]])}"
    snake = "_".join(w.lower() for w in words) or "unknown"
    return f"ghl.{snake}"


def _object_of(payload: Mapping[str, Any], kind: str) -> tuple[str | None, str | None]:
    nested = payload.get("appointment")
    if isinstance(nested, dict):
        return "appointment", _opt(nested.get("id"))
    if kind.startswith("app."):
        if payload.get("locationId"):
            return "location", _opt(payload.get("locationId"))
        return "company", _opt(payload.get("companyId"))
    obj = kind.split(".", 1)[0]
    return (None if obj == "ghl" else obj), _opt(payload.get(_ID_KEYS.get(obj, "id")))


def _opt(value: object) -> str | None:
    return None if value is None else str(value)[:100]


def event_from_payload(
    payload: Mapping[str, Any], body: bytes, *, bridge: str = "default", now: Clock | None = None
) -> Event:
    """The ``Event`` for a verified payload; ``locationId`` stays in ``payload`` for routing."""
    kind = kind_for(str(payload.get("type") or "unknown"))
    object_type, object_id = _object_of(payload, kind)
    nested = payload.get("appointment") if isinstance(payload.get("appointment"), dict) else {}
    occurred = None
    for candidate in (
        payload.get("timestamp"),
        payload.get("dateUpdated"),
        (nested or {}).get("dateUpdated"),
        payload.get("dateAdded"),
    ):
        occurred = _parse_time(candidate)
        if occurred is not None:
            break
    webhook_id = payload.get("webhookId")
    return Event(
        bridge=bridge,
        source=EventSource.GHL,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        occurred_at=occurred or (now or SystemClock()).now(),
        origin=EventOrigin.WEBHOOK,
        dedup_key=dedup_key_for("ghl", str(webhook_id) if webhook_id else None, body),
        payload=dict(payload),
    )
