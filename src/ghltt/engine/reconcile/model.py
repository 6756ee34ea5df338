"""What every stream poller takes and gives back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ghltt.core import Event
from ghltt.engine.reconcile.settings import ReconcileSettings

__all__ = ["LinkedIds", "PollContext", "StreamResult"]

# (after, limit) -> the next linked ids of one type in id order: an id scan's page
LinkedIds = Callable[[str | None, int], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class PollContext:
    bridge: str
    now: datetime
    settings: ReconcileSettings
    backfill: bool = False
    overlap: timedelta | None = None  # overrides the settings' per-system overlap

    def overlap_for(self, stream: str) -> timedelta:
        return self.overlap if self.overlap is not None else self.settings.overlap_for(stream)

    def emits(self, stored: dict[str, Any] | None) -> bool:
        """A first run only sets a starting point, unless asked to backfill history."""
        return stored is not None or self.backfill


@dataclass(frozen=True, slots=True)
class StreamResult:
    """One stream's poll: its events and the cursor to store with them.

    ``cursor`` None means "keep the stored one" (the stream failed or was not polled).
    """

    stream: str
    events: list[Event] = field(default_factory=list)
    cursor: dict[str, Any] | None = None
    read: int = 0
    first_run: bool = False
    error: str | None = None
