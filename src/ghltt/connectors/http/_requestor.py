"""One logical request: budget → credentials → send → observe → read, retried by policy.

The requestor's loop is the only one around a call: an API that reports failures inside a 200
body (TrackingTime's envelope) maps them in the reader it passes to ``Requestor.call``, so they
are retried, charged to the budget and renewed on exactly like failures on the status line.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

import httpx2

from ghltt.connectors.http._budget import RateBudget
from ghltt.connectors.http._calls import CallNote
from ghltt.connectors.http._errors import (
    AuthError,
    ConnectorError,
    RateLimited,
    TransportError,
    error_for_status,
)
from ghltt.connectors.http._redact import redact_text, redact_url
from ghltt.connectors.http._retry import (
    RetryPolicy,
    call_with_retry,
    is_idempotent,
    parse_retry_after,
)
from ghltt.observability import remote_calls

__all__ = [
    "AuthProvider",
    "ErrorMapper",
    "Requestor",
    "ResponseObserver",
    "ResponseReader",
    "default_error_mapper",
    "transport_error",
]

log = logging.getLogger("ghltt.connectors.http")

T = TypeVar("T")

ErrorMapper = Callable[[httpx2.Response], ConnectorError]
ResponseObserver = Callable[[httpx2.Response], None]
# What a call makes of any response: its answer, or a raised ``ConnectorError``.
ResponseReader = Callable[[httpx2.Response], T]


class AuthProvider(Protocol):
    """Supplies the ``Authorization`` header and can renew it once after a 401."""

    async def authorization(self) -> str:
        """The full header value, e.g. ``"Bearer <token>"``."""

    async def refresh_after_unauthorized(self, rejected: str) -> bool:
        """Called with the refused header value; True when a different credential is now ready."""


def default_error_mapper(response: httpx2.Response) -> ConnectorError:
    """Map by status, taking ``message``/``error``/``detail`` from a JSON body when present."""
    message: str = response.reason_phrase or f"HTTP {response.status_code}"
    messages: list[str] = []
    trace_id: str | None = None
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw = body.get("message", body.get("detail", body.get("error")))
        if isinstance(raw, list):
            messages = [str(m) for m in raw]
            message = ", ".join(messages) or message
        elif raw is not None:
            message = str(raw)
        trace = body.get("traceId") or body.get("trace_id")
        trace_id = str(trace) if trace else None
    return error_for_status(
        response.status_code,
        redact_text(message),
        messages=[redact_text(m) for m in messages],
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        method=response.request.method,
        url=redact_url(str(response.request.url)),
        trace_id=trace_id,
    )


def transport_error(exc: httpx2.TransportError, request: httpx2.Request) -> TransportError:
    """Our ``TransportError`` for an httpx2 one; ``sent`` is False only when it surely wasn't."""
    never_sent = isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout)
    return TransportError(
        f"{type(exc).__name__}: {redact_text(str(exc)) or 'no detail'}",
        sent=not never_sent,
        timeout=isinstance(exc, httpx2.TimeoutException),
        method=request.method,
        url=redact_url(str(request.url)),
    )


class Requestor:
    """Sends requests through one ``httpx2.AsyncClient`` the way every connector should.

    Per attempt: wait for the ``budget``; add the ``auth`` header; send; let ``observe`` read the
    response headers (budget updates); let the call's reader turn the response into its answer
    or an error (by default ``check_status``: a >= 400 response is ``map_error``'s error).
    An ``AuthError`` gets one immediate retry when ``auth`` could renew the credential. A
    ``RateLimited`` blocks the budget for its Retry-After. Attempts are retried per ``policy``;
    writes only when idempotent.
    """

    def __init__(
        self,
        client: httpx2.AsyncClient,
        *,
        auth: AuthProvider | None = None,
        policy: RetryPolicy | None = None,
        budget: RateBudget | None = None,
        map_error: ErrorMapper = default_error_mapper,
        observe: ResponseObserver | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.auth = auth
        self.policy = policy or RetryPolicy()
        self.budget = budget
        self.map_error = map_error
        self.observe = observe
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"Requestor(base_url={redact_url(str(self.client.base_url))!r})"

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx2.Response:
        """Send and return a successful (< 400) response, or raise a ``ConnectorError``."""
        return await self.call(
            method,
            url,
            self.check_status,
            params=params,
            json=json,
            data=data,
            headers=headers,
            idempotent=idempotent,
        )

    async def call(
        self,
        method: str,
        url: str,
        read: ResponseReader[T],
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> T:
        """Send and return what ``read`` makes of the response, or raise a ``ConnectorError``.

        ``read`` sees every response, whatever its status line, and raises the error a failed
        one stands for; that error is retried by ``policy`` like any other.
        """
        method = method.upper()
        request = self.client.build_request(
            method, url, params=params, json=json, data=data, headers=headers
        )
        # Inside a run step, each send is noted for the run's timeline.
        calls = remote_calls.get()
        note = CallNote(calls) if calls is not None else None
        return await call_with_retry(
            lambda: self._attempt(request, read, note),
            policy=self.policy,
            idempotent=is_idempotent(method, idempotent),
            sleep=self._sleep,
            describe=f"{method} {redact_url(str(request.url))}",
        )

    def check_status(self, response: httpx2.Response) -> httpx2.Response:
        """The default reader: a >= 400 response raises ``map_error``'s error."""
        if response.status_code >= 400:
            raise self.map_error(response)
        return response

    async def _attempt(
        self, request: httpx2.Request, read: ResponseReader[T], note: CallNote | None
    ) -> T:
        renewed = False
        while True:
            response = await self._send_once(request, note)
            try:
                return read(response)
            except ConnectorError as error:
                failure = error
            if isinstance(failure, RateLimited) and self.budget is not None:
                self.budget.penalize(failure.retry_after)
            if (
                type(failure) is AuthError
                and self.auth is not None
                and not renewed
                and await self.auth.refresh_after_unauthorized(
                    request.headers.get("Authorization", "")
                )
            ):
                renewed = True
                continue
            raise failure

    async def _send_once(self, request: httpx2.Request, note: CallNote | None) -> httpx2.Response:
        if self.auth is not None:
            request.headers["Authorization"] = await self.auth.authorization()
        slot = await self.budget.acquire() if self.budget is not None else None
        started = time.perf_counter()
        try:
            response = await self.client.send(request)
            await response.aread()
        except httpx2.TransportError as exc:
            error = transport_error(exc, request)
            if note is not None:
                note.sent(request, (time.perf_counter() - started) * 1000, error=str(error))
            raise error from None
        finally:
            if slot is not None and self.budget is not None:
                self.budget.settle(slot)
        if note is not None:
            note.sent(request, (time.perf_counter() - started) * 1000, response=response)
        if self.observe is not None:
            self.observe(response)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s -> %d in %.1f ms",
                request.method,
                redact_url(str(request.url)),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response
