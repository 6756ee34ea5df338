"""One TT call: path and parameters by the catalog, the shared requestor, then the envelope.

The shared ``Requestor`` owns the budget, the headers and the retries of failures seen on the
status line. TT answers most failures in-band (HTTP 200), which the requestor cannot see, so a
second, outer loop retries those: only for reads (``Idempotency.SAFE``), since an in-band 500 on
a write is the API refusing the input, not a hiccup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx2
import orjson

from ghltt.connectors.http import (
    USER_AGENT,
    ConnectorError,
    RateBudget,
    RateLimited,
    Requestor,
    RetryPolicy,
    ServerError,
    call_with_retry,
    default_error_mapper,
    parse_retry_after,
    redact_text,
    redact_url,
)
from ghltt.connectors.http import build_client as build_http_client
from ghltt.connectors.trackingtime.auth import Credentials
from ghltt.connectors.trackingtime.catalog import Operation, operation
from ghltt.connectors.trackingtime.errors import (
    NonJSONResponse,
    TimerAlreadyRunning,
    TrackingTimeError,
    error_for_api_status,
)

__all__ = ["DEFAULT_BASE_URL", "Api", "BodyStyle", "InBandRetryPolicy", "default_user_agent"]

DEFAULT_BASE_URL = "https://api.trackingtime.co/api/v4"

BodyStyle = Literal["json", "form", "query"]


def default_user_agent(contact: str | None = None) -> str:
    """TT asks for the application's name and a link or email; ``contact`` is the operator's."""
    about = contact or "self-hosted GoHighLevel-TrackingTime sync"
    return f"{USER_AGENT} ({about})"


@dataclass(frozen=True)
class InBandRetryPolicy(RetryPolicy):
    """Retries in-band 500/502/503 on reads and any in-band 429; nothing else."""

    max_attempts: int = 3
    base_delay: float = 0.25
    max_elapsed: float = 20.0

    def retryable(self, error: ConnectorError, *, idempotent: bool) -> bool:
        if not isinstance(error, TrackingTimeError) or not error.in_band:
            return False
        if isinstance(error, RateLimited):
            return True
        if isinstance(error, TimerAlreadyRunning):
            return False
        return idempotent and error.api_status in (500, 502, 503)


class _StaticAuth:
    """The shared requestor's ``AuthProvider`` for credentials that cannot be renewed."""

    __slots__ = ("_header",)

    def __init__(self, credentials: Credentials) -> None:
        self._header = credentials.authorization()

    def __repr__(self) -> str:
        return "_StaticAuth(***)"

    async def authorization(self) -> str:
        return self._header

    async def refresh_after_unauthorized(self, rejected: str) -> bool:
        return False


