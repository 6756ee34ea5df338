"""Turns committed inbox events into durable runs (a transactional outbox).

Each pass enqueues a batch of workflows in one transaction on the system database, then marks
the events dispatched. A crash between the two re-enqueues the same workflow ids on the next
pass, which DBOS treats as the existing workflow: nothing runs twice.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
import structlog
from dbos import DBOSClient

from ghltt.jobs.workflows import PROCESS_EVENT
from ghltt.store import InboxRepository

log = structlog.get_logger(__name__)

RUNS_QUEUE = "ghltt-runs"
WORKFLOW_VERSION = "1"


def event_workflow_id(event_id: str) -> str:
    return f"event:{event_id}"


def enqueue_options(workflow_id: str, bridge: str) -> dict[str, Any]:
    return {
        "workflow_name": PROCESS_EVENT,
        "queue_name": RUNS_QUEUE,
        "workflow_id": workflow_id,
        "queue_partition_key": bridge,
        "app_version": WORKFLOW_VERSION,
    }


class Dispatcher:
    def __init__(
        self,
        inbox: InboxRepository,
        client: DBOSClient,
        jobs_engine: sa.Engine,
        *,
        batch: int = 500,
        idle_poll: float = 0.1,
    ) -> None:
        self._inbox = inbox
        self._client = client
        self._jobs_engine = jobs_engine
        self._batch = batch
        self._idle_poll = idle_poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dispatched = 0

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
        while not self._stop.is_set():
            self._wake.wait(self._idle_poll)
            self._wake.clear()
            try:
                while not self._stop.is_set() and self.dispatch_once() == self._batch:
                    pass
            except Exception as exc:
                # The store or system database is down; the events stay in the inbox.
                log.warning("dispatch pass failed", error=type(exc).__name__, detail=str(exc)[:200])
                self._stop.wait(1.0)

    def dispatch_once(self) -> int:
        pending = self._inbox.undispatched(self._batch)
        if not pending:
            return 0
        with self._jobs_engine.begin() as conn:
            for event_id, bridge in pending:
                options = enqueue_options(event_workflow_id(event_id), bridge)
                self._client.enqueue_in_transaction(conn, options, event_id, bridge)  # type: ignore[arg-type]
        self._inbox.mark_dispatched([event_id for event_id, _ in pending])
        self.dispatched += len(pending)
        return len(pending)
