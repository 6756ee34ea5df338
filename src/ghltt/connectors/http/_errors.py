"""The connector error hierarchy. Messages never carry credentials (see ``_redact``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, Unpack

from ghltt.core import GhlttError
from ghltt.core import NotFound as CoreNotFound

__all__ = [
    "AuthError",
    "ConnectorError",
    "ErrorContext",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ScopeError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "error_for_status",
]


class ErrorContext(TypedDict, total=False):
    """Where a failure happened; every field is safe to log (URLs are redacted first)."""

    status: int | None
    method: str | None
    url: str | None
    trace_id: str | None


class ConnectorError(GhlttError):
    """A remote call failed. ``status`` is the HTTP status when there was a response."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        url: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.method = method
        self.url = url
        self.trace_id = trace_id
        where = f"{method} {url}: " if method and url else ""
        code = f"[{status}] " if status is not None else ""
        trace = f" (traceId {trace_id})" if trace_id else ""
        super().__init__(f"{where}{code}{message}{trace}")


class AuthError(ConnectorError):
    """The credential was refused (missing, invalid, expired or revoked)."""


class PermissionDenied(ConnectorError):
    """The credential is valid but may not do this (wrong account, location or role)."""


class ScopeError(PermissionDenied):
    """The credential lacks a scope the operation needs; refreshing will not help."""


class NotFound(ConnectorError, CoreNotFound):
    """The remote record does not exist; also a core ``NotFound`` (a 404 on fetch = delete)."""


class ValidationError(ConnectorError):
    """The remote rejected the input; ``messages`` are the API's own words."""

    def __init__(
        self, message: str, *, messages: Sequence[str] = (), **context: Unpack[ErrorContext]
    ) -> None:
        self.messages: tuple[str, ...] = tuple(messages) or (message,)
        super().__init__(message, **context)


class RateLimited(ConnectorError):
    """The remote (or our own budget) refused for now; ``retry_after`` is in seconds if known."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, **context: Unpack[ErrorContext]
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, **context)


class ServerError(ConnectorError):
    """The remote failed (5xx). The request may or may not have been applied."""


class TransportError(ConnectorError):
    """No usable response: connection, timeout or protocol failure.

    ``sent`` is False when the request surely never reached the server (connect failures), which
    makes even a non-idempotent request safe to retry.
    """

    def __init__(
        self,
        message: str,
        *,
        sent: bool = True,
        timeout: bool = False,
        **context: Unpack[ErrorContext],
    ) -> None:
        self.sent = sent
        self.timeout = timeout
        super().__init__(message, **context)


def error_for_status(
    status: int,
    message: str,
    *,
    messages: Sequence[str] = (),
    retry_after: float | None = None,
    method: str | None = None,
    url: str | None = None,
    trace_id: str | None = None,
) -> ConnectorError:
    """The generic status → error class mapping; connectors refine it with the API's body."""
    ctx = ErrorContext(status=status, method=method, url=url, trace_id=trace_id)
    if status == 401:
        return AuthError(message, **ctx)
    if status == 403:
        return PermissionDenied(message, **ctx)
    if status in (404, 410):
        return NotFound(message, **ctx)
    if status == 429:
        return RateLimited(message, retry_after=retry_after, **ctx)
    if status >= 500:
        return ServerError(message, **ctx)
    if 400 <= status < 500:
        return ValidationError(message, messages=messages, **ctx)
    return ConnectorError(message, **ctx)
