"""Per-record locks within one executor: a record's events run one at a time, in order.

State-based runs tolerate reordering, but two runs of the same record at once could each
read the state and write in the opposite order; runs of a record wait for each other instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            # Forget the lock when nobody holds or waits for it, so the map stays small.
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]
