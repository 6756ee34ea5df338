"""Real-time runs first: a run for an event marks itself under way, and bulk work of the same
process (an import's next record) waits, a bounded while, until none is. The two share the
process's event loop and CPU: on a loaded machine, an import's records in flight would
otherwise delay each step of a webhook's run."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

# Bulk work yields at most this long at a time: a stream of events must not stop it.
MOST_YIELDED = 1.0

# Runs for events under way in this process, and what waits for there to be none.
_under_way = 0
_waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@contextlib.contextmanager
def real_time() -> Iterator[None]:
    """Inside: a run for an event is under way."""
    global _under_way
    _under_way += 1
    try:
        yield
    finally:
        _under_way -= 1
        if not _under_way:
            for loop, future in _waiting:
                loop.call_soon_threadsafe(_wake, future)
            _waiting.clear()


async def yield_to_real_time(most: float = MOST_YIELDED) -> None:
    """Wait until no run for an event is under way, or ``most`` seconds have passed."""
    await asyncio.sleep(0)
    if not _under_way:
        return
    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] = loop.create_future()
    _waiting.append((loop, future))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(future, most)
