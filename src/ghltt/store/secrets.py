"""Rows of ``vault_secrets``: ciphertexts by id, each written under a compare-and-set version.

The store never sees a plaintext: the vault hands it sealed bytes, or a function that seals
inside the transaction that reads the row (so the row cannot change in between).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ghltt.core import NotFound, utcnow
from ghltt.store.tables import vault_secrets

# (key id, ciphertext) of a sealed payload.
Sealed = tuple[str, bytes]


class SecretRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def insert(
        self, secret_id: str, *, purpose: str, owner: str | None, key_id: str, ciphertext: bytes
    ) -> None:
        now = utcnow()
        with self.db.begin() as conn:
            conn.execute(
                vault_secrets.insert().values(
                    id=secret_id,
                    purpose=purpose,
                    owner=owner,
                    key_id=key_id,
                    ciphertext=ciphertext,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )

    def row(self, secret_id: str) -> sa.Row[Any] | None:
        with self.db.connect() as conn:
            return conn.execute(
                sa.select(vault_secrets).where(vault_secrets.c.id == secret_id)
            ).first()

    def replace(
        self, secret_id: str, seal: Callable[[str], Sealed], *, expect_version: int | None
    ) -> int | None:
        """Store what ``seal(purpose)`` gives; the new version, or None when ``expect_version``
        no longer holds. Raises NotFound when there is no such secret."""
        with self.db.begin() as conn:
            purpose = conn.execute(
                sa.select(vault_secrets.c.purpose).where(vault_secrets.c.id == secret_id)
            ).scalar_one_or_none()
            if purpose is None:
                raise NotFound(f"secret {secret_id} is not in the vault")
            key_id, blob = seal(purpose)
            where = vault_secrets.c.id == secret_id
            if expect_version is not None:
                where = where & (vault_secrets.c.version == expect_version)
            result = conn.execute(
                vault_secrets.update()
                .where(where)
                .values(
                    key_id=key_id,
                    ciphertext=blob,
                    version=vault_secrets.c.version + 1,
                    updated_at=utcnow(),
                )
                .returning(vault_secrets.c.version)
            ).first()
        return None if result is None else int(result.version)

    def delete(self, secret_id: str) -> bool:
        with self.db.begin() as conn:
            done = conn.execute(vault_secrets.delete().where(vault_secrets.c.id == secret_id))
        return bool(done.rowcount)

    # ---- rotation ----------------------------------------------------------------------------
    def pending(self, target_key_id: str, limit: int) -> list[str]:
        """Ids of secrets not yet under ``target_key_id``."""
        stmt = (
            sa.select(vault_secrets.c.id)
            .where(vault_secrets.c.key_id != target_key_id)
            .order_by(vault_secrets.c.id)
            .limit(limit)
        )
        with self.db.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def count_not_under(self, target_key_id: str) -> int:
        stmt = sa.select(sa.func.count()).where(vault_secrets.c.key_id != target_key_id)
        with self.db.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def reseal(self, secret_id: str, reseal: Callable[[sa.Row[Any]], Sealed | None]) -> bool:
        """Replace a secret's ciphertext by ``reseal(row)`` (None: leave it); False when it
        was left, gone, or written by someone else meanwhile."""
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(vault_secrets).where(vault_secrets.c.id == secret_id)
            ).first()
            if row is None:
                return False
            sealed = reseal(row)
            if sealed is None:
                return False
            key_id, blob = sealed
            # Compare-and-set on the version: a concurrent replace wins, and is rewrapped later.
            done = conn.execute(
                vault_secrets.update()
                .where(vault_secrets.c.id == row.id, vault_secrets.c.version == row.version)
                .values(key_id=key_id, ciphertext=blob)
            )
        return bool(done.rowcount)
