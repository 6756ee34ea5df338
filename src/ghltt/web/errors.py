"""Every error leaves as JSON that says what is wrong and where; never a traceback."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ghltt.core import InvalidInput, NotFound, StoreUnavailable
from ghltt.web.responses import JSONResponse

log = structlog.get_logger(__name__)


def problem(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    headers = extra.pop("headers", None)
    return JSONResponse(
        {"error": error, "message": message, **extra}, status_code=status, headers=headers
    )


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "no such route", 405: "method not allowed on this route"}
        error = {
            400: "bad_request",
            401: "unauthorized",
            404: "not_found",
            405: "method_not_allowed",
            413: "body_too_large",
            415: "unsupported_media_type",
        }.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code in messages and message in ("Not Found", "Method Not Allowed"):
            message = f"{messages[exc.status_code]}: {request.method} {request.url.path}"
        return problem(exc.status_code, error, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"where": _where(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        first = details[0] if details else {"where": "body", "message": "invalid"}
        return problem(
            422, "invalid_input", f"{first['where']}: {first['message']}", details=details
        )

    @app.exception_handler(InvalidInput)
    async def invalid_input(_request: Request, exc: InvalidInput) -> JSONResponse:
        # A recipe's text has every problem found, each with its file:line:col.
        found = getattr(exc, "problems", None) or []
        details = [{"where": p.where, "message": p.message} for p in found]
        return problem(422, "invalid_input", str(exc), **({"details": details} if details else {}))

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return problem(404, "not_found", str(exc))

    @app.exception_handler(StoreUnavailable)
    async def store_down(_request: Request, exc: StoreUnavailable) -> JSONResponse:
        return problem(503, "store_unavailable", str(exc), headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", path=request.url.path, error=type(exc).__name__)
        return problem(500, "internal_error", "an unexpected error occurred; see the server log")