def _encode(value: Any) -> Any:
    """A parameter as TT reads it outside a JSON body: JSON strings for structures."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict | tuple):
        return orjson.dumps(value).decode()
    return value


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if v is not None}


class Api:
    """Sends catalog operations for one account and returns the decoded envelope."""

    def __init__(
        self,
        *,
        credentials: Credentials,
        base_url: str = DEFAULT_BASE_URL,
        account_id: int | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        budget: RateBudget | None = None,
        policy: RetryPolicy | None = None,
        in_band_policy: RetryPolicy | None = None,
        user_agent: str | None = None,
        timeout: float | httpx2.Timeout | None = None,
        body_style: BodyStyle = "json",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.account_id = account_id
        self.body_style: BodyStyle = body_style
        self.budget = budget
        self._secrets = credentials.secrets()
        self._http = build_http_client(
            base_url.rstrip("/"),
            transport=transport,
            timeout=timeout,
            user_agent=user_agent or default_user_agent(),
        )
        self._requestor = Requestor(
            self._http,
            auth=_StaticAuth(credentials),
            policy=policy or RetryPolicy(),
            budget=budget,
            map_error=self._map_http_error,
            sleep=sleep,
        )
        self._in_band = in_band_policy or InBandRetryPolicy()
        self._sleep = sleep

    def __repr__(self) -> str:
        base = redact_url(str(self._http.base_url))
        return f"Api(base_url={base!r}, account_id={self.account_id!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    def path(self, op: Operation, ids: Mapping[str, Any] | None = None) -> str:
        rel = op.path.format(**ids) if ids else op.path
        if op.account_scoped and self.account_id is not None:
            return f"/{self.account_id}{rel}"
        return rel

    async def call(
        self,
        op: Operation | str,
        *,
        ids: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send ``op`` and return the whole envelope (``data`` plus any sibling keys).

        ``params`` always go in the query string; ``body`` goes where ``body_style`` says.
        """
        op = operation(op) if isinstance(op, str) else op
        url = self.path(op, ids)
        query = {k: _encode(v) for k, v in _clean(params).items()}
        payload = _clean(body)
        json_body: Any = None
        form: dict[str, Any] | None = None
        if payload:
            if self.body_style == "json":
                json_body = payload
            elif self.body_style == "form":
                form = {k: _encode(v) for k, v in payload.items()}
            else:
                query.update((k, _encode(v)) for k, v in payload.items())

        async def attempt() -> dict[str, Any]:
            try:
                response = await self._requestor.request(
                    op.method,
                    url,
                    params=query or None,
                    json=json_body,
                    data=form,
                    idempotent=op.idempotent,
                )
            except ServerError as exc:
                # With the status line mirroring the envelope, 502 on track is still the timer.
                if op.name == "tasks.track" and exc.status == 502:
                    raise TimerAlreadyRunning(
                        exc.message, api_status=502, http_status=502, method=op.method, url=exc.url
                    ) from None
                raise
            return self._unwrap(response, op)

        return await call_with_retry(
            attempt,
            policy=self._in_band,
            idempotent=op.safe,
            sleep=self._sleep,
            describe=op.name,
        )

    def _unwrap(self, response: httpx2.Response, op: Operation) -> dict[str, Any]:
        body = self._decode(response)
        meta = body.get("response")
        status = meta.get("status") if isinstance(meta, dict) else None
        if status == 200 or status == "200":
            return body
        if not isinstance(meta, dict) or status is None:
            raise self._non_json(response, "the answer has no response.status")
        message = redact_text(str(meta.get("message") or "no message"), self._secrets)
        error = error_for_api_status(
            int(status),
            message,
            http_status=response.status_code,
            tracking=op.name == "tasks.track",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            method=response.request.method,
            url=redact_url(str(response.request.url)),
        )
        if isinstance(error, RateLimited) and self.budget is not None:
            self.budget.penalize(error.retry_after)
        raise error

    def _decode(self, response: httpx2.Response) -> dict[str, Any]:
        ctype = response.headers.get("content-type", "")
        if "json" not in ctype.lower():
            raise self._non_json(response, f"expected JSON, got {ctype or 'no content type'}")
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise self._non_json(response, "the JSON body does not parse") from None
        if not isinstance(body, dict):
            raise self._non_json(response, "the JSON body is not an object")
        return body

    def _non_json(self, response: httpx2.Response, why: str) -> NonJSONResponse:
        snippet = redact_text(response.text[:120].strip(), self._secrets)
        return NonJSONResponse(
            f"TrackingTime did not answer with its envelope: {why}"
            + (f" ({snippet!r})" if snippet else ""),
            http_status=response.status_code,
            method=response.request.method,
            url=redact_url(str(response.request.url)),
        )

    def _map_http_error(self, response: httpx2.Response) -> ConnectorError:
        """A >= 400 answer: TT's envelope message when there is one, else the shared mapping."""
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        meta = body.get("response") if isinstance(body, dict) else None
        if not isinstance(meta, dict) or meta.get("status") in (None, 200):
            return default_error_mapper(response)
        message = redact_text(str(meta.get("message") or response.reason_phrase), self._secrets)
        # The envelope names the failure, except that a 401 or 429 status line is definitive.
        api_status = int(meta["status"])
        if response.status_code in (401, 429):
            api_status = response.status_code
        return error_for_api_status(
            api_status,
            message,
            http_status=response.status_code,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            method=response.request.method,
            url=redact_url(str(response.request.url)),
        )
