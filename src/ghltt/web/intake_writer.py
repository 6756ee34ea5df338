"""The intake writer: events are committed in groups before anyone is told they were accepted.

Many concurrent submissions share one transaction (group commit), so the cost of a durable
commit is paid once per batch rather than once per event. No DBOS here: the dispatcher (jobs)
turns committed events into durable runs, so intake never waits on the executor.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from ghltt.core import Event, GhlttError, StoreUnavailable
from ghltt.store import commit_new
from ghltt.store.database import Database

log = structlog.get_logger(__name__)


class IntakeOverloaded(GhlttError):
    """More events are waiting to be committed than the intake queue allows."""


@dataclass(frozen=True, slots=True)
class Accepted:
    event_id: str
    duplicate: bool


_Item = tuple[Sequence[Event], "concurrent.futures.Future[list[Accepted]]"]


class IntakeWriter:
    """One writer thread; callers ``await submit(events)`` and get an answer after the commit."""

    def __init__(
        self,
        db: Database,
        *,
        batch_max: int = 512,
        queue_max: int = 50_000,
        on_commit: Callable[[], None] | None = None,
        linger: float = 0.002,
    ) -> None:
        self._db = db
        self._linger = linger
        self._batch_max = batch_max
        self._queue_max = queue_max
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._pending = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.healthy = True
        self.committed_events = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ghltt-intake", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    async def submit(self, events: Sequence[Event]) -> list[Accepted]:
        """Commit ``events`` (or find them already committed) and say which were new."""
        with self._lock:
            if self._pending >= self._queue_max:
                raise IntakeOverloaded("intake queue is full; retry shortly")
            self._pending += 1
        future: concurrent.futures.Future[list[Accepted]] = concurrent.futures.Future()
        self._queue.put((events, future))
        return await asyncio.wrap_future(future)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            # Linger a moment so a burst shares one commit: a commit's fixed cost, not its
            # rows, limits throughput, and 2 ms is small beside a webhook's deadline.
            if self._linger:
                time.sleep(self._linger)
            batch = [first]
            size = len(first[0])
            stop = False
            while size < self._batch_max:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
                size += len(item[0])
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Item]) -> None:
        events = [e for evs, _ in batch for e in evs]
        try:
            ids = commit_new(self._db, events)
        except StoreUnavailable as exc:
            self.healthy = False
            log.warning("intake commit failed", error=str(exc), events=len(events))
            self._settle(batch, error=StoreUnavailable("the store cannot take events right now"))
            return
        self.healthy = True
        self.committed_events += len(events)
        for evs, future in batch:
            results = []
            first_seen: set[tuple[str, str]] = set()
            for e in evs:
                key = (e.bridge, e.dedup_key)
                stored, inserted = ids[key]
                # Within one batch only the first carrier of a key is the new one.
                new = inserted and stored == e.id and key not in first_seen
                first_seen.add(key)
                results.append(Accepted(event_id=stored, duplicate=not new))
            self._settle([(evs, future)], result=results)
        if self._on_commit is not None:
            self._on_commit()

    def _settle(
        self,
        batch: list[_Item],
        *,
        result: list[Accepted] | None = None,
        error: Exception | None = None,
    ) -> None:
        with self._lock:
            self._pending -= len(batch)
        for _, future in batch:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result or [])
