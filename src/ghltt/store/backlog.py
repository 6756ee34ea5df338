"""What waits in the store, as the metrics report it: work queued and dead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ghltt.core import StoreUnavailable
from ghltt.store.inbox import as_utc
from ghltt.store.tables import inbox_events, runs


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int  # accepted events not processed yet (held ones count as processed)
    oldest: datetime | None  # when the oldest of them arrived
    dead_letters: int  # failed runs waiting for a replay or a dismissal


def read_backlog(db: sa.Engine) -> Backlog:
    """Two indexed reads of the queue's state; raises ``StoreUnavailable`` if the store is down."""
    e = inbox_events.c
    waiting = sa.select(sa.func.count(), sa.func.min(e.received_at)).where(e.processed_at.is_(None))
    dead = sa.select(sa.func.count()).select_from(runs).where(runs.c.status == "failed")
    try:
        with db.connect() as conn:
            row = conn.execute(waiting).one()
            dead_count = conn.execute(dead).scalar_one()
    except sa.exc.OperationalError as exc:
        raise StoreUnavailable(f"the store did not answer: {exc.orig}") from exc
    pending: int = row[0]
    oldest: datetime | None = row[1]
    return Backlog(int(pending), as_utc(oldest), int(dead_count))
