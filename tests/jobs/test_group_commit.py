"""Runs' record writes committed in groups: together, each run told of its own, none lost."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ghltt.jobs.group_commit import GroupCommit
from ghltt.store.database import Bind, open_database

pytestmark = pytest.mark.anyio

_rows = sa.Table(
    "rows", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("run", sa.Text)
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = open_database(f"sqlite:///{tmp_path / 'store.db'}")
    _rows.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _insert(run: str, row_id: int | None = None) -> Callable[[Bind], None]:
    def write(bound: Bind) -> None:
        with bound.begin() as conn:
            conn.execute(_rows.insert(), {"id": row_id, "run": run})

    return write


def _stored(db: sa.Engine) -> list[str]:
    with db.connect() as conn:
        return sorted(conn.execute(sa.select(_rows.c.run)).scalars())


def _commits(db: sa.Engine) -> list[int]:
    counted = [0]
    sa.event.listen(db, "commit", lambda _conn: counted.__setitem__(0, counted[0] + 1))
    return counted


async def test_runs_ending_while_a_commit_is_under_way_commit_together(db: sa.Engine) -> None:
    commits, group = _commits(db), GroupCommit(db)
    release = threading.Event()

    def slow(bound: Bind) -> None:
        release.wait(5)
        _insert("first")(bound)

    first = asyncio.create_task(group.commit([slow]))
    await asyncio.sleep(0.05)  # the first commit holds the thread
    rest = [asyncio.create_task(group.commit([_insert(f"run {i}")])) for i in range(5)]
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(first, *rest)
    assert _stored(db) == ["first", *(f"run {i}" for i in range(5))]
    assert commits[0] == 2  # the five that waited, in one transaction
    group.close()


async def test_a_refused_write_fails_only_its_own_run(db: sa.Engine) -> None:
    group = GroupCommit(db)
    await group.commit([_insert("taken", row_id=7)])
    release = threading.Event()
    blocker = asyncio.create_task(group.commit([lambda _bound: release.wait(5)]))
    await asyncio.sleep(0.05)
    before = asyncio.create_task(group.commit([_insert("before")]))
    clash = asyncio.create_task(group.commit([_insert("clash", row_id=7)]))
    after = asyncio.create_task(group.commit([_insert("after")]))
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(blocker, before, after)
    with pytest.raises(sa.exc.IntegrityError):
        await clash
    assert _stored(db) == ["after", "before", "taken"]
    group.close()


async def test_a_run_cancelled_while_waiting_still_has_its_writes_committed(
    db: sa.Engine,
) -> None:
    group = GroupCommit(db)
    release = threading.Event()
    blocker = asyncio.create_task(group.commit([lambda _bound: release.wait(5)]))
    await asyncio.sleep(0.05)
    cancelled = asyncio.create_task(group.commit([_insert("cancelled run")]))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    release.set()
    await blocker
    group.close()  # commits what is waiting
    assert _stored(db) == ["cancelled run"]


async def test_after_close_a_run_is_told_its_writes_were_not_committed(db: sa.Engine) -> None:
    group = GroupCommit(db)
    group.close()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(group.commit([_insert("too late")]), 5)
    assert _stored(db) == []
