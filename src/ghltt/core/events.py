"""The normalised event: a notice that something changed somewhere.

Events are hints, not state: a run fetches the current state of the record an event is about.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ghltt.core.clock import utcnow


class EventSource(StrEnum):
    GHL = "ghl"
    TT = "tt"
    SCHEDULE = "schedule"
    MANUAL = "manual"


class EventOrigin(StrEnum):
    WEBHOOK = "webhook"
    POLL = "poll"
    IMPORT = "import"
    SCHEDULE = "schedule"  # a cron schedule's tick
    MANUAL = "manual"
    REPLAY = "replay"


_ids = random.Random(os.urandom(32))


def new_event_id() -> str:
    """32 hex digits: milliseconds since the epoch, then 80 random bits.

    Sortable by creation time, and cheaper than uuid4, which reads the kernel's entropy pool
    on every call (a visible cost at thousands of events per second). Ids are not secrets.
    """
    return f"{time.time_ns() // 1_000_000:012x}{_ids.getrandbits(80):020x}"


def dedup_key_for(source: str, provider_event_id: str | None, payload: bytes) -> str:
    """The provider's own event id when it has one, else a hash of the exact payload."""
    if provider_event_id:
        return f"{source}:{provider_event_id}"
    return f"{source}:sha256:{hashlib.sha256(payload).hexdigest()}"


class Event(BaseModel):
    """Something changed: which object, where, when, and what the sender told us."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default_factory=new_event_id, min_length=1, max_length=64)
    bridge: str = Field(default="default", min_length=1, max_length=64)
    source: EventSource
    kind: str = Field(min_length=1, max_length=100, description="e.g. contact.updated")
    object_type: str | None = Field(default=None, max_length=50)
    object_id: str | None = Field(default=None, max_length=100)
    occurred_at: datetime = Field(default_factory=utcnow)
    origin: EventOrigin = EventOrigin.MANUAL
    dedup_key: str = Field(min_length=1, max_length=255)
    changed_fields: list[str] | None = None
    payload: dict[str, Any] = Field(default_factory=dict)

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone offset")
        # Stored as UTC everywhere: SQLite keeps no offset, so any other zone would shift.
        return value.astimezone(UTC)

    @field_validator("kind")
    @classmethod
    def _kind_shape(cls, value: str) -> str:
        # A scheduled recipe's ticks are named after it (recipe.activity-tags): a recipe name
        # may hold hyphens, so a part may too.
        if not all(_word(part) for part in value.split(".")):
            raise ValueError("kind must look like 'object.verb', e.g. 'contact.updated'")
        return value


def _word(part: str) -> bool:
    return bool(part) and part.replace("_", "").replace("-", "").isalnum()
