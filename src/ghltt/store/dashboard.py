"""What the dashboard reads: runs paged (filtered by the store's ``RunFilter``), activity per
bridge, and its password. Every list is keyset-paged on an index, so a page costs the same at
any depth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.inbox import as_utc
from ghltt.store.runs import LISTED, RunFilter, RunRecord, RunRepository, _run
from ghltt.store.tables import dashboard_auth, inbox_events, runs, sync_cursors


@dataclass(frozen=True, slots=True)
class RunItem:
    """A run as a list shows it: the run and what its event was about."""

    run: RunRecord
    source: str
    kind: str
    object_type: str | None
    object_id: str | None

    @property
    def cursor(self) -> str:
        """Where the next (older) page starts."""
        started = self.run.started_at.isoformat() if self.run.started_at else ""
        return f"{started}|{self.run.id}"


@dataclass(frozen=True, slots=True)
class EventItem:
    id: str
    source: str
    kind: str
    object_type: str | None
    object_id: str | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class Activity:
    events_hour: int = 0
    events_day: int = 0
    runs_hour: int = 0
    runs_day: int = 0
    failed_day: int = 0
    dead_letters: int = 0


def parse_cursor(text: str) -> tuple[datetime, str] | None:
    """A ``cursor`` of :class:`RunItem`, or None when it is not one."""
    started, sep, run_id = text.partition("|")
    if not sep or not run_id:
        return None
    try:
        return datetime.fromisoformat(started), run_id
    except ValueError:
        return None


def _item(row: sa.Row[Any]) -> RunItem:
    m = row._mapping
    return RunItem(
        run=_run(row),
        source=m["source"],
        kind=m["kind"],
        object_type=m["object_type"],
        object_id=m["object_id"],
    )


class DashboardQueries:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def runs_page(
        self, f: RunFilter, *, before: tuple[datetime, str] | None = None, limit: int = 50
    ) -> list[RunItem]:
        """Runs matching ``f``, newest first, older than ``before`` (a page's last cursor)."""
        with self.db.connect() as conn:
            stmt = LISTED.where(*f.where(conn))
            if before is not None:
                at, run_id = before
                stmt = stmt.where(
                    sa.or_(
                        runs.c.started_at < at,
                        sa.and_(runs.c.started_at == at, runs.c.id < run_id),
                    )
                )
            stmt = stmt.order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit)
            return [_item(r) for r in conn.execute(stmt)]

    def changed_since(self, since: datetime, limit: int = 50) -> list[RunItem]:
        """Runs started or finished after ``since``, oldest change first (the live tail)."""
        started = LISTED.where(runs.c.started_at > since)
        finished = LISTED.where(runs.c.finished_at > since)
        found: dict[str, RunItem] = {}
        with self.db.connect() as conn:
            for stmt in (started, finished):
                for row in conn.execute(stmt.order_by(runs.c.started_at.desc()).limit(limit)):
                    item = _item(row)
                    found[item.run.id] = item
        return sorted(found.values(), key=_changed_at)

    def activity(self, bridge_ids: list[str], now: datetime | None = None) -> dict[str, Activity]:
        """Events, runs and failures per bridge in the last hour and day.

        Counted per bridge on the (bridge, time) indexes, which cover the counts: the cost
        is the day's rows of the index, never the table's. One statement per bridge (its
        counts as scalar subqueries): one round trip each, which matters on PostgreSQL.
        """
        now = now or utcnow()
        hour, day = now - timedelta(hours=1), now - timedelta(days=1)

        def runs_since(bridge: str, since: datetime) -> sa.Select[Any]:
            return sa.select(sa.func.count()).where(
                runs.c.bridge_id == bridge, runs.c.started_at >= since
            )

        def events_since(bridge: str, since: datetime) -> sa.Select[Any]:
            return sa.select(sa.func.count()).where(
                inbox_events.c.bridge_id == bridge, inbox_events.c.received_at >= since
            )

        failed = (
            sa.select(runs.c.bridge_id, sa.func.count().label("n"))
            .where(runs.c.status == "failed", runs.c.started_at >= day)
            .group_by(runs.c.bridge_id)
        )

        def dead(bridge: str) -> sa.Select[Any]:
            return sa.select(sa.func.count()).where(
                runs.c.bridge_id == bridge, runs.c.status == "failed"
            )

        out: dict[str, Activity] = {}
        with self.db.connect() as conn:
            failed_day = {r.bridge_id: int(r.n) for r in conn.execute(failed)}
            for bridge in bridge_ids:
                counts = conn.execute(
                    sa.select(
                        events_since(bridge, hour).scalar_subquery(),
                        events_since(bridge, day).scalar_subquery(),
                        runs_since(bridge, hour).scalar_subquery(),
                        runs_since(bridge, day).scalar_subquery(),
                        dead(bridge).scalar_subquery(),
                    )
                ).one()
                out[bridge] = Activity(
                    events_hour=int(counts[0]),
                    events_day=int(counts[1]),
                    runs_hour=int(counts[2]),
                    runs_day=int(counts[3]),
                    failed_day=failed_day.get(bridge, 0),
                    dead_letters=int(counts[4]),
                )
        return out

    def last_reconciliations(self) -> dict[str, datetime]:
        """When each bridge's polls last moved a cursor."""
        stmt = sa.select(sync_cursors.c.bridge_id, sa.func.max(sync_cursors.c.updated_at)).group_by(
            sync_cursors.c.bridge_id
        )
        with self.db.connect() as conn:
            return {
                str(row[0]): at for row in conn.execute(stmt) if (at := as_utc(row[1])) is not None
            }

    def recent_events(
        self, bridge_id: str, *, object_id: str | None = None, limit: int = 20
    ) -> list[EventItem]:
        """A bridge's latest events, or the latest about one record, newest first."""
        c = inbox_events.c
        stmt = sa.select(c.id, c.source, c.kind, c.object_type, c.object_id, c.received_at)
        stmt = stmt.where(c.bridge_id == bridge_id)
        if object_id:
            stmt = stmt.where(c.object_id == object_id)
        stmt = stmt.order_by(c.received_at.desc()).limit(limit)
        with self.db.connect() as conn:
            return [
                EventItem(
                    id=r.id,
                    source=r.source,
                    kind=r.kind,
                    object_type=r.object_type,
                    object_id=r.object_id,
                    received_at=as_utc(r.received_at),
                )
                for r in conn.execute(stmt)
            ]

    def runs_with_outcome(self, bridge_id: str, outcome: str, limit: int = 20) -> list[RunRecord]:
        """The last runs of a bridge whose report says ``outcome`` (e.g. shadow ``planned``)."""
        repo = RunRepository(self.db)
        stmt = (
            sa.select(runs.c.id)
            .where(runs.c.bridge_id == bridge_id, runs.c.status == "succeeded")
            .order_by(runs.c.started_at.desc())
            .limit(limit * 5)
        )
        with self.db.connect() as conn:
            ids = [str(r.id) for r in conn.execute(stmt)]
        found: list[RunRecord] = []
        for run_id in ids:
            record = repo.get(run_id)
            if record and any(_outcome(s.output) == outcome for s in record.steps):
                found.append(record)
            if len(found) >= limit:
                break
        return found


def _outcome(output: Any) -> str | None:
    return output.get("outcome") if isinstance(output, dict) else None


def _changed_at(item: RunItem) -> datetime:
    run = item.run
    return run.finished_at or run.started_at or datetime.min


class DashboardAuthRepository:
    """The dashboard's own password: one salted scrypt hash, or none."""

    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def password_hash(self) -> str | None:
        with self.db.connect() as conn:
            found = conn.execute(
                sa.select(dashboard_auth.c.password_hash).where(dashboard_auth.c.id == "default")
            ).scalar()
        return str(found) if found else None

    def set_password_hash(self, value: str) -> None:
        with self.db.begin() as conn:
            conn.execute(dashboard_auth.delete().where(dashboard_auth.c.id == "default"))
            conn.execute(
                dashboard_auth.insert().values(
                    id="default", password_hash=value, updated_at=utcnow()
                )
            )

    def clear(self) -> bool:
        with self.db.begin() as conn:
            return bool(
                conn.execute(
                    dashboard_auth.delete().where(dashboard_auth.c.id == "default")
                ).rowcount
            )


__all__ = [
    "Activity",
    "DashboardAuthRepository",
    "DashboardQueries",
    "EventItem",
    "RunItem",
    "parse_cursor",
]
