"""What kind of failure ended a run: the class a dead letter is shown and filtered by."""

from __future__ import annotations

from dbos import error as dbos_error

from ghltt.connectors.http import (
    AuthError,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
    ValidationError,
)
from ghltt.core import InvalidInput, NotFound, StoreUnavailable
from ghltt.vault import ConnectionFailed

# Each class, what it means for the person who reads the dead letter.
FAILURE_CLASSES = {
    "credential": "a credential was refused: reconnect it, then replay",
    "connection": "the bridge's connection is not usable: check it, then replay",
    "permission": "the account may not do this: check its role or scopes, then replay",
    "network": "the remote service could not be reached (DNS, connection, timeout)",
    "remote_error": "the remote service answered with an error of its own (5xx)",
    "rate_limited": "the remote service kept refusing for its rate limit",
    "rejected": "the remote service or ghltt refused the data: fix the record or the recipe",
    "not_found": "a record the run needed does not exist",
    "store": "ghltt's store could not take a write",
    "internal": "an error in ghltt or a plugin: see the server log",
}


def last_error(exc: BaseException) -> BaseException:
    """The error of the last attempt, under the wrapper DBOS puts around exhausted retries."""
    if isinstance(exc, dbos_error.DBOSMaxStepRetriesExceeded) and exc.errors:
        return exc.errors[-1]
    return exc


def failure_class(exc: BaseException) -> str:
    exc = last_error(exc)
    checks: list[tuple[type[BaseException] | tuple[type[BaseException], ...], str]] = [
        (ConnectionFailed, "connection"),
        (AuthError, "credential"),
        (PermissionDenied, "permission"),
        (TransportError, "network"),
        (RateLimited, "rate_limited"),
        (ServerError, "remote_error"),
        (NotFound, "not_found"),
        ((ValidationError, InvalidInput), "rejected"),
        (StoreUnavailable, "store"),
    ]
    for types, name in checks:
        if isinstance(exc, types):
            return name
    return "internal"
