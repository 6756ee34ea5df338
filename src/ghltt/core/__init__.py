"""The vocabulary of ghltt as plain types. No I/O, and nothing of ours is imported here."""

from ghltt.core.clock import Clock, FixedClock, SystemClock, utcnow
from ghltt.core.errors import GhlttError, InvalidInput, NotFound, StoreUnavailable
from ghltt.core.events import Event, EventOrigin, EventSource, dedup_key_for, new_event_id

__all__ = [
    "Clock",
    "Event",
    "EventOrigin",
    "EventSource",
    "FixedClock",
    "GhlttError",
    "InvalidInput",
    "NotFound",
    "StoreUnavailable",
    "SystemClock",
    "dedup_key_for",
    "new_event_id",
    "utcnow",
]
