"""Turns committed inbox events into durable runs (a transactional outbox), in batches.

A pass first fixes the batch of every new event in the store, then enqueues each batch's
workflow in one transaction on the system database, then marks the events dispatched. A crash
between any two re-reads the same batches on the next pass and enqueues them under the same
workflow ids, which DBOS treats as the existing workflows: nothing runs twice, nothing is lost.

Batches amortise a workflow's bookkeeping over several events. Nothing waits to fill one: a
pass batches what has arrived since it was woken (see ``JobRuntime``: by intake in this
process, by the store's watch of other processes' commits, or by its idle poll). A bridge's events
are spread over as many batches as the executor runs at once, but a batch carries at least
``MIN_BATCH`` events when there are that many (a workflow costs about as much as a small run,
so batches of one would halve what a worker can do under a steady stream) and at most
``max_batch``. A record's events stay in one batch, in the order they arrived.

Most events of a busy location need no run (no enabled recipe wants a note or an opportunity's
every change). The dispatcher plans each new event as its batch would, and settles those that
need none in the same transaction that fixes the batches: ``no_match``, or ``held`` when a
recipe that would take it is off until a connection is fixed. They cost no workflow, and a
pass settles a page of them in one statement. The batch's own planning still decides for the
rest, so an event whose recipes changed meanwhile comes to the same outcome there.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

import structlog
from dbos import DBOSClient

from ghltt.core import Event, new_event_id
from ghltt.jobs.plans import Planner
from ghltt.jobs.workflows import PROCESS_BATCH, enqueue_options
from ghltt.store import InboxRepository
from ghltt.store.database import Database
from ghltt.store.inbox import HELD, NO_MATCH, Undispatched

log = structlog.get_logger(__name__)


MIN_BATCH = 4


def plan_batches(events: Sequence[Undispatched], *, spread: int, max_batch: int) -> list[list[str]]:
    """Group one bridge's new events into batches (event ids, in arrival order)."""
    groups: dict[str, list[str]] = {}
    for e in events:
        groups.setdefault(e.record or e.event_id, []).append(e.event_id)
    count = max(1, min(spread, len(events) // MIN_BATCH), math.ceil(len(events) / max_batch))
    size = math.ceil(len(events) / count)
    batches: list[list[str]] = []
    current: list[str] = []
    for members in groups.values():
        if current and len(current) + len(members) > size:
            batches.append(current)
            current = []
        current.extend(members)
    if current:
        batches.append(current)
    return batches


class Dispatcher:
    def __init__(
        self,
        inbox: InboxRepository,
        client: DBOSClient,
        jobs_db: Database,
        planner: Planner,
        *,
        spread: int,
        max_batch: int,
        page: int = 500,
        idle_poll: Callable[[], float] = lambda: 0.1,
        on_enqueued: Callable[[], None] = lambda: None,
        min_gap: float = 0.1,
    ) -> None:
        self._inbox = inbox
        self._client = client
        self._jobs_db = jobs_db
        self._planner = planner
        self._spread = spread
        self._max_batch = max_batch
        self._page = page
        # How long to wait for a wake-up before looking anyway (asked before each wait).
        self._idle_poll = idle_poll
        self._on_enqueued = on_enqueued
        self._min_gap = min_gap
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dispatched = 0
        self.settled = 0  # events that needed no run, settled here

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ghltt-dispatch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        last_pass = 0.0
        while not self._stop.is_set():
            self._wake.wait(self._idle_poll())
            # Woken by every commit of a busy intake, a pass still takes what arrived over
            # ``min_gap`` (as when it polled ten times a second): batches stay as large.
            early = last_pass + self._min_gap - time.monotonic()
            if early > 0 and self._stop.wait(early):
                return
            self._wake.clear()
            last_pass = time.monotonic()
            try:
                while not self._stop.is_set() and self.dispatch_once() == self._page:
                    pass
            except Exception as exc:
                # The store or system database is down; the events stay in the inbox.
                log.warning("dispatch pass failed", error=type(exc).__name__, detail=str(exc)[:200])
                self._stop.wait(1.0)
                self._wake.set()  # and another pass at once, woken or not

    def dispatch_once(self) -> int:
        """One pass; returns how many undispatched events it saw."""
        pending = self._inbox.undispatched(self._page)
        if not pending:
            return 0
        batch_bridge = {e.batch_id: e.bridge for e in pending if e.batch_id}
        fresh = [e for e in pending if e.batch_id is None]
        if any(e.released for e in fresh):
            self._planner.refresh()  # released by a fix this process may not have read yet
        new: dict[str, list[Undispatched]] = defaultdict(list)
        settled: dict[str, list[str]] = defaultdict(list)
        for e in fresh:
            outcome = None if e.event is None else self._outcome_without_runs(e.event)
            if outcome is None:
                new[e.bridge].append(e)
            else:
                settled[outcome].append(e.event_id)
        assigned: dict[str, Sequence[str]] = {}
        for bridge, events in new.items():
            for members in plan_batches(events, spread=self._spread, max_batch=self._max_batch):
                batch_id = f"batch:{new_event_id()}"
                assigned[batch_id] = members
                batch_bridge[batch_id] = bridge
        self._inbox.assign_batches(assigned, settled)
        self.settled += sum(len(ids) for ids in settled.values())
        # The store says who is in which batch (another dispatcher may have taken some).
        batches = {b: m for b, m in self._inbox.batch_members(list(batch_bridge)).items() if m}
        if batches:
            with self._jobs_db.begin() as conn:
                for batch_id, members in batches.items():
                    bridge = batch_bridge[batch_id]
                    options = enqueue_options(PROCESS_BATCH, batch_id, bridge)
                    # True: the batch's runs are their own checkpoints (process_batch).
                    self._client.enqueue_in_transaction(
                        conn,
                        options,  # type: ignore[arg-type]
                        batch_id,
                        bridge,
                        members,
                        True,
                    )
            self._on_enqueued()
        dispatched = [event_id for members in batches.values() for event_id in members]
        self._inbox.mark_dispatched(dispatched)
        self.dispatched += len(dispatched)
        return len(pending)

    def _outcome_without_runs(self, event: Event) -> str | None:
        """None when the event needs a run; else what it comes to without one."""
        try:
            if self._planner.plan(event):
                return None
            return HELD if self._planner.held(event) else NO_MATCH
        except Exception:
            # Its batch plans it again, and fails where the failure is a dead letter.
            return None
