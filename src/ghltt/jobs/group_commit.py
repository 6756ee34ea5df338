"""Group commit: the record writes of runs that end together, in one transaction.

A run ends with one transaction: its held writes (a sync's link, snapshots, provenance), its
step, its end and its event's outcome. Done on the event loop, each such transaction stopped
every other run of the process for its round trips to PostgreSQL, or for SQLite's fsync, and
each paid its own BEGIN and COMMIT. Here runs hand their writes to one thread of their own;
whatever arrives while a transaction commits goes into the next one together. A run awaits
its own writes' commit, so what follows a run's end (its batch's next run, the batch's
checkpoint) still comes after it.

When a group's transaction fails, each of its members commits alone, so only the run whose
write is refused sees the error (and is retried like any run whose record could not be
written).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import structlog

from ghltt.engine.context import HeldWrite
from ghltt.store.database import Bind, one_transaction

__all__ = ["GroupCommit"]

log = structlog.get_logger(__name__)

# At most this many runs' writes in one transaction: a longer one holds SQLite's write lock
# (and PostgreSQL's row locks) longer than it saves.
MOST = 32


@dataclass
class _Waiting:
    writes: Sequence[HeldWrite]
    done: asyncio.Future[None]

    def settle(self, error: BaseException | None) -> None:
        loop = self.done.get_loop()

        def set_outcome() -> None:
            if self.done.done():  # its run was cancelled meanwhile
                return
            if error is None:
                self.done.set_result(None)
            else:
                self.done.set_exception(error)

        # The loop closed meanwhile (shutdown): nobody waits.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(set_outcome)


class GroupCommit:
    """Commits what runs hand over, in groups, on one thread."""

    def __init__(self, db: Bind, *, most: int = MOST) -> None:
        self._db = db
        self._most = most
        self._lock = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._draining = False
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ghltt-commits")

    async def commit(self, writes: Sequence[HeldWrite]) -> None:
        """``writes`` committed in one transaction (with other runs' when they come
        together), awaited. Cancelled meanwhile, they still commit (a run's record is not cut
        in half)."""
        if not writes:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # A cancelled run's failure is nobody's to read: say so, or asyncio logs it.
        done.add_done_callback(lambda f: f.cancelled() or f.exception())
        waiting = _Waiting(writes, done)
        with self._lock:
            self._waiting.append(waiting)
            start, self._draining = not self._draining, True
        if start:
            try:
                self._thread.submit(self._drain)
            except RuntimeError as closed:  # the process is stopping: no run is recorded
                with self._lock:
                    stranded, self._waiting, self._draining = self._waiting, [], False
                for other in stranded:
                    other.settle(closed)
                raise
        await asyncio.shield(done)

    def close(self) -> None:
        """Commit what is waiting, then stop the thread."""
        self._thread.shutdown(wait=True)

    def _drain(self) -> None:
        while True:
            with self._lock:
                group = self._waiting[: self._most]
                del self._waiting[: self._most]
                if not group:
                    self._draining = False
                    return
            try:
                self._commit_group(group)
            except BaseException as exc:  # never leave a run waiting
                for waiting in group:
                    waiting.settle(exc)

    def _commit_group(self, group: list[_Waiting]) -> None:
        try:
            self._commit(group)
        except Exception as exc:
            if len(group) == 1:
                group[0].settle(exc)
                return
            log.info("a group commit failed; committing its runs one by one", runs=len(group))
            for waiting in group:
                try:
                    self._commit([waiting])
                except Exception as alone:
                    waiting.settle(alone)
                else:
                    waiting.settle(None)
            return
        for waiting in group:
            waiting.settle(None)

    def _commit(self, group: list[_Waiting]) -> None:
        with one_transaction(self._db) as bound:
            for waiting in group:
                for write in waiting.writes:
                    write(bound)
