"""Provenance: for every field a run wrote, where its value came from (never the value itself:
values may be personal data, so only a hash is kept)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.database import Bind
from ghltt.store.inbox import as_utc
from ghltt.store.tables import provenance


@dataclass(frozen=True, slots=True)
class ProvenanceEntry:
    target_system: str
    object_type: str
    object_id: str
    field: str
    source_system: str
    source_path: str
    value_hash: str
    written_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "target_system": self.target_system,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "field": self.field,
            "source_system": self.source_system,
            "source_path": self.source_path,
            "value_hash": self.value_hash,
        }


class ProvenanceRepository:
    def __init__(self, db: Bind) -> None:
        self.db = db

    def record(self, run_id: str, bridge_id: str, entries: Iterable[ProvenanceEntry]) -> int:
        now = utcnow()
        rows = [
            {
                "run_id": run_id,
                "bridge_id": bridge_id,
                **{k: str(v)[:500] for k, v in e.as_dict().items()},
                "written_at": e.written_at or now,
            }
            for e in entries
        ]
        if not rows:
            return 0
        with self.db.begin() as conn:
            conn.execute(provenance.insert(), rows)
        return len(rows)

    def for_object(
        self, bridge_id: str, system: str, object_type: str, object_id: str
    ) -> list[ProvenanceEntry]:
        c = provenance.c
        stmt = (
            sa.select(provenance)
            .where(
                (c.bridge_id == bridge_id)
                & (c.target_system == system)
                & (c.object_type == object_type)
                & (c.object_id == str(object_id))
            )
            .order_by(c.id)
        )
        with self.db.connect() as conn:
            return [
                ProvenanceEntry(
                    target_system=r.target_system,
                    object_type=r.object_type,
                    object_id=r.object_id,
                    field=r.field,
                    source_system=r.source_system,
                    source_path=r.source_path,
                    value_hash=r.value_hash,
                    written_at=as_utc(r.written_at),
                )
                for r in conn.execute(stmt)
            ]
