"""The vault proper: JSON payloads encrypted per row, never readable from the table."""

from __future__ import annotations

import hmac
import secrets as _random
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

import orjson

from ghltt.core import NotFound
from ghltt.settings import Settings
from ghltt.store.database import Database, Row
from ghltt.store.secrets import Sealed, SecretRepository
from ghltt.vault.crypto import Cipher
from ghltt.vault.errors import VaultError
from ghltt.vault.keys import MasterKey, key_source

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

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self.db = db
        self.cipher = cipher
        self.rows = SecretRepository(db)

    def __repr__(self) -> str:
        return f"Vault(cipher={self.cipher!r})"

    def put(self, purpose: str, payload: Payload, *, owner: str | None = None) -> str:
        secret_id = "sec_" + _random.token_hex(12)
        key_id, blob = self.cipher.encrypt(_dump(payload), aad=_aad(secret_id, purpose))
        self.rows.insert(secret_id, purpose=purpose, owner=owner, key_id=key_id, ciphertext=blob)
        return secret_id

    def derive_key(self, label: str) -> bytes:
        """A 32-byte key for ``label`` (e.g. signing sessions), derived from the primary
        master key: every process with the vault gets the same one, and none is stored."""
        material = self.cipher.source.current().primary.material
        return hmac.new(material, b"ghltt-derived-key\x00" + label.encode(), sha256).digest()

    def get(self, secret_id: str) -> SecretRecord:
        found = self.find(secret_id)
        if found is None:
            raise NotFound(f"secret {secret_id} is not in the vault")
        return found

    def find(self, secret_id: str) -> SecretRecord | None:
        row = self.rows.row(secret_id)
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

        def seal(purpose: str) -> Sealed:
            return self.cipher.encrypt(_dump(payload), aad=_aad(secret_id, purpose))

        version = self.rows.replace(secret_id, seal, expect_version=expect_version)
        if version is None:
            raise VaultError(f"secret {secret_id} changed while it was being replaced")
        return version

    def delete(self, secret_id: str) -> bool:
        return self.rows.delete(secret_id)

    # ---- rotation ----------------------------------------------------------------------------
    def pending(self, target_key_id: str, limit: int) -> list[str]:
        return self.rows.pending(target_key_id, limit)

    def count_not_under(self, target_key_id: str) -> int:
        return self.rows.count_not_under(target_key_id)

    def rewrap(self, secret_id: str, target: MasterKey) -> bool:
        """Re-encrypt one secret under ``target``; False when it was already there or gone."""

        def reseal(row: Row) -> Sealed | None:
            if row.key_id == target.id:
                return None
            aad = _aad(row.id, row.purpose)
            plain = self.cipher.decrypt(
                row.key_id, row.ciphertext, aad=aad, where=f"secret {row.id}"
            )
            return self.cipher.encrypt(plain, aad=aad, key=target)

        return self.rows.reseal(secret_id, reseal)


def open_vault(settings: Settings, db: Database, *, create_key: bool = True) -> Vault:
    """The vault of these settings: their master key (or key file) over the store's database."""
    master = settings.master_key.get_secret_value() if settings.master_key else None
    return Vault(db, Cipher(key_source(master, settings.key_file, create=create_key)))


def _dump(payload: Payload) -> bytes:
    return orjson.dumps(payload)


def _load(plain: bytes, secret_id: str) -> Payload:
    value = orjson.loads(plain)
    if not isinstance(value, dict):
        raise VaultError(f"secret {secret_id} does not hold a JSON object")
    return value
