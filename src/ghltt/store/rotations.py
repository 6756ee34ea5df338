"""Rows of ``vault_rotations``: which key a master-key rotation targets, and how far it got."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.tables import vault_rotations


class RotationRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def unfinished(self) -> sa.Row[Any] | None:
        """The latest rotation not finished yet (``id``, ``target_key_id``), if any."""
        stmt = (
            sa.select(vault_rotations.c.id, vault_rotations.c.target_key_id)
            .where(vault_rotations.c.finished_at.is_(None))
            .order_by(vault_rotations.c.id.desc())
            .limit(1)
        )
        with self.db.connect() as conn:
            return conn.execute(stmt).first()

    def start(self, target_key_id: str) -> int:
        with self.db.begin() as conn:
            rotation_id: int = conn.execute(
                vault_rotations.insert()
                .values(target_key_id=target_key_id, rewrapped=0, started_at=utcnow())
                .returning(vault_rotations.c.id)
            ).scalar_one()
        return int(rotation_id)

    def count_rewrapped(self, rotation_id: int) -> None:
        with self.db.begin() as conn:
            conn.execute(
                vault_rotations.update()
                .where(vault_rotations.c.id == rotation_id)
                .values(rewrapped=vault_rotations.c.rewrapped + 1)
            )

    def finish(self, rotation_id: int) -> None:
        with self.db.begin() as conn:
            conn.execute(
                vault_rotations.update()
                .where(vault_rotations.c.id == rotation_id)
                .values(finished_at=utcnow())
            )
