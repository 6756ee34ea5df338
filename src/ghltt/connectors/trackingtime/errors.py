"""TrackingTime's errors, as subclasses of the shared connector hierarchy.

TT reports most failures in-band: HTTP 200 with ``response.status`` set to 500 (validation and
business rules, with a readable message), 404, 403, 402, 401 or 502 (a timer already runs). Each
error here is both a ``TrackingTimeError`` (TT answered; ``api_status`` is its own code,
``http_status`` the status line) and the generic class a caller already catches
(``AuthError``, ``NotFound``…). Transport failures and our own budget refusals stay the shared
``TransportError`` and ``RateLimited``: catch ``ConnectorError`` for everything.
"""

from __future__ import annotations

from typing import Any

from ghltt.connectors.http import (
    AuthError,
    ConnectorError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationError,
)

__all__ = [
    "AccountSuspended",
    "NonJSONResponse",
    "TTAuthError",
    "TTNotFound",
    "TTPermissionDenied",
    "TTRateLimited",
    "TTReadFailed",
    "TTServerError",
    "TTValidationError",
    "TimerAlreadyRunning",
    "TrackingTimeError",
    "UnexpectedShape",
    "error_for_api_status",
]


class TrackingTimeError(ConnectorError):
    """TrackingTime answered with a failure. ``in_band`` is True when the status line said 200."""

    def __init__(
        self,
        message: str,
        *,
        api_status: int | None = None,
        http_status: int | None = None,
        **context: Any,
    ) -> None:
        self.api_status = api_status
        self.http_status = http_status
        self.in_band = http_status == 200 and api_status not in (None, 200)
        shown = f"{message} (in-band status {api_status})" if self.in_band else message
        super().__init__(shown, status=http_status, **context)
        self.message = message


class TTAuthError(TrackingTimeError, AuthError):
    """The credential was refused (401), or the account was cancelled."""


class TTPermissionDenied(TrackingTimeError, PermissionDenied):
    """The user may not do this in this account (403)."""


class AccountSuspended(TTPermissionDenied):
    """The account is suspended (402): credentials are fine, the account cannot be used."""


class TTNotFound(TrackingTimeError, NotFound):
    """The record does not exist (404): for a fetch, treat it as deleted."""


class TTValidationError(TrackingTimeError, ValidationError):
    """TT rejected the input (in-band 500); ``message`` is the API's own, often localised."""


class TimerAlreadyRunning(TTValidationError):
    """``tasks/track`` refused because the user's timer already runs (in-band 502)."""


class TTRateLimited(TrackingTimeError, RateLimited):
    """TT's API Guard refused the request (429); ``retry_after`` is in seconds when known."""


class TTServerError(TrackingTimeError, ServerError):
    """TT failed (5xx other than the in-band 500 validation status)."""


class TTReadFailed(TTValidationError, TTServerError):
    """A read answered 500: TT's status for refused input, but a read has no input to refuse,
    so TT failed and a repeat may succeed. Still a ``TTValidationError`` for callers of old."""


class NonJSONResponse(TrackingTimeError):
    """The answer was not the JSON envelope (an HTML error page, CSV, empty body)."""


class UnexpectedShape(TrackingTimeError):
    """The envelope was fine but ``data`` does not fit the model (TT changed a field's type)."""


def error_for_api_status(
    api_status: int,
    message: str,
    *,
    http_status: int | None,
    tracking: bool = False,
    read: bool = False,
    retry_after: float | None = None,
    method: str | None = None,
    url: str | None = None,
) -> TrackingTimeError:
    """The error for a TT status, whether it came in-band or on the status line.

    ``tracking`` marks a call to ``tasks/track``, where 502 means a timer already runs; ``read``
    a safe operation, where 500 means TT failed rather than refused the input.
    """
    ctx: dict[str, Any] = {
        "api_status": api_status,
        "http_status": http_status,
        "method": method,
        "url": url,
    }
    if api_status == 401:
        return TTAuthError(message, **ctx)
    if api_status == 402:
        return AccountSuspended(message, **ctx)
    if api_status == 403:
        return TTPermissionDenied(message, **ctx)
    if api_status in (404, 410):
        return TTNotFound(message, **ctx)
    if api_status == 429:
        return TTRateLimited(message, retry_after=retry_after, **ctx)
    if api_status == 502 and tracking:
        return TimerAlreadyRunning(message, **ctx)
    if api_status == 500 and read:
        return TTReadFailed(message, **ctx)
    if api_status == 500 or 400 <= api_status < 500:
        return TTValidationError(message, **ctx)
    if api_status > 500:
        return TTServerError(message, **ctx)
    return TrackingTimeError(message, **ctx)
