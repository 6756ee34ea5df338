"""The executor's heartbeat: a row in the store, renewed every few seconds while it runs.

Readiness reads these rows, so it says whether some executor is draining the queue (the
child of ``ghltt serve``, its restarted successor, or a ``ghltt worker`` started elsewhere),
not whether one particular process id still exists.
"""

from __future__ import annotations

import os
import socket
import threading

import structlog

from ghltt.store.database import Database
from ghltt.store.executors import ExecutorRepository

log = structlog.get_logger(__name__)

INTERVAL = 5.0
# A heartbeat older than this is an executor gone (three beats missed).
FRESH_WITHIN = 3 * INTERVAL


def executors_alive(db: Database) -> bool:
    return bool(ExecutorRepository(db).alive(within=FRESH_WITHIN))


class Heartbeat:
    """Writes this process's heartbeat from a daemon thread until stopped."""

    def __init__(self, db: Database, executor_id: str, interval: float = INTERVAL) -> None:
        self._repository = ExecutorRepository(db)
        self._executor_id = executor_id
        self._host = socket.gethostname()
        self._pid = os.getpid()
        self.instance = f"{executor_id}:{self._host}:{self._pid}"
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._beat()  # at once: readiness should not wait a whole interval after a restart
        self._thread = threading.Thread(target=self._loop, name="ghltt-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._interval + 5)
            self._thread = None
        try:
            self._repository.forget(self.instance)
        except Exception as exc:  # the store may be gone at shutdown; the row then goes stale
            log.warning("could not remove the executor's heartbeat", error=type(exc).__name__)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._beat()

    def _beat(self) -> None:
        try:
            self._repository.beat(
                self.instance, executor_id=self._executor_id, host=self._host, pid=self._pid
            )
        except Exception as exc:  # a store hiccup: the next beat tries again
            log.warning("could not write the executor's heartbeat", error=type(exc).__name__)
