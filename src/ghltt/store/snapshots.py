"""Record snapshots: the last state we saw of a remote record (its mapped source fields), so an
event that does not say which fields changed can be given the difference."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.database import Bind, reader
from ghltt.store.tables import record_snapshots


def _key(bridge_id: str, system: str, object_type: str, object_id: str) -> dict[str, str]:
    return {
        "bridge_id": bridge_id,
        "system": system,
        "object_type": object_type,
        "object_id": str(object_id),
    }


# Built once: a sync run reads and writes snapshots, and building a statement costs more
# than executing it.
_c = record_snapshots.c
# Bound as k_<column>: an UPDATE's SET takes the params named as columns.
_KEY = (
    (_c.bridge_id == sa.bindparam("k_bridge_id"))
    & (_c.system == sa.bindparam("k_system"))
    & (_c.object_type == sa.bindparam("k_object_type"))
    & (_c.object_id == sa.bindparam("k_object_id"))
)
_GET = sa.select(_c.state).where(_KEY)
_UPDATE = record_snapshots.update().where(_KEY)  # SET: state and updated_at, from the params
_INSERT = record_snapshots.insert()


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
        key = _key(bridge_id, system, object_type, object_id)
        db = reader(self.db)
        with db.connect() as conn:
            state = conn.execute(_GET, {f"k_{k}": v for k, v in key.items()}).scalar()
        return dict(state) if isinstance(state, dict) else None

    def put(
        self,
        bridge_id: str,
        system: str,
        object_type: str,
        object_id: str,
        state: dict[str, Any],
    ) -> None:
        key = _key(bridge_id, system, object_type, object_id)
        values = {"state": state, "updated_at": utcnow()}
        with self.db.begin() as conn:
            where = {f"k_{k}": v for k, v in key.items()}
            updated = conn.execute(_UPDATE, {**where, **values}).rowcount
            if not updated:
                conn.execute(_INSERT, {**key, **values})

    def delete(self, bridge_id: str, system: str, object_type: str, object_id: str) -> bool:
        where = self._where(bridge_id, system, object_type, object_id)
        with self.db.begin() as conn:
            return bool(conn.execute(record_snapshots.delete().where(where)).rowcount)
