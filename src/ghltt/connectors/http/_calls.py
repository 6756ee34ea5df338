"""Each send of a request, as a run's timeline shows it: redacted, with its status and timing.

A run step collects them in memory (``ghltt.observability.remote_calls``); this module turns
one send into a record. Headers are never kept. Bodies keep at most ``BODY_LIMIT`` characters,
with secret-named fields, the request's own credentials and anything token-shaped masked.
"""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2
import orjson

from ghltt.connectors.http._redact import REDACTED, is_sensitive_name, redact_text, redact_url
from ghltt.observability import RemoteCalls
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
    # Most bodies name no secret-sounding field: then they are kept as sent, unparsed.
    named = _names_a_secret(content)
    if named and len(content) <= _PARSE_LIMIT:
        if "json" in kind:
            try:
                text = orjson.dumps(_masked(orjson.loads(content))).decode()
            except orjson.JSONDecodeError:
                text = None
        elif "x-www-form-urlencoded" in kind:
            pairs = parse_qsl(content.decode("utf-8", "replace"), keep_blank_values=True)
            text = "&".join(f"{k}={REDACTED if _sensitive(k) else v}" for k, v in pairs)
    if text is None:
        text = content[: BODY_LIMIT * 2].decode("utf-8", "replace")
    text = _masked_text(text, secrets, named)
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + "…"


# What ``is_sensitive_name`` looks for, as bytes: a body without any of these names no
# secret-sounding field. Substring searches, because a case-blind regular expression of
# alternatives costs more than parsing the body (this runs on every request of a run).
_KEY_MARKS = (
    b"authorization",
    b"cookie",
    b"token",
    b"secret",
    b"passw",
    b"apikey",
    b"api_key",
    b"api-key",
    b"signature",
    b"code",
    b"session",
)


def _names_a_secret(content: bytes) -> bool:
    lowered = content.lower()
    return any(mark in lowered for mark in _KEY_MARKS)


@functools.lru_cache(maxsize=4096)
def _sensitive(key: str) -> bool:
    # Records repeat their keys: one regex search per key name, not per occurrence.
    return is_sensitive_name(key)


def _masked(value: Any) -> Any:
    """JSON data with the values under secret-named keys replaced."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if v not in (None, "") and _sensitive(str(k)) else _masked(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


# What the text patterns mask, as plain substrings (one lower-cased search instead of their
# regular expressions for the many bodies that hold none of them).
_TEXT_MARKS = ("bearer", "basic", "eyj", "pit-", "ghltt_")


def _masked_text(text: str, secrets: list[str], named: bool) -> str:
    """``text`` with the request's own credentials and anything token-shaped masked
    (``named``: it has secret-sounding names, whose values may follow them in plain text)."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    lowered = text.lower()
    if named or any(mark in lowered for mark in _TEXT_MARKS):
        text = redact_logged(redact_text(text))
    return text
