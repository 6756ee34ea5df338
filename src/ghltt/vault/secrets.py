"""The secrets repository: JSON payloads encrypted per row, never readable from the table."""

from __future__ import annotations

import secrets as _random
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from ghltt.core import NotFound, utcnow
from ghltt.store.tables import vault_secrets
from ghltt.vault.crypto import Cipher
from ghltt.vault.errors import VaultError
from ghltt.vault.keys import MasterKey

Payload = dict[str, Any]


@dataclass(frozen=True, repr=False)
class SecretRecord:
    id: str
    purpose: str
    owner: str | None
    version: int
    payload: Payload

    def __repr__(self) -> str:  # the payload is the secret: never in a repr
        return f"SecretRecord(id={self.id!r}, purpose={self.purpose!r}, version={self.version})"


def _aad(secret_id: str, purpose: str) -> bytes:
    return f"ghltt:vault:v1:{secret_id}:{purpose}".encode()


class Vault:
    """Encrypted secrets in the store. Every call is one short transaction."""

    def __init__(self, engine: sa.Engine, cipher: Cipher) -> None:
        self.engine = engine
        self.cipher = cipher

    def __repr__(self) -> str:
        return f"Vault(cipher={self.cipher!r})"

    def put(self, purpose: str, payload: Payload, *, owner: str | None = None) -> str:
        secret_id = "sec_" + _random.token_hex(12)
        key_id, blob = self.cipher.encrypt(_dump(payload), aad=_aad(secret_id, purpose))
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                vault_secrets.insert().values(
                    id=secret_id,
                    purpose=purpose,
                    owner=owner,
                    key_id=key_id,
                    ciphertext=blob,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
        return secret_id

    def get(self, secret_id: str) -> SecretRecord:
        found = self.find(secret_id)
        if found is None:
            raise NotFound(f"secret {secret_id} is not in the vault")
        return found

    def find(self, secret_id: str) -> SecretRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(vault_secrets).where(vault_secrets.c.id == secret_id)
            ).first()
        if row is None:
            return None
        plain = self.cipher.decrypt(
            row.key_id, row.ciphertext, aad=_aad(row.id, row.purpose), where=f"secret {row.id}"
        )
        return SecretRecord(row.id, row.purpose, row.owner, row.version, _load(plain, row.id))

    def replace(
        self, secret_id: str, payload: Payload, *, expect_version: int | None = None
    ) -> int:
        """Overwrite the payload; with ``expect_version``, only if nobody wrote since."""
        with self.engine.begin() as conn:
            purpose = conn.execute(
                sa.select(vault_secrets.c.purpose).where(vault_secrets.c.id == secret_id)
            ).scalar_one_or_none()
            if purpose is None:
                raise NotFound(f"secret {secret_id} is not in the vault")
            key_id, blob = self.cipher.encrypt(_dump(payload), aad=_aad(secret_id, purpose))
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
        if result is None:
            raise VaultError(f"secret {secret_id} changed while it was being replaced")
        return int(result.version)

    def delete(self, secret_id: str) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(vault_secrets.delete().where(vault_secrets.c.id == secret_id))
        return bool(done.rowcount)

    # ---- rotation ----------------------------------------------------------------------------
    def pending(self, target_key_id: str, limit: int) -> list[str]:
        stmt = (
            sa.select(vault_secrets.c.id)
            .where(vault_secrets.c.key_id != target_key_id)
            .order_by(vault_secrets.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def count_not_under(self, target_key_id: str) -> int:
        stmt = sa.select(sa.func.count()).where(vault_secrets.c.key_id != target_key_id)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def rewrap(self, secret_id: str, target: MasterKey) -> bool:
        """Re-encrypt one secret under ``target``; False when it was already there or gone."""
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(vault_secrets).where(vault_secrets.c.id == secret_id)
            ).first()
            if row is None or row.key_id == target.id:
                return False
            aad = _aad(row.id, row.purpose)
            plain = self.cipher.decrypt(
                row.key_id, row.ciphertext, aad=aad, where=f"secret {row.id}"
            )
            key_id, blob = self.cipher.encrypt(plain, aad=aad, key=target)
            # Compare-and-set on the version: a concurrent replace wins, and is rewrapped later.
            done = conn.execute(
                vault_secrets.update()
                .where(vault_secrets.c.id == row.id, vault_secrets.c.version == row.version)
                .values(key_id=key_id, ciphertext=blob)
            )
        return bool(done.rowcount)


def _dump(payload: Payload) -> bytes:
    return orjson.dumps(payload)


def _load(plain: bytes, secret_id: str) -> Payload:
    value = orjson.loads(plain)
    if not isinstance(value, dict):
        raise VaultError(f"secret {secret_id} does not hold a JSON object")
    return value
