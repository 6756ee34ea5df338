"""A rate window shared by every process of a deployment (workers, web processes).

A ``RateBudget`` alone knows only its own process's sends. Given a ``SharedWindow`` it also books
each send there, so N workers on one GHL location together stay inside the location's window.
The store implements it on PostgreSQL or Redis; times are wall-clock seconds (``time.time()``),
the one clock processes share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, Protocol

__all__ = ["SharedWindow", "spawn"]


class SharedWindow(Protocol):
    """Bookings per budget key in a rolling window, kept where every process sees them."""

    async def book(
        self, key: str, tokens: Sequence[str], *, limit: int, span: float, now: float
    ) -> tuple[int, float]:
        """Book the first of ``tokens``, in order, that fit at ``now`` (fewer than ``limit``
        bookings within ``span`` seconds, the key not blocked): how many were booked, and
        when none could be, the seconds to wait."""

    async def settle(self, key: str, times: Mapping[str, float]) -> None:
        """Responses arrived: each token's booking counts from its time (never earlier)."""

    async def block(self, key: str, *, until: float) -> None:
        """Nobody sends on ``key`` before ``until`` (after a 429)."""

    async def reconcile(self, key: str, *, used: int, span: float, now: float) -> None:
        """The server says ``used`` sends lie in its window: book what we do not know of
        (another app on the same location) as sent ``now``."""


_pending: set[asyncio.Task[None]] = set()


def spawn(work: Coroutine[Any, Any, None]) -> None:
    """Run a shared-window update without making the caller wait for it.

    The booking itself is awaited; its later adjustments (settle, block, reconcile) only make
    the window stricter, so the request that caused them need not wait on the store's round
    trip. Outside an event loop the update is dropped (there is nobody to share with then).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        work.close()
        return
    task = loop.create_task(work)
    _pending.add(task)  # a reference, so the task is not collected before it runs
    task.add_done_callback(_done)


def _done(task: asyncio.Task[None]) -> None:
    _pending.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a failed adjustment leaves the window as it was
