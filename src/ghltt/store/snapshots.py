"""Record snapshots: the last state we saw of a remote record (its mapped source fields), so an
event that does not say which fields changed can be given the difference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ghltt.core import utcnow
from ghltt.store.database import Bind, reader
from ghltt.store.tables import record_snapshots


def _keyed() -> sa.ColumnElement[bool]:
    c = record_snapshots.c
    return (
        (c.bridge_id == sa.bindparam("k_bridge"))
        & (c.system == sa.bindparam("k_system"))
        & (c.object_type == sa.bindparam("k_type"))
        & (c.object_id == sa.bindparam("k_id"))
    )


# Built once: constructing them per call cost more than running them (each synced record
# reads one snapshot and writes two).
_GET = sa.select(record_snapshots.c.state).where(_keyed())


def _upsert(insert: Any) -> Any:
    stmt = insert(record_snapshots)
    return stmt.on_conflict_do_update(
        index_elements=["bridge_id", "system", "object_type", "object_id"],
        set_={"state": stmt.excluded.state, "updated_at": stmt.excluded.updated_at},
    )


# One statement for a pair's two snapshots, new or not (a round trip each on PostgreSQL).
_PUT = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


def _key(bridge_id: str, system: str, object_type: str, object_id: str) -> dict[str, str]:
    return {
        "k_bridge": bridge_id,
        "k_system": system,
        "k_type": object_type,
        "k_id": str(object_id),
    }


class SnapshotRepository:
    def __init__(self, db: Bind) -> None:
        self.db = db

    def _where(
        self, bridge_id: str, system: str, object_type: str, object_id: str
    ) -> sa.ColumnElement[bool]:
        c = record_snapshots.c
        return (
            (c.bridge_id == bridge_id)
            & (c.system == system)
            & (c.object_type == object_type)
            & (c.object_id == str(object_id))
        )

    def get(
        self, bridge_id: str, system: str, object_type: str, object_id: str
    ) -> dict[str, Any] | None:
        with reader(self.db).connect() as conn:
            state = conn.execute(_GET, _key(bridge_id, system, object_type, object_id)).scalar()
        return dict(state) if isinstance(state, dict) else None

    def put(
        self,
        bridge_id: str,
        system: str,
        object_type: str,
        object_id: str,
        state: dict[str, Any],
    ) -> None:
        self.put_many(bridge_id, [(system, object_type, object_id, state)])

    def put_many(
        self, bridge_id: str, snapshots: Sequence[tuple[str, str, str, dict[str, Any]]]
    ) -> None:
        """Store each (system, object type, object id, state), replacing what was there."""
        if not snapshots:
            return
        now = utcnow()
        rows = [
            {
                "bridge_id": bridge_id,
                "system": system,
                "object_type": object_type,
                "object_id": str(object_id),
                "state": state,
                "updated_at": now,
            }
            for system, object_type, object_id, state in snapshots
        ]
        with self.db.begin() as conn:
            conn.execute(_PUT[conn.dialect.name], rows)

    def delete(self, bridge_id: str, system: str, object_type: str, object_id: str) -> bool:
        where = self._where(bridge_id, system, object_type, object_id)
        with self.db.begin() as conn:
            return bool(conn.execute(record_snapshots.delete().where(where)).rowcount)
