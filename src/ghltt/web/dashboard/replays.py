"""Bulk replays started from the runs page: each runs in a thread of its own while the page
polls its progress (n of total, and what was refused) until it is done.

Progress lives in the memory of the web process that started the replay: behind a load
balancer, the page that follows it must reach the same process (the replays themselves are
durable workflows either way; only the progress bar is not).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from ghltt.core import GhlttError, utcnow
from ghltt.jobs import DeadLetter, JobAdmin
from ghltt.jobs.runtime import Replayed
from ghltt.store.runs import RunFilter

log = structlog.get_logger(__name__)

KEPT = 20  # the latest bulk replays whose progress can still be shown


@dataclass
class BulkReplay:
    """One replay of every dead letter a filter matches, as far as it got."""

    id: str
    filter: RunFilter
    started_at: datetime = field(default_factory=utcnow)
    total: int | None = None  # None until the dead letters are counted
    done: int = 0
    replayed: int = 0
    refused: list[str] = field(default_factory=list)
    finished: bool = False
    error: str | None = None  # why it stopped early, when it did

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    def progressed(
        self, position: int, total: int, letter: DeadLetter, outcome: Replayed | GhlttError
    ) -> None:
        """``JobAdmin.replay_all``'s progress callback."""
        self.total, self.done = total, position
        if isinstance(outcome, GhlttError):
            what = letter.short_id if letter.recipe else letter.workflow_id
            self.refused.append(f"{what}: {outcome}")
        else:
            self.replayed += 1


class BulkReplays:
    """The bulk replays of this process, the latest ``KEPT`` of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replays: OrderedDict[str, BulkReplay] = OrderedDict()

    def start(self, admin: JobAdmin, where: RunFilter) -> BulkReplay:
        replay = BulkReplay(uuid.uuid4().hex[:12], where)
        with self._lock:
            self._replays[replay.id] = replay
            while len(self._replays) > KEPT:
                self._replays.popitem(last=False)
        threading.Thread(
            target=self._run, args=(admin, replay), name=f"bulk-replay-{replay.id}", daemon=True
        ).start()
        return replay

    def get(self, replay_id: str) -> BulkReplay | None:
        with self._lock:
            return self._replays.get(replay_id)

    @staticmethod
    def _run(admin: JobAdmin, replay: BulkReplay) -> None:
        try:
            admin.replay_all(replay.filter, replay.progressed)
            replay.total = replay.total or 0
        except GhlttError as exc:
            replay.error = str(exc)
        except Exception as exc:  # the executor's database: down, or never started
            log.warning("bulk replay failed", replay=replay.id, error=type(exc).__name__)
            replay.error = "the durable executor cannot be reached; see the server log"
        finally:
            replay.finished = True


replays = BulkReplays()
