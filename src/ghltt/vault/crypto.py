"""AES-256-GCM with the row as associated data (see docs/vault.md for why not Fernet).

A ciphertext is ``nonce (12 bytes) || ciphertext || tag``. The associated data names the row
(id and purpose), so a ciphertext copied into another row fails to decrypt instead of handing
one connection's credential to another.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ghltt.vault.errors import VaultError
from ghltt.vault.keys import KeySource, MasterKey

NONCE_BYTES = 12


class Cipher:
    def __init__(self, source: KeySource) -> None:
        self.source = source

    def __repr__(self) -> str:
        return f"Cipher(source={self.source!r})"

    @property
    def primary_id(self) -> str:
        return self.source.current().primary.id

    def key(self, key_id: str) -> MasterKey:
        found = self.source.current().get(key_id)
        if found is None:
            raise VaultError(
                f"a secret is encrypted under master key {key_id}, which is not in "
                f"{self.source.where}; restore that key from your backup"
            )
        return found

    def encrypt(
        self, plaintext: bytes, *, aad: bytes, key: MasterKey | None = None
    ) -> tuple[str, bytes]:
        key = key or self.source.current().primary
        nonce = os.urandom(NONCE_BYTES)
        return key.id, nonce + AESGCM(key.material).encrypt(nonce, plaintext, aad)

    def decrypt(self, key_id: str, blob: bytes, *, aad: bytes, where: str) -> bytes:
        key = self.key(key_id)
        try:
            return AESGCM(key.material).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag:
            raise VaultError(
                f"{where}: the stored ciphertext fails authentication (altered, or copied from "
                "another row); rotate or reconnect this credential"
            ) from None
