"""Errors shared by every room. Messages say what is wrong and where; they never carry secrets."""

from __future__ import annotations


class GhlttError(Exception):
    """Base class of every error ghltt raises on purpose."""


class InvalidInput(GhlttError):
    """Input from a user or a remote was rejected; ``where`` names the place (field, file:line)."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class NotFound(GhlttError):
    """A record ghltt looked for does not exist."""


class StoreUnavailable(GhlttError):
    """The store could not take a write now; the caller should retry later."""
