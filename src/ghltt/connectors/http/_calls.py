"""Each send of a request, as a run's timeline shows it: redacted, with its status and timing.

A run step collects them in memory (``ghltt.observability.remote_calls``); this module turns
one send into a record. Headers are never kept. Bodies keep at most ``BODY_LIMIT`` characters,
with secret-named fields, the request's own credentials and anything token-shaped masked.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2
import orjson

from ghltt.connectors.http._redact import is_sensitive_name, redact_text, redact_url
from ghltt.observability import RemoteCalls, redact_data
from ghltt.observability import redact_text as redact_logged

__all__ = ["BODY_LIMIT", "CallNote"]

BODY_LIMIT = 2000
# Longer bodies are not parsed to mask their fields (a page of records costs too much per
# request), only cut and masked as text: secret-named keys followed by a value, and tokens.
_PARSE_LIMIT = 8 * 1024


class CallNote:
    """Adds each send of one logical request to the step's ``RemoteCalls``."""

    __slots__ = ("_attempt", "_calls")

    def __init__(self, calls: RemoteCalls) -> None:
        self._calls = calls
        self._attempt = 0

    def sent(
        self,
        request: httpx2.Request,
        elapsed_ms: float,
        *,
        response: httpx2.Response | None = None,
        error: str | None = None,
    ) -> None:
        self._attempt += 1
        secrets = _credentials(request)
        url = urlsplit(redact_url(str(request.url)))
        record: dict[str, Any] = {
            "method": request.method,
            "host": url.netloc,
            "path": url.path + (f"?{url.query}" if url.query else ""),
            "status": response.status_code if response is not None else None,
            "error": redact_text(error, secrets) if error else None,
            "ms": round(elapsed_ms, 1),
            "attempt": self._attempt,
            "request_body": _body(request.content, request.headers, secrets),
            "response_body": (
                _body(response.content, response.headers, secrets) if response is not None else None
            ),
        }
        self._calls.add(record)


def _credentials(request: httpx2.Request) -> list[str]:
    """The secret values this request carries in its headers (masked wherever they recur)."""
    found: list[str] = []
    for name, value in request.headers.items():
        if not is_sensitive_name(name):
            continue
        scheme, _, credential = value.partition(" ")
        found.append(credential or scheme)
        if scheme.lower() == "basic" and credential:
            try:
                password = base64.b64decode(credential).decode().partition(":")[2]
            except (binascii.Error, UnicodeDecodeError):
                continue
            found.append(password)
    return [s for s in found if len(s) >= 6]


def _body(content: bytes, headers: httpx2.Headers, secrets: list[str]) -> str | None:
    if not content:
        return None
    kind = headers.get("content-type", "")
    text: str | None = None
    if len(content) <= _PARSE_LIMIT:
        if "json" in kind:
            try:
                text = orjson.dumps(redact_data(orjson.loads(content))).decode()
            except orjson.JSONDecodeError:
                text = None
        elif "x-www-form-urlencoded" in kind:
            pairs = parse_qsl(content.decode("utf-8", "replace"), keep_blank_values=True)
            text = "&".join(f"{k}={'***' if is_sensitive_name(k) else v}" for k, v in pairs)
    if text is None:
        text = content[: BODY_LIMIT * 2].decode("utf-8", "replace")
    text = redact_logged(redact_text(text, secrets))
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + "…"
