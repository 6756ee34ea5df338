"""An idle executor waits for wake-ups: it does not query the store ten times a second, and an
event another process commits still runs promptly."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.core import Event, EventSource
from ghltt.jobs import JobRuntime, queue_wake
from ghltt.jobs import runtime as runtime_module
from ghltt.jobs.workflows import RUNS_QUEUE
from ghltt.store import InboxRepository, commit_new, open_database, upgrade
from tests.jobs.conftest import make_settings, wait_for

# Far longer than the waits below: an event that runs within them was woken, not polled for.
NEVER = 600.0


@pytest.fixture
def quiet(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[JobRuntime, sa.Engine]]:
    """An executor whose only ways to notice work are its wake-ups: no idle poll of the inbox
    or of the runs queue that could find it in time."""
    monkeypatch.setattr(runtime_module, "DISPATCH_SAFETY_POLL", NEVER)
    monkeypatch.setattr(runtime_module, "DISPATCH_IDLE_POLL", NEVER)
    monkeypatch.setattr(queue_wake, "IDLE_POLL", NEVER)
    settings = make_settings(database_url, tmp_path / "data")
    db = open_database(settings.store_url)
    upgrade(db)
    jobs = JobRuntime(settings, db)
    jobs.start()
    try:
        yield jobs, db
    finally:
        jobs.stop()
        db.dispose()


def _event(key: str, journal: Path) -> Event:
    return Event(
        bridge="b1",
        source=EventSource.GHL,
        kind="test.multistep",
        dedup_key=f"ghl:{key}",
        payload={"journal": str(journal), "steps": 1},
    )


def _settle(db: sa.Engine) -> None:
    """Until the start-up's first passes are done (the inbox is empty: nothing to wait for)."""
    wait_for(lambda: InboxRepository(db).count(processed=False) == 0, what="a quiet inbox")
    time.sleep(1.0)


def test_an_event_another_process_commits_runs_without_the_executor_polling(
    quiet: tuple[JobRuntime, sa.Engine], database_url: str, tmp_path: Path
) -> None:
    jobs, db = quiet
    _settle(db)
    # The web process's intake: its own engine and connections, and no in-process wake-up.
    web = open_database(database_url)
    try:
        journal = tmp_path / "journal"
        for n in range(2):  # the first, and one after the worker went idle again
            commit_new(web, [_event(f"from-web-{n}", journal)])
            wait_for(
                lambda n=n: InboxRepository(db).count(processed=True) == n + 1,
                timeout=30,
                what="the web's event to run",
            )
            time.sleep(1.5)
    finally:
        web.dispose()
    assert jobs.started
    assert len(journal.read_text().splitlines()) == 4  # two events, one step each, start+done


class _Statements:
    """Every statement every SQLAlchemy engine of this process runs (the store's, DBOS's)."""

    def __init__(self) -> None:
        self.texts: Counter[str] = Counter()
        self.runs_queue = 0  # statements about the runs queue: DBOS's polls of it
        self._lock = threading.Lock()

    def __call__(self, _c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        about_runs = RUNS_QUEUE in repr(parameters)
        with self._lock:
            self.texts[" ".join(statement.split())[:80]] += 1
            self.runs_queue += about_runs

    def reading(self, table: str) -> int:
        return sum(n for t, n in self.texts.items() if t.startswith("SELECT") and table in t)


def test_an_idle_executor_does_not_poll_the_inbox_or_the_runs_queue(
    database_url: str, tmp_path: Path
) -> None:
    # As configured, with its real idle polls.
    settings = make_settings(database_url, tmp_path / "data")
    db = open_database(settings.store_url)
    upgrade(db)
    jobs = JobRuntime(settings, db)
    jobs.start()
    counted = _Statements()
    try:
        _settle(db)
        sa.event.listen(sa.Engine, "before_cursor_execute", counted)
        started = time.monotonic()
        time.sleep(4.0)
        seconds = time.monotonic() - started
        sa.event.remove(sa.Engine, "before_cursor_execute", counted)
    finally:
        jobs.stop()
        db.dispose()
    # Before: the dispatcher read the inbox ten times a second, and DBOS polled the runs
    # queue (two statements naming it) ten times a second: 40 and 80 in this window.
    assert counted.reading("inbox_events") <= 2, counted.texts
    assert counted.runs_queue <= 2 * (seconds / queue_wake.IDLE_POLL + 1), counted.texts
