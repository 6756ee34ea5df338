"""GHL's NestJS-style error bodies mapped onto the shared connector errors.

Body: ``{statusCode, message: str | [str], error?, traceId?, meta?}``. GHL quirks handled here:
an unknown contact id is a 400 "Contact with id X not found" (→ ``NotFound``); a missing scope is
a 401 "The token is not authorized for this scope." (→ ``ScopeError``, refreshing won't help); a
duplicate contact is a 400 with ``meta.contactId`` (→ ``DuplicateContact``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Unpack

import httpx2

from ghltt.connectors.http import (
    AuthError,
    ConnectorError,
    ErrorContext,
    NotFound,
    ScopeError,
    ValidationError,
    error_for_status,
    parse_retry_after,
    redact_text,
    redact_url,
)

__all__ = ["DuplicateContact", "InvalidGrant", "map_ghl_error"]

_NOT_FOUND = re.compile(r"\b(not found|does not exist)\b", re.IGNORECASE)
_SCOPE = re.compile(r"not authorized for this scope", re.IGNORECASE)
_DUPLICATE = re.compile(r"duplicat", re.IGNORECASE)


class DuplicateContact(ValidationError):
    """Create refused: the location forbids duplicates and ``contact_id`` already matches."""

    def __init__(
        self,
        message: str,
        *,
        contact_id: str,
        contact_name: str | None = None,
        matching_field: str | None = None,
        messages: Sequence[str] = (),
        **context: Unpack[ErrorContext],
    ) -> None:
        self.contact_id = contact_id
        self.contact_name = contact_name
        self.matching_field = matching_field
        super().__init__(message, messages=messages, **context)


class InvalidGrant(AuthError):
    """The OAuth token endpoint refused the refresh token or code (``invalid_grant``)."""


def map_ghl_error(response: httpx2.Response) -> ConnectorError:
    """The most specific ``ConnectorError`` for a GHL error response."""
    status = response.status_code
    body = _json_object(response)
    raw = body.get("message", body.get("error_description", body.get("error")))
    messages = [redact_text(str(m)) for m in raw] if isinstance(raw, list) else []
    if messages:
        message = ", ".join(messages)
    elif raw is not None:
        message = redact_text(str(raw))
    else:
        message = response.reason_phrase or f"HTTP {status}"
    trace = body.get("traceId")
    context = ErrorContext(
        status=status,
        method=response.request.method,
        url=redact_url(str(response.request.url)),
        trace_id=str(trace) if trace else None,
    )
    meta = body.get("meta")
    if status == 400 and isinstance(meta, dict) and meta.get("contactId"):
        return DuplicateContact(
            message,
            contact_id=str(meta["contactId"]),
            contact_name=_opt_str(meta.get("contactName")),
            matching_field=_opt_str(meta.get("matchingField")),
            messages=messages,
            **context,
        )
    if body.get("error") == "invalid_grant":
        return InvalidGrant(message, **context)
    if status == 401 and _SCOPE.search(message):
        return ScopeError(message, **context)
    if status == 400 and _NOT_FOUND.search(message) and not _DUPLICATE.search(message):
        return NotFound(message, **context)
    return error_for_status(
        status,
        message,
        messages=messages,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        method=context.get("method"),
        url=context.get("url"),
        trace_id=context.get("trace_id"),
    )


def _json_object(response: httpx2.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
