"""One TT call: path and parameters by the catalog, the shared requestor, then the envelope.

The shared ``Requestor`` owns the budget, the headers and the one retry loop. TT answers most
failures in-band (HTTP 200 with ``response.status`` in the envelope), so each call hands the
requestor a reader that maps the envelope and the status line alike into TT's errors: an in-band
429 or 5xx is retried, charged to the budget and given up on exactly like one on the status line.
An in-band 500 is TT refusing the input, except on a read (``Idempotency.SAFE``), where nothing
was sent to refuse: there it is ``TTReadFailed``, a server error a repeat may clear.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

import httpx2
import orjson

from ghltt.connectors.http import (
    USER_AGENT,
    ConnectorError,
    RateBudget,
    Requestor,
    RetryPolicy,
    ServerError,
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

__all__ = ["DEFAULT_BASE_URL", "Api", "BodyStyle", "default_user_agent"]

DEFAULT_BASE_URL = "https://api.trackingtime.co/api/v4"

BodyStyle = Literal["json", "form", "query"]


def default_user_agent(contact: str | None = None) -> str:
    """TT asks for the application's name and a link or email; ``contact`` is the operator's."""
    about = contact or "self-hosted GoHighLevel-TrackingTime sync"
    return f"{USER_AGENT} ({about})"


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
            sleep=sleep,
        )

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

        return await self._requestor.call(
            op.method,
            url,
            functools.partial(self._read, op),
            params=query or None,
            json=json_body,
            data=form,
            idempotent=op.idempotent,
        )

    def _read(self, op: Operation, response: httpx2.Response) -> dict[str, Any]:
        """The envelope of a successful answer to ``op``, or the error the answer stands for."""
        if response.status_code >= 400:
            raise self._status_line_error(op, response)
        if op.text and "json" not in response.headers.get("content-type", "").lower():
            # A text answer (CSV) has no envelope; a refusal still comes as one, read below.
            return {"data": response.text}
        body = self._decode(response)
        meta = body.get("response")
        status = meta.get("status") if isinstance(meta, dict) else None
        if status == 200 or status == "200":
            return body
        if not isinstance(meta, dict) or status is None:
            raise self._non_json(response, "the answer has no response.status")
        raise self._api_error(op, response, int(status), meta.get("message") or "no message")

    def _status_line_error(self, op: Operation, response: httpx2.Response) -> ConnectorError:
        """A >= 400 answer: TT's envelope when there is one, else the shared mapping."""
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        meta = body.get("response") if isinstance(body, dict) else None
        if not isinstance(meta, dict) or meta.get("status") in (None, 200):
            error = default_error_mapper(response)
            # A bare 502 on track (status line mirroring the envelope) is still the timer.
            if op.name == "tasks.track" and isinstance(error, ServerError) and error.status == 502:
                return TimerAlreadyRunning(
                    error.message, api_status=502, http_status=502, method=op.method, url=error.url
                )
            return error
        # The envelope names the failure, except that a 401 or 429 status line is definitive.
        api_status = int(meta["status"])
        if response.status_code in (401, 429):
            api_status = response.status_code
        return self._api_error(
            op, response, api_status, meta.get("message") or response.reason_phrase
        )

    def _api_error(
        self, op: Operation, response: httpx2.Response, api_status: int, message: object
    ) -> TrackingTimeError:
        return error_for_api_status(
            api_status,
            redact_text(str(message), self._secrets),
            http_status=response.status_code,
            tracking=op.name == "tasks.track",
            read=op.safe,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            method=response.request.method,
            url=redact_url(str(response.request.url)),
        )

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
