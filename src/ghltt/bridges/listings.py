"""Whole lists of a bridge's records, shared by its runs for a moment.

TrackingTime cannot look customers up by email or by a custom field: finding a new record's
counterpart (by its third-party id, then by its match keys) means listing every customer of
the account. An import of n contacts would list the whole account twice per contact, n² work
on both sides. A list is kept for ``fresh_for`` seconds per bridge instead, and what our own
runs create is added to it, so a burst lists the account about once every ``fresh_for``
seconds. The price: a record someone creates in TrackingTime within those seconds can be
missed by a lookup, so its counterpart is created rather than found; the same race exists,
narrower, between any list and create.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

Records = list[dict[str, Any]]


class RecentListings:
    def __init__(self, fresh_for: float = 2.0) -> None:
        self._fresh_for = fresh_for
        self._lists: dict[str, tuple[float, Records]] = {}
        self._loading: dict[str, asyncio.Lock] = {}

    async def get(self, key: str, load: Callable[[], Awaitable[Records]]) -> Records:
        """The list under ``key``, loaded once by concurrent callers when it is stale."""
        if (fresh := self._fresh(key)) is not None:
            return fresh
        async with self._loading.setdefault(key, asyncio.Lock()):
            if (fresh := self._fresh(key)) is not None:
                return fresh
            records = await load()
            self._lists[key] = (time.monotonic(), records)
            return records

    def add(self, key: str, record: dict[str, Any]) -> None:
        """A record our run just created, so the next lookup in the burst finds it."""
        held = self._lists.get(key)
        if held is not None:
            held[1].append(record)

    def forget(self, key: str) -> None:
        """A record of this list is known to be gone: the next lookup lists again."""
        self._lists.pop(key, None)

    def _fresh(self, key: str) -> Records | None:
        held = self._lists.get(key)
        if held is None or time.monotonic() - held[0] >= self._fresh_for:
            return None
        return held[1]
