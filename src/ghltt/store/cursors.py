"""Reconciliation cursors: where each bridge's poll of each stream left off.

A cursor is an opaque JSON object owned by the stream that wrote it. ``save_in`` writes inside
the caller's transaction, so a poll's events and its cursor advance commit together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.tables import sync_cursors

__all__ = ["CursorRepository"]


def _upsert(dialect: str, values: dict[str, Any]) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(sync_cursors).values(**values)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(sync_cursors).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=["bridge_id", "stream"],
        set_={"cursor": stmt.excluded.cursor, "updated_at": stmt.excluded.updated_at},
    )


class CursorRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def get(self, bridge_id: str, stream: str) -> dict[str, Any] | None:
        stmt = sa.select(sync_cursors.c.cursor).where(
            sync_cursors.c.bridge_id == bridge_id, sync_cursors.c.stream == stream
        )
        with self.db.connect() as conn:
            found = conn.execute(stmt).scalar()
        return dict(found) if isinstance(found, dict) else None

    def get_all(self, bridge_id: str) -> dict[str, dict[str, Any]]:
        """Every stream's cursor for one bridge, in one read."""
        stmt = sa.select(sync_cursors.c.stream, sync_cursors.c.cursor).where(
            sync_cursors.c.bridge_id == bridge_id
        )
        with self.db.connect() as conn:
            return {row.stream: dict(row.cursor) for row in conn.execute(stmt)}

    def save(self, bridge_id: str, stream: str, cursor: Mapping[str, Any]) -> None:
        with self.db.begin() as conn:
            self.save_in(conn, bridge_id, stream, cursor)

    @staticmethod
    def save_in(
        conn: sa.Connection, bridge_id: str, stream: str, cursor: Mapping[str, Any]
    ) -> None:
        """Create or replace one cursor in the caller's transaction."""
        values = {
            "bridge_id": bridge_id,
            "stream": stream,
            "cursor": dict(cursor),
            "updated_at": utcnow(),
        }
        conn.execute(_upsert(conn.dialect.name, values))

    def delete(self, bridge_id: str, stream: str | None = None) -> int:
        """Forget a bridge's cursors (one stream, or all): the next poll starts afresh."""
        stmt = sync_cursors.delete().where(sync_cursors.c.bridge_id == bridge_id)
        if stream is not None:
            stmt = stmt.where(sync_cursors.c.stream == stream)
        with self.db.begin() as conn:
            return int(conn.execute(stmt).rowcount)
