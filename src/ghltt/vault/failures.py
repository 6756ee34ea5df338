"""Why a credential failed, in words a person can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ghltt.connectors.ghl import InvalidGrant, ReauthorizationRequired
from ghltt.connectors.http import (
    AuthError,
    ConnectorError,
    PermissionDenied,
    RateLimited,
    ScopeError,
    ServerError,
    TransportError,
    redact_text,
)
from ghltt.core import GhlttError

_INACTIVE = re.compile(
    r"location.{0,40}(inactive|not active|deactivated|suspended|disabled)|"
    r"(inactive|suspended|deactivated) (location|sub-?account)",
    re.IGNORECASE,
)


class FailureKind(StrEnum):
    REVOKED = "revoked"
    LOCATION_INACTIVE = "location_inactive"
    MISSING_SCOPE = "missing_scope"
    # No answer at all: DNS, connect or timeout. Nothing was said about the credential.
    UNREACHABLE = "unreachable"
    TRANSIENT = "transient"
    ERROR = "error"


# Failures that say nothing about the credential: they leave the connection as it was.
PASSING = frozenset({FailureKind.UNREACHABLE, FailureKind.TRANSIENT})

# The connection status each kind leaves behind (passing failures change nothing).
STATUS_FOR = {
    FailureKind.REVOKED: "needs_reauth",
    FailureKind.LOCATION_INACTIVE: "location_inactive",
    FailureKind.MISSING_SCOPE: "missing_scope",
    FailureKind.ERROR: "error",
}


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    message: str
    remedy: str  # what a person should do to fix it

    def describe(self) -> str:
        return f"{self.kind.value}: {self.message} -> {self.remedy}"


class ConnectionFailed(GhlttError):
    """A connection's credential failed; ``failure`` says why and what to do."""

    def __init__(self, connection_id: str, failure: Failure) -> None:
        self.connection_id = connection_id
        self.failure = failure
        super().__init__(f"connection {connection_id}: {failure.describe()}")


def classify(exc: BaseException, *, connection_id: str, system: str) -> Failure:
    message = redact_text(str(exc)) or type(exc).__name__
    reconnect = (
        f"reconnect it: 'ghltt connections rotate {connection_id}' (or 'ghltt connect ghl "
        "--oauth' for an OAuth app); the events held meanwhile then run by themselves"
    )
    if isinstance(exc, ConnectionFailed):
        return exc.failure
    if isinstance(exc, ScopeError):
        return Failure(
            FailureKind.MISSING_SCOPE, message, "grant the missing scope and " + reconnect
        )
    if _INACTIVE.search(message):
        return Failure(
            FailureKind.LOCATION_INACTIVE,
            message,
            f"reactivate the sub-account in GHL, then 'ghltt connections check {connection_id}'",
        )
    if isinstance(exc, InvalidGrant | ReauthorizationRequired | AuthError):
        return Failure(FailureKind.REVOKED, message, reconnect)
    if isinstance(exc, TransportError):
        return Failure(
            FailureKind.UNREACHABLE,
            f"could not reach {system.upper()} (no answer, so nothing is known about the "
            f"credential): {message}",
            f"check the network, DNS and GHLTT_{system.upper()}_BASE_URL; ghltt retries",
        )
    if isinstance(exc, RateLimited | ServerError):
        return Failure(
            FailureKind.TRANSIENT,
            message,
            f"nothing to change: ghltt retries; if it lasts, check {system.upper()}'s status",
        )
    if isinstance(exc, PermissionDenied):
        return Failure(
            FailureKind.ERROR, message, "check the account's role and the location it may use"
        )
    if isinstance(exc, ConnectorError | GhlttError):
        return Failure(FailureKind.ERROR, message, f"'ghltt connections check {connection_id}'")
    return Failure(FailureKind.ERROR, type(exc).__name__, "see the server log")
