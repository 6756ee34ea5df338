"""Waking DBOS's thread of the runs queue when work is enqueued, so it can poll slowly when idle.

DBOS claims queued workflows by polling each queue on an interval, and it has no way to be
told that something was enqueued (DBOS 3.4: no LISTEN/NOTIFY for queues). The runs queue must
start a batch within a tenth of a second of its enqueue, yet a poll costs the worker about
2.5 ms of CPU (a read of the queue's row, and a claim transaction): ten a second, 25 ms of
every idle second, most of what an idle worker burned.

So ghltt wraps the thread DBOS starts for the runs queue (``dbos._queue.queue_worker_thread``,
looked up when the thread starts) and hands it a view of its stop event whose ``wait``, the
pause between two polls, is ghltt's:

- while this process runs workflows of the queue, or for ``GRACE`` seconds after it last did
  or was kicked, the pause is DBOS's own (the queue's ``polling_interval_sec``): a freed slot
  is refilled from a backlog as fast as before;
- otherwise the pause stretches to ``idle_poll`` (1 s): the bound on how late a workflow
  enqueued by a process that kicks nobody (a replay from the CLI or the dashboard) starts;
- ``kick()`` ends the pause at once: the dispatcher kicks after each enqueue. Polls never come
  closer together than DBOS's own interval, so a stream of kicks (intake under load) costs no
  more polls than before;
- ``expect()``: on PostgreSQL another process announced new events, and the executor that
  takes them may overflow into this one: the next pauses are DBOS's own for a moment.

If DBOS no longer has that function, nothing is wrapped and the queue polls as registered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import structlog
from dbos import _queue as dbos_queue

log = structlog.get_logger(__name__)

GRACE = 0.25
IDLE_POLL = 1.0

_wakers: dict[str, QueueWaker] = {}
_lock = threading.Lock()
_original: Callable[..., None] | None = None


class QueueWaker:
    """The pauses between one queue's polls in this process (see the module's docstring)."""

    def __init__(self, queue_name: str, *, idle_poll: float | None = IDLE_POLL) -> None:
        self.queue_name = queue_name
        self._idle_poll = idle_poll  # None: never stretch (DBOS's interval, kicks only)
        self._kicked = threading.Event()
        self._closed = False
        self._recent = time.monotonic()
        self._last_poll = 0.0
        self.installed = False

    def kick(self) -> None:
        """Work was (or is about to be) enqueued: poll now, and keep polling fast a moment."""
        self._recent = time.monotonic()
        self._kicked.set()

    def expect(self) -> None:
        """Work may be enqueued by another process soon: keep polling fast a moment (from the
        next pause on; a kick of its own would spend the interval before the enqueue)."""
        self._recent = time.monotonic()

    def close(self) -> None:
        """Before DBOS stops: pauses are DBOS's own again, so its stop ends them."""
        self._closed = True
        self._kicked.set()

    def pause(self, stop: threading.Event, timeout: float, busy: Callable[[], bool]) -> bool:
        """One pause of the queue's thread (``timeout``: DBOS's); True when DBOS is stopping."""
        if self._closed:
            return stop.wait(timeout)
        now = time.monotonic()
        if busy():
            self._recent = now
        pause = timeout
        if self._idle_poll is not None and now - self._recent > GRACE:
            pause = max(timeout, self._idle_poll)
        if self._kicked.wait(pause):
            # Kicked: but not sooner than DBOS's interval after the last poll.
            early = self._last_poll + timeout - time.monotonic()
            if early > 0 and stop.wait(early):
                return True
        # Cleared before the poll that follows: a kick from now on is seen by the next pause.
        self._kicked.clear()
        self._last_poll = time.monotonic()
        return stop.is_set()


class _StopView:
    """What DBOS's queue thread sees of its stop event: the same flag, ghltt's pauses."""

    def __init__(self, stop: threading.Event, waker: QueueWaker, busy: Callable[[], bool]):
        self._stop = stop
        self._waker = waker
        self._busy = busy

    def is_set(self) -> bool:
        return self._stop.is_set()

    def set(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is None:
            return self._stop.wait()
        return self._waker.pause(self._stop, timeout, self._busy)


def _busy_of(dbos: Any, queue_name: str) -> Callable[[], bool]:
    active = getattr(dbos, "_active_workflows_set", None)
    if active is None or not hasattr(active, "count_for_queue"):
        return lambda: True  # cannot tell: never stretch the pause
    return lambda: bool(active.count_for_queue(queue_name))


def _queue_worker_thread(stop_event: threading.Event, dbos: Any, queue: Any) -> None:
    assert _original is not None
    waker = _wakers.get(queue.name)
    if waker is not None:
        view: Any = _StopView(stop_event, waker, _busy_of(dbos, queue.name))
        return _original(view, dbos, queue)
    return _original(stop_event, dbos, queue)


def register(waker: QueueWaker) -> QueueWaker:
    """Use ``waker`` for its queue's thread from the next time DBOS starts one (register it
    before the queue); ``waker.installed`` says whether DBOS could be wrapped."""
    global _original
    with _lock:
        if _original is None:
            found = getattr(dbos_queue, "queue_worker_thread", None)
            if found is None:
                log.warning("DBOS's queue thread not found; the runs queue polls as registered")
                return waker
            _original = found
            dbos_queue.queue_worker_thread = _queue_worker_thread  # type: ignore[assignment]
        _wakers[waker.queue_name] = waker
        waker.installed = True
    return waker


def unregister(waker: QueueWaker) -> None:
    waker.close()
    with _lock:
        if _wakers.get(waker.queue_name) is waker:
            del _wakers[waker.queue_name]
