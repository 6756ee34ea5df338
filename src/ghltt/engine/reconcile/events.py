"""Poll findings as ``Event`` values shaped like the webhook parsers' events.

Same ``kind`` names, object types and payload layout as a webhook of the same change, so a
recipe cannot tell (and need not care) which intake path saw it. The dedup key names the
record's version, so a re-poll of an unchanged record is a duplicate in the inbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from ghltt.connectors.ghl.webhooks import kind_for
from ghltt.core import Event, EventOrigin, EventSource

__all__ = ["as_utc", "ghl_event", "poll_key", "record_hash", "tt_event"]


def poll_key(stream: str, object_id: str, version: str) -> str:
    """``poll:<stream>:<id>:<version>``; the version is an update time or a content hash."""
    return f"poll:{stream}:{object_id}:{version}"[:255]


def record_hash(record: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> str:
    kept = {k: v for k, v in record.items() if k not in skip}
    raw = orjson.dumps(kept, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(raw).hexdigest()[:16]


def as_utc(value: datetime | str | None) -> datetime | None:
    """GHL mixes ISO-8601 and ``YYYY-MM-DD HH:mm:ss`` (UTC); anything else is no time."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def ghl_event(
    bridge: str,
    *,
    stream: str,
    webhook_type: str,
    object_id: str,
    version: str,
    occurred_at: datetime,
    location_id: str,
    record: Mapping[str, Any],
) -> Event:
    """As ``event_from_payload`` would build it from a ``webhook_type`` delivery."""
    kind = kind_for(webhook_type)
    return Event(
        bridge=bridge,
        source=EventSource.GHL,
        kind=kind,
        object_type=kind.split(".", 1)[0],
        object_id=object_id[:100],
        occurred_at=occurred_at,
        origin=EventOrigin.POLL,
        dedup_key=poll_key(stream, object_id, version),
        # The delivery's own keys win, as in a webhook body (a contact's ``type`` is not sent).
        payload={**record, "type": webhook_type, "locationId": location_id},
    )


def tt_event(
    bridge: str,
    *,
    stream: str,
    kind: str,
    object_id: str,
    version: str,
    occurred_at: datetime,
    account_id: int | None,
    record: Mapping[str, Any],
) -> Event:
    """As ``parse_delivery`` would build it: the object under ``data``, the kind as ``event``."""
    return Event(
        bridge=bridge,
        source=EventSource.TT,
        kind=kind,
        object_type=kind.split(".", 1)[0],
        object_id=object_id[:100],
        occurred_at=occurred_at,
        origin=EventOrigin.POLL,
        dedup_key=poll_key(stream, object_id, version),
        payload={"event": kind, "account_id": account_id, "data": dict(record)},
    )
