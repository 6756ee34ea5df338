"""The ``{"response": {...}, "data": ...}`` envelope and the in-band error it carries."""

from __future__ import annotations

from typing import Any

API_VERSION = "4.0"


class ApiError(Exception):
    """An error answered in-band: HTTP 200 with ``response.status`` set (500, 404, 403, 502)."""

    def __init__(self, status: int, message: str, *, http_status: int = 200) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.http_status = http_status


class NotFoundError(ApiError):
    def __init__(self, message: str = "Object not found") -> None:
        super().__init__(404, message)


class ForbiddenError(ApiError):
    def __init__(self, message: str = "You don't have permission to perform this action") -> None:
        super().__init__(403, message)


class ValidationError(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(500, message)


def envelope(
    data: Any,
    *,
    status: int = 200,
    message: str = "ok",
    note: str | None = None,
    note_type: str | None = None,
    siblings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "response": {
            "status": status,
            "version": API_VERSION,
            "message": message,
            "note": note,
            "note_type": note_type,
        },
        "data": data,
    }
    if siblings:
        body.update(siblings)
    return body


def error_envelope(status: int, message: str) -> dict[str, Any]:
    return envelope({}, status=status, message=message)
