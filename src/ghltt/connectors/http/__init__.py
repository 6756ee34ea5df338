"""Shared HTTP plumbing for every connector. Generic: nothing here knows a particular API.

Public surface
--------------
Transport seam
    ``build_client(base_url, *, transport=None, headers=None, timeout=None, user_agent=USER_AGENT)``
    → ``httpx2.AsyncClient``. Production passes no transport; tests and the sandbox pass
    ``httpx2.ASGITransport(app=simulator.app)`` or ``httpx2.MockTransport(handler)``.
    ``USER_AGENT`` is ``ghltt/<version>``.

Requests
    ``Requestor(client, *, auth=None, policy=None, budget=None, map_error=default_error_mapper,
    observe=None, sleep=asyncio.sleep)``; ``await requestor.request(method, url, params=, json=,
    data=, headers=, idempotent=None)`` returns a < 400 ``httpx2.Response`` or raises a
    ``ConnectorError``; ``await requestor.call(method, url, read, ...)`` returns what the
    ``ResponseReader`` ``read`` makes of any response, and ``read`` raises the error a failure
    stands for (an API that answers errors inside a 200 body maps them there), so one loop retries
    every failure. ``AuthProvider`` is the protocol for credentials (``authorization()`` and
    ``refresh_after_unauthorized(rejected)``, called once per request on a 401 ``AuthError``).

Retries
    ``RetryPolicy(max_attempts=5, max_elapsed=60, base_delay=0.5, max_delay=30)``: full-jitter
    exponential backoff; Retry-After honoured (``parse_retry_after``). 429 and never-sent
    transport failures are always retried; 5xx and sent-then-failed only when idempotent
    (``is_idempotent(method, declared)``: GET/HEAD/OPTIONS/PUT/DELETE, or declared, e.g. an
    upsert). The requestor's loop is the only one around a call: a connector never adds its own.

Rate budgets
    ``RateBudget(limit, window, *, margin, daily_limit, max_wait, clock, sleep)``: ``await
    acquire()`` waits for room in the rolling window and returns a ``Slot`` (raises
    ``RateLimited`` if the wait would exceed ``max_wait``); ``settle(slot)`` when the response
    arrives (the ``Requestor`` does); ``observe(limit=, remaining=, window=, daily_limit=,
    daily_remaining=)`` folds in response headers; ``penalize(retry_after)`` after a 429.
    ``BudgetRegistry(factory, shared=, prefix=)`` hands out one budget per key (e.g. per
    location). A ``SharedWindow`` (PostgreSQL or Redis, from the store) makes the processes of a
    deployment book their sends in one window per key.

Errors
    ``ConnectorError`` → ``AuthError``, ``PermissionDenied`` → ``ScopeError``, ``NotFound`` (also a
    ``ghltt.core.NotFound``), ``ValidationError`` (``messages``), ``RateLimited`` (``retry_after``),
    ``ServerError``, ``TransportError`` (``sent``, ``timeout``). ``error_for_status`` is the
    generic status mapping; ``default_error_mapper`` reads a JSON ``message``/``detail`` body.

Run timelines
    Inside a run step (``ghltt.observability.collecting_remote_calls``, set by jobs), the
    requestor notes every send: method, host, path and query, status or transport error,
    milliseconds, attempt number, and both bodies redacted and cut (``_calls``). No header is
    kept.

Redaction
    ``redact_headers``, ``redact_url``, ``redact_text(text, secrets)``, ``mask``,
    ``is_sensitive_name``: credentials never reach messages, logs or reprs.
"""

from ghltt.connectors.http._budget import BudgetRegistry, RateBudget, Slot, bulk_sends
from ghltt.connectors.http._errors import (
    AuthError,
    ConnectorError,
    ErrorContext,
    NotFound,
    PermissionDenied,
    RateLimited,
    ScopeError,
    ServerError,
    TransportError,
    ValidationError,
    error_for_status,
)
from ghltt.connectors.http._redact import (
    REDACTED,
    is_sensitive_name,
    mask,
    redact_headers,
    redact_text,
    redact_url,
)
from ghltt.connectors.http._requestor import (
    AuthProvider,
    ErrorMapper,
    Requestor,
    ResponseObserver,
    ResponseReader,
    default_error_mapper,
    transport_error,
)
from ghltt.connectors.http._retry import (
    IDEMPOTENT_METHODS,
    RetryPolicy,
    is_idempotent,
    parse_retry_after,
)
from ghltt.connectors.http._shared import SharedWindow
from ghltt.connectors.http._transport import DEFAULT_TIMEOUT, build_client
from ghltt.connectors.http._version import USER_AGENT, ghltt_version

__all__ = [
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "REDACTED",
    "USER_AGENT",
    "AuthError",
    "AuthProvider",
    "BudgetRegistry",
    "ConnectorError",
    "ErrorContext",
    "ErrorMapper",
    "NotFound",
    "PermissionDenied",
    "RateBudget",
    "RateLimited",
    "Requestor",
    "ResponseObserver",
    "ResponseReader",
    "RetryPolicy",
    "ScopeError",
    "ServerError",
    "SharedWindow",
    "Slot",
    "TransportError",
    "ValidationError",
    "build_client",
    "bulk_sends",
    "default_error_mapper",
    "error_for_status",
    "ghltt_version",
    "is_idempotent",
    "is_sensitive_name",
    "mask",
    "parse_retry_after",
    "redact_headers",
    "redact_text",
    "redact_url",
    "transport_error",
]
