from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import tests.support.plugin  # noqa: F401  (registers the test route and step)
from ghltt.jobs import JobRuntime
from ghltt.settings import Settings, load_settings
from ghltt.store import open_database, upgrade
from ghltt.web.intake_writer import IntakeWriter


def make_settings(database_url: str, data_dir: Path, **extra: object) -> Settings:
    return load_settings(
        data_dir=data_dir,
        database_url=database_url,
        run_retry_interval=0.05,
        run_max_attempts=2,
        **extra,
    )


@pytest.fixture
def runtime(
    database_url: str, tmp_path: Path
) -> Iterator[tuple[JobRuntime, IntakeWriter, sa.Engine]]:
    settings = make_settings(database_url, tmp_path / "data")
    db = open_database(settings.store_url)
    upgrade(db)
    jobs = JobRuntime(settings, db)
    intake = IntakeWriter(db, on_commit=jobs.wake)
    intake.start()
    jobs.start()
    try:
        yield jobs, intake, db
    finally:
        intake.stop()
        jobs.stop()
        db.dispose()


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
