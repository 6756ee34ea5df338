"""Imports: one row per import with its checkpoint (per direction: the source's cursor after
the last page done and the counts so far), and the records it failed to apply (its dead
letters, replayable alone)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.database import Bind
from ghltt.store.inbox import as_utc
from ghltt.store.tables import import_failures, imports

STATUSES = ("pending", "running", "paused", "cancelled", "finished", "failed")
# An import in one of these may still be run (again); the others are over.
OPEN = frozenset({"pending", "running", "paused"})


@dataclass(frozen=True, slots=True)
class ImportRecord:
    id: str
    bridge_id: str
    recipe: str
    directions: tuple[str, ...]
    filters: dict[str, Any]
    plan_only: bool
    status: str = "pending"
    progress: dict[str, Any] = field(default_factory=dict)
    samples: list[Any] = field(default_factory=list)
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bridge_id": self.bridge_id,
            "recipe": self.recipe,
            "directions": list(self.directions),
            "filters": self.filters,
            "plan_only": self.plan_only,
            "status": self.status,
            "progress": self.progress,
            "samples": self.samples,
            "error": self.error,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


@dataclass(frozen=True, slots=True)
class ImportFailure:
    import_id: str
    system: str
    record_id: str
    reason: str
    record: dict[str, Any]
    status: str = "failed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "system": self.system,
            "record_id": self.record_id,
            "reason": self.reason,
            "status": self.status,
        }


def new_import_id() -> str:
    return f"imp_{uuid.uuid4().hex[:16]}"


def _record(row: sa.Row[Any]) -> ImportRecord:
    m = row._mapping
    return ImportRecord(
        id=m["id"],
        bridge_id=m["bridge_id"],
        recipe=m["recipe"],
        directions=tuple(m["directions"]),
        filters=dict(m["filters"]),
        plan_only=bool(m["plan_only"]),
        status=m["status"],
        progress=dict(m["progress"]),
        samples=list(m["samples"]),
        error=m["error"],
        created_at=as_utc(m["created_at"]),
        updated_at=as_utc(m["updated_at"]),
    )


def _failure(row: sa.Row[Any]) -> ImportFailure:
    m = row._mapping
    return ImportFailure(
        m["import_id"], m["system"], m["record_id"], m["reason"], dict(m["record"]), m["status"]
    )


class ImportRepository:
    def __init__(self, db: Bind) -> None:
        self.db = db

    def create(self, record: ImportRecord) -> ImportRecord:
        now = utcnow()
        with self.db.begin() as conn:
            conn.execute(
                imports.insert().values(
                    id=record.id,
                    bridge_id=record.bridge_id,
                    recipe=record.recipe,
                    directions=list(record.directions),
                    filters=record.filters,
                    plan_only=record.plan_only,
                    status=record.status,
                    progress=record.progress,
                    samples=record.samples,
                    error=None,
                    created_at=now,
                    updated_at=now,
                )
            )
        found = self.get(record.id)
        assert found is not None
        return found

    def get(self, import_id: str) -> ImportRecord | None:
        with self.db.connect() as conn:
            row = conn.execute(sa.select(imports).where(imports.c.id == import_id)).first()
        return None if row is None else _record(row)

    def recent(
        self,
        bridge_id: str | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        status: str | None = None,
    ) -> list[ImportRecord]:
        """Newest first; ``offset`` pages on (the dashboard's list)."""
        stmt = (
            sa.select(imports)
            .order_by(imports.c.created_at.desc(), imports.c.id)
            .limit(limit)
            .offset(offset)
        )
        if bridge_id is not None:
            stmt = stmt.where(imports.c.bridge_id == bridge_id)
        if status is not None:
            stmt = stmt.where(imports.c.status == status)
        with self.db.connect() as conn:
            return [_record(r) for r in conn.execute(stmt)]

    def last_finished(self, bridge_id: str, recipe: str) -> ImportRecord | None:
        """The newest finished import (not a plan) of a recipe: where a catch-up starts."""
        c = imports.c
        stmt = (
            sa.select(imports)
            .where(
                (c.bridge_id == bridge_id)
                & (c.recipe == recipe)
                & (c.status == "finished")
                & c.plan_only.is_(False)
            )
            .order_by(c.updated_at.desc())
            .limit(1)
        )
        with self.db.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else _record(row)

    def checkpoint(
        self, import_id: str, progress: dict[str, Any], samples: list[Any] | None = None
    ) -> None:
        """The progress after a page, unless the import was paused or cancelled meanwhile
        (its status is then left as it is; the runner sees it before the next page)."""
        values: dict[str, Any] = {"progress": progress, "updated_at": utcnow()}
        if samples is not None:
            values["samples"] = samples
        with self.db.begin() as conn:
            conn.execute(imports.update().where(imports.c.id == import_id).values(**values))

    def set_status(
        self,
        import_id: str,
        status: str,
        *,
        error: str | None = None,
        only_from: frozenset[str] | None = None,
    ) -> bool:
        """Move to ``status`` (from one of ``only_from`` if given); whether it moved."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        where = imports.c.id == import_id
        if only_from is not None:
            where = where & imports.c.status.in_(sorted(only_from))
        with self.db.begin() as conn:
            moved = conn.execute(
                imports.update()
                .where(where)
                .values(status=status, error=error, updated_at=utcnow())
            ).rowcount
        return bool(moved)

    def record_failure(
        self,
        import_id: str,
        system: str,
        record_id: str,
        status: str,
        reason: str,
        record: dict[str, Any],
    ) -> None:
        """A record set aside: ``failed`` (its writes), ``ambiguous`` or ``invalid``."""
        now = utcnow()
        c = import_failures.c
        key = (c.import_id == import_id) & (c.system == system) & (c.record_id == record_id)
        values = {"reason": reason, "record": record, "status": status, "updated_at": now}
        with self.db.begin() as conn:
            if conn.execute(import_failures.update().where(key).values(**values)).rowcount:
                return
            conn.execute(
                import_failures.insert().values(
                    import_id=import_id,
                    system=system,
                    record_id=record_id,
                    created_at=now,
                    **values,
                )
            )

    def failures(self, import_id: str, *, status: str | None = None) -> list[ImportFailure]:
        c = import_failures.c
        stmt = sa.select(import_failures).where(c.import_id == import_id)
        if status is not None:
            stmt = stmt.where(c.status == status)
        with self.db.connect() as conn:
            return [_failure(r) for r in conn.execute(stmt.order_by(c.created_at, c.record_id))]

    def mark_replayed(self, import_id: str, system: str, record_id: str) -> None:
        c = import_failures.c
        key = (c.import_id == import_id) & (c.system == system) & (c.record_id == record_id)
        with self.db.begin() as conn:
            conn.execute(
                import_failures.update().where(key).values(status="replayed", updated_at=utcnow())
            )
