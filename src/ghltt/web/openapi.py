"""The app's OpenAPI document, completed with what FastAPI cannot see: the Starlette intake
routes, and the errors every operation can answer (all with the one ``Problem`` body)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from ghltt.web import intake
from ghltt.web.errors import Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_WHY = {
    400: "Malformed body (not JSON)",
    401: "No or a revoked API token",
    404: "No such record (a path id, or a filter naming a bridge or event)",
    413: "Body larger than GHLTT_MAX_BODY_BYTES",
    415: "Body is not JSON",
    422: "Invalid input; the message says what and where",
    503: "Store unavailable; retry after Retry-After",
}


def install(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    paths, defs = intake.openapi_paths()
    schema.setdefault("paths", {}).update(paths)
    schemas.update(defs)
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schemas["Problem"].pop("$defs", {}))
    components.setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer"}
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            _document_errors(path, operation)
    # FastAPI's own 422 body, replaced by Problem everywhere above.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def _document_errors(path: str, operation: dict[str, Any]) -> None:
    statuses: set[int] = set()
    if operation.get("security"):
        statuses.add(401)
    if operation.get("requestBody"):
        statuses |= {400, 413, 415, 422}
    if operation.get("parameters"):
        statuses.add(422)
    if path.startswith("/api/"):
        statuses |= {404, 503}
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        responses.setdefault(str(status), {"description": _WHY[status]})
    for status, entry in responses.items():
        fastapi_default = "HTTPValidationError" in str(entry.get("content"))
        if status.startswith(("4", "5")) and ("content" not in entry or fastapi_default):
            entry["content"] = {"application/json": {"schema": _PROBLEM_REF}}
