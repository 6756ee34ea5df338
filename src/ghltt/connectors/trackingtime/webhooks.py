"""Verify a TrackingTime webhook delivery and turn it into ``ghltt.core.Event`` values.

A TT webhook carries the verification token TT issued when the webhook was added (``secret`` on
``webhooks/add``, renewed by ``reset_token``). It can arrive as a header (``X-TrackingTime-Token``),
as an HMAC-SHA256 of the body keyed with it (``X-TrackingTime-Signature``, hex) or inside the
payload (``token``). Every proof present must hold and at least one must be present; all
comparisons are constant-time. Several tokens may be accepted while one is being rotated.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

import orjson

from ghltt.connectors.trackingtime.timefmt import parse_datetime
from ghltt.core import Event, EventOrigin, EventSource, InvalidInput, dedup_key_for, utcnow

__all__ = [
    "SIGNATURE_HEADER",
    "TOKEN_HEADER",
    "WebhookVerificationError",
    "WebhookVerifier",
    "parse_delivery",
]

TOKEN_HEADER = "X-TrackingTime-Token"
SIGNATURE_HEADER = "X-TrackingTime-Signature"


class WebhookVerificationError(InvalidInput):
    """The delivery does not prove it came from TT; answer 401 and do not store it."""


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Plain dicts are case-sensitive; httpx2/starlette header maps are not.
    found = headers.get(name)
    if found is None:
        lowered = name.lower()
        found = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return found


@dataclass(frozen=True, repr=False)
class WebhookVerifier:
    """Checks deliveries against the webhook's token(s); see the module docstring."""

    tokens: Sequence[str]
    token_header: str | None = TOKEN_HEADER
    signature_header: str | None = SIGNATURE_HEADER
    accept_payload_token: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.tokens, str):
            object.__setattr__(self, "tokens", (self.tokens,))
        if not self.tokens or not all(self.tokens):
            raise ValueError("a webhook verifier needs at least one non-empty token")

    def __repr__(self) -> str:
        return f"WebhookVerifier(tokens=<{len(self.tokens)} hidden>)"

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise ``WebhookVerificationError`` unless the delivery proves the token."""
        proofs = 0
        if self.signature_header and (sig := _header(headers, self.signature_header)):
            proofs += 1
            given = sig.strip().removeprefix("sha256=").lower()
            if not any(_same(given, self._sign(token, body)) for token in self.tokens):
                raise WebhookVerificationError("the webhook signature does not match")
        if self.token_header and (token := _header(headers, self.token_header)):
            proofs += 1
            if not self._known(token.strip()):
                raise WebhookVerificationError("the webhook token does not match")
        if self.accept_payload_token:
            carried = _payload_token(body)
            if carried is not None:
                proofs += 1
                if not self._known(carried):
                    raise WebhookVerificationError("the webhook token does not match")
        if proofs == 0:
            raise WebhookVerificationError("the delivery carries no webhook token or signature")

    def is_valid(self, body: bytes, headers: Mapping[str, str]) -> bool:
        try:
            self.verify(body, headers)
        except WebhookVerificationError:
            return False
        return True

    def _known(self, given: str) -> bool:
        # Compare against every token, never stopping early, so timing says nothing.
        return bool(sum(_same(given, token) for token in self.tokens))

    @staticmethod
    def _sign(token: str, body: bytes) -> str:
        return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def _payload_token(body: bytes) -> str | None:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    token = payload.get("token") if isinstance(payload, dict) else None
    return token if isinstance(token, str) and token else None


def parse_delivery(
    body: bytes,
    *,
    bridge: str = "default",
    zone: str | tzinfo = "UTC",
    received_at: datetime | None = None,
) -> list[Event]:
    """One ``Event`` per object in a (verified) delivery; a grouped delivery gives several.

    ``zone`` is the account's time zone, in which TT writes ``created_at``/``updated_at``. The
    dedup key is the delivery's own id when it has one, else kind + object + ``updated_at`` (the
    same change notified twice is one event), else a hash of the object.
    """
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput("the webhook body is not JSON", where="tt webhook") from exc
    if not isinstance(payload, dict):
        raise InvalidInput("the webhook body is not a JSON object", where="tt webhook")
    kind = payload.get("event") or payload.get("event_name")
    if not isinstance(kind, str) or "." not in kind:
        raise InvalidInput("the webhook names no event like 'event.created'", where="tt webhook")
    data = payload.get("data")
    items: Iterable[Any] = data if isinstance(data, list) else [data if data is not None else {}]
    meta = {k: v for k, v in payload.items() if k not in ("data", "token")}
    delivery_id = payload.get("delivery_id") or payload.get("id")
    if delivery_id is not None and payload.get("webhook_id") is not None:
        delivery_id = f"{payload['webhook_id']}/{delivery_id}"
    fallback = received_at or utcnow()
    sent_at = _stamp(payload.get("created_at"), zone) or fallback
    events = []
    for index, item in enumerate(items):
        obj = item if isinstance(item, dict) else {"value": item}
        object_id = str(obj["id"]) if obj.get("id") is not None else None
        updated = obj.get("updated_at") or obj.get("uat")
        if delivery_id is not None:
            provider_id = f"{delivery_id}:{index}" if isinstance(data, list) else str(delivery_id)
        elif object_id is not None and updated:
            provider_id = f"{kind}:{object_id}:{updated}"
        else:
            provider_id = None
        events.append(
            Event(
                bridge=bridge,
                source=EventSource.TT,
                kind=kind,
                object_type=kind.split(".", 1)[0],
                object_id=object_id,
                occurred_at=_stamp(updated, zone) or sent_at,
                origin=EventOrigin.WEBHOOK,
                dedup_key=dedup_key_for("tt", provider_id, orjson.dumps(obj)),
                payload={**meta, "data": obj},
            )
        )
    return events


def _stamp(value: Any, zone: str | tzinfo) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value, zone)
    except ValueError:
        return None
