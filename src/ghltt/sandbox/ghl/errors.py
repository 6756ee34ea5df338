"""NestJS-style error bodies as the real API sends them (reference §1.2)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

MSG_SCOPE = "The token is not authorized for this scope."
MSG_LOCATION = "The token does not have access to this location."
MSG_AUTH_CLASS = (
    "This authClass type is not allowed to access this scope. "
    "Please reach out to the Platform team to get it added."
)


class ApiError(Exception):
    """An error answer. ``error`` is the phrase field; some real bodies have none (403, dupes)."""

    def __init__(
        self,
        status: int,
        message: str | list[str],
        *,
        error: str | bool | None = True,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message if isinstance(message, str) else ", ".join(message))
        self.status = status
        self.message = message
        self.error = PHRASES.get(status, "Error") if error is True else (error or None)
        self.meta = meta
        self.headers = headers or {}

    def body(self, trace_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {"statusCode": self.status, "message": self.message}
        if self.error:
            body["error"] = self.error
        if self.meta is not None:
            body["meta"] = self.meta
        body["traceId"] = trace_id
        return body

    def response(self, trace_id: str, headers: dict[str, str] | None = None) -> JSONResponse:
        merged = {**(headers or {}), **self.headers}
        return JSONResponse(self.body(trace_id), status_code=self.status, headers=merged)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def unprocessable(messages: list[str]) -> ApiError:
    return ApiError(422, messages)


def forbidden_location() -> ApiError:
    return ApiError(403, MSG_LOCATION, error=None)


def scope_error() -> ApiError:
    return ApiError(401, MSG_SCOPE)


def contact_not_found(contact_id: str) -> ApiError:
    # The real API answers an unknown contact id with 400, not 404 (reference §1.2).
    return ApiError(400, f"Contact with id {contact_id} not found")


def route_not_found(method: str, path: str) -> ApiError:
    # Express-style answer for unknown routes (reference §1.2).
    return ApiError(404, f"Cannot {method} {path}")
