"""Telling executors that the inbox may hold new events, across processes, without a poll of it.

A web process commits webhooks; a separate executor (the child of ``ghltt serve``, or ``ghltt
worker`` processes) dispatches them. Rather than query the inbox ten times a second:

- PostgreSQL: the transaction that adds events (or hands held ones back) sends a NOTIFY on
  ``ghltt_inbox``, delivered when it commits; each executor LISTENs on a connection of its own.
- SQLite: no NOTIFY, but ``PRAGMA data_version`` on a connection kept open changes when any
  other connection, in any process, has committed to the file. Asking is a few microseconds
  and reads no table, so it can be asked often; the inbox is queried only when it changed.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import structlog

log = structlog.get_logger(__name__)

CHANNEL = "ghltt_inbox"
_NOTIFY = sa.text(f"SELECT pg_notify('{CHANNEL}', '')")
# How often an SQLite watch asks whether the file changed.
SQLITE_INTERVAL = 0.05


def notify_new_events(conn: sa.Connection) -> None:
    """Announce new undispatched events, in the transaction that makes them (PostgreSQL;
    SQLite's watchers see the commit itself). PostgreSQL folds repeats within a transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(_NOTIFY)


class InboxWatch(ABC):
    """Calls ``on_change`` from a thread of its own when the inbox may have new events.

    ``announces_events``: each call means events were added (PostgreSQL's NOTIFY), rather
    than that something in the store changed (SQLite's data_version). ``live``: the watch
    can see other processes' commits now (a lost PostgreSQL connection makes it blind until
    it is back, when it calls ``on_change`` once for what it may have missed).
    """

    announces_events = False

    def __init__(self, on_change: Callable[[], None]) -> None:
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.live = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ghltt-inbox-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    @abstractmethod
    def _run(self) -> None:
        """Watch until stopped, calling ``on_change`` for each change seen."""


class _NoWatch(InboxWatch):
    """An in-memory database: no other process can write to it."""

    def start(self) -> None:
        pass

    def _run(self) -> None:
        pass  # never started


class _SqliteWatch(InboxWatch):
    def __init__(self, path: str, on_change: Callable[[], None], interval: float) -> None:
        super().__init__(on_change)
        self._path = path
        self._interval = interval

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, check_same_thread=False)
        try:
            seen = conn.execute("PRAGMA data_version").fetchone()[0]
            self.live = True
            while not self._stop.wait(self._interval):
                try:
                    version = conn.execute("PRAGMA data_version").fetchone()[0]
                except sqlite3.Error as exc:  # busy or gone for a moment: ask again next time
                    log.warning("inbox watch could not read the store", error=str(exc))
                    continue
                if version != seen:
                    seen = version
                    self._on_change()
        finally:
            self.live = False
            conn.close()


class _PostgresWatch(InboxWatch):
    announces_events = True

    def __init__(self, db: sa.Engine, on_change: Callable[[], None]) -> None:
        super().__init__(on_change)
        self._db = db

    def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                self._listen()
                delay = 1.0
            except Exception as exc:
                self.live = False
                log.warning(
                    "inbox watch lost its connection; reconnecting",
                    error=type(exc).__name__,
                    retry_in_seconds=delay,
                )
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)

    def _listen(self) -> None:
        raw = self._db.raw_connection()
        conn: Any = raw.driver_connection
        raw.detach()  # a connection of its own for good, outside the pool
        try:
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
            self.live = True
            self._on_change()  # whatever was committed while nobody listened
            while not self._stop.is_set():
                # The timeout only bounds how long a stop waits.
                for _ in conn.notifies(timeout=1.0, stop_after=1):
                    self._on_change()
        finally:
            self.live = False
            raw.close()


def watch_inbox(
    db: sa.Engine, on_change: Callable[[], None], *, sqlite_interval: float = SQLITE_INTERVAL
) -> InboxWatch:
    """A watch of ``db``'s inbox for commits by other connections and processes (not started)."""
    if db.dialect.name == "postgresql":
        return _PostgresWatch(db, on_change)
    database = db.url.database
    if not database or database == ":memory:":
        return _NoWatch(on_change)
    return _SqliteWatch(database, on_change, sqlite_interval)
