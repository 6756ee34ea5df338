"""Rows of ``executors``: each executor process writes a heartbeat every few seconds, so any
process can tell whether some executor, wherever it runs, is draining the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ghltt.core import utcnow
from ghltt.store.inbox import as_utc
from ghltt.store.tables import executors

# Rows of executors silent this long are deleted by the next heartbeat of any executor.
_FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ExecutorBeat:
    id: str
    executor_id: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime


class ExecutorRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def beat(self, instance: str, *, executor_id: str, host: str, pid: int) -> None:
        """Record that this executor process is alive now (its row is made on its first beat)."""
        now = utcnow()
        insert = (postgresql.insert if self.db.dialect.name == "postgresql" else sqlite.insert)(
            executors
        )
        with self.db.begin() as conn:
            conn.execute(
                insert.values(
                    id=instance,
                    executor_id=executor_id,
                    host=host,
                    pid=pid,
                    started_at=now,
                    heartbeat_at=now,
                ).on_conflict_do_update(index_elements=["id"], set_={"heartbeat_at": now})
            )
            conn.execute(executors.delete().where(executors.c.heartbeat_at < now - _FORGET_AFTER))

    def forget(self, instance: str) -> None:
        """An executor that stops cleanly says so, instead of letting its heartbeat go stale."""
        with self.db.begin() as conn:
            conn.execute(executors.delete().where(executors.c.id == instance))

    def alive(self, within: float) -> list[ExecutorBeat]:
        """Executors whose last heartbeat is at most ``within`` seconds old, newest first."""
        since = utcnow() - timedelta(seconds=within)
        stmt = (
            sa.select(executors)
            .where(executors.c.heartbeat_at >= since)
            .order_by(executors.c.heartbeat_at.desc())
        )
        with self.db.connect() as conn:
            return [
                ExecutorBeat(
                    id=r.id,
                    executor_id=r.executor_id,
                    host=r.host,
                    pid=r.pid,
                    started_at=as_utc(r.started_at) or r.started_at,
                    heartbeat_at=as_utc(r.heartbeat_at) or r.heartbeat_at,
                )
                for r in conn.execute(stmt)
            ]
