# ruff: noqa: E501  (a table of real GHL bodies reads best one per line)
from __future__ import annotations

from typing import Any

import httpx2
import pytest

from ghltt.connectors.ghl import DuplicateContact, InvalidGrant, map_ghl_error
from ghltt.connectors.http import (
    AuthError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ScopeError,
    ServerError,
    ValidationError,
)
from ghltt.core import NotFound as CoreNotFound


def _response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
    request = httpx2.Request("GET", "https://services.example/contacts/x?access_token=SECRET")
    return httpx2.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"statusCode": 401, "message": "Invalid JWT"}, AuthError),
        (401, {"statusCode": 401, "message": "The token is not authorized for this scope."}, ScopeError),
        (403, {"statusCode": 403, "message": "The token does not have access to this location."}, PermissionDenied),
        (400, {"statusCode": 400, "message": "Contact with id abc not found"}, NotFound),
        (400, {"message": "Invalid field additional_phones", "error": "Bad Request", "statusCode": 400}, ValidationError),
        (422, {"statusCode": 422, "message": ["title should not be empty"], "error": "Unprocessable Entity"}, ValidationError),
        (429, {"statusCode": 429, "message": "Too Many Requests"}, RateLimited),
        (500, {"statusCode": 500, "message": "Internal Server Error"}, ServerError),
        (404, "Cannot GET /nope", NotFound),
        (400, {"error": "invalid_grant", "error_description": "This refresh token is invalid"}, InvalidGrant),
    ],
)  # fmt: skip
def test_mapping(status: int, body: Any, kind: type[Exception]) -> None:
    error = map_ghl_error(_response(status, body))
    assert type(error) is kind
    assert "SECRET" not in str(error)


def test_duplicate_contact_carries_the_existing_id() -> None:
    body = {
        "statusCode": 400,
        "message": "This location does not allow duplicated contacts.",
        "meta": {"contactId": "c1", "contactName": "Ann", "matchingField": "email"},
        "traceId": "t-1",
    }
    error = map_ghl_error(_response(400, body))
    assert isinstance(error, DuplicateContact) and isinstance(error, ValidationError)
    assert (error.contact_id, error.matching_field, error.trace_id) == ("c1", "email", "t-1")


def test_validation_keeps_the_api_messages() -> None:
    body = {"statusCode": 422, "message": ["a should not be empty", "b must be a string"]}
    error = map_ghl_error(_response(422, body))
    assert isinstance(error, ValidationError)
    assert error.messages == ("a should not be empty", "b must be a string")


def test_not_found_is_a_core_not_found() -> None:
    error = map_ghl_error(_response(400, {"message": "Contact with id x not found"}))
    assert isinstance(error, CoreNotFound)


def test_retry_after_is_read() -> None:
    error = map_ghl_error(_response(429, {}, {"Retry-After": "3"}))
    assert isinstance(error, RateLimited) and error.retry_after == 3
