"""Errors of the vault. Messages name what failed and what to do; they never carry a secret."""

from __future__ import annotations

from ghltt.core import GhlttError, InvalidInput


class VaultError(GhlttError):
    """A secret could not be read or written (missing key, altered ciphertext, bad key file)."""


class MissingScopes(InvalidInput):
    """A credential lacks scopes the enabled recipes need."""

    def __init__(self, missing: frozenset[str], *, where: str) -> None:
        self.missing = missing
        names = ", ".join(sorted(missing))
        super().__init__(f"missing GHL scope(s): {names}; reconnect with them granted", where=where)
