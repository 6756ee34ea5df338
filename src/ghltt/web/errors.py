"""Every error leaves as JSON that says what is wrong and where; never a traceback."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from ghltt.core import InvalidInput, NotFound, StoreUnavailable
from ghltt.web.responses import JSONResponse

log = structlog.get_logger(__name__)

# The error codes a client can rely on, by status (docs/operations.md lists them).
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "overloaded",
    500: "internal_error",
    502: "remote_error",
    503: "store_unavailable",
}


class ProblemDetail(BaseModel):
    where: str
    message: str


class Problem(BaseModel):
    """The body of every error: a stable code and a message naming what and where."""

    error: str = Field(description="One of: " + ", ".join(sorted(set(CODES.values()))))
    message: str
    details: list[ProblemDetail] | None = None


def problem(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    headers = extra.pop("headers", None)
    return JSONResponse(
        {"error": error, "message": message, **extra}, status_code=status, headers=headers
    )


def code_of(status: int) -> str:
    """The documented code of a status; a class's code (4xx, 5xx) for one without its own."""
    return CODES.get(status) or ("bad_request" if status < 500 else "internal_error")


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def allowed_methods(request: Request, named: str) -> str:
    """Every method the path takes, from the OpenAPI document: FastAPI makes one route per
    method, and Starlette's 405 names only those of the first route that matched (``named``)."""
    found = {m.strip() for m in named.split(",") if m.strip()}
    path = request.url.path
    for template, operations in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(path):
            found.update(method.upper() for method in operations)
    return ", ".join(sorted(found))


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "no such route", 405: "method not allowed on this route"}
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code in messages and message in ("Not Found", "Method Not Allowed"):
            message = f"{messages[exc.status_code]}: {request.method} {request.url.path}"
        if exc.status_code == HTTPStatus.BAD_REQUEST and "parsing the body" in message:
            message = "body: not valid JSON"
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
        return problem(exc.status_code, code_of(exc.status_code), message, headers=headers)

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
