"""Keep credentials out of messages, logs and reprs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["REDACTED", "is_sensitive_name", "mask", "redact_headers", "redact_text", "redact_url"]

REDACTED = "***"

# Header or parameter names whose values are credentials, wherever they appear.
_SENSITIVE = re.compile(
    r"(authorization|cookie|token|secret|password|passwd|api[-_]?key|signature|^code$|"
    r"client[-_]?secret|session)",
    re.IGNORECASE,
)
# Bearer/Basic credentials and JWT-looking strings inside free text (error bodies, exceptions).
_IN_TEXT = (
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    re.compile(r"\bpit-[0-9a-fA-F-]{8,}"),
)


def is_sensitive_name(name: str) -> bool:
    """True for header/field names that carry credentials (Authorization, *token*, *secret*…)."""
    return bool(_SENSITIVE.search(name))


def mask(value: str | None) -> str:
    """A placeholder that says whether a secret is set without showing any of it."""
    return "<unset>" if not value else REDACTED


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """A copy of ``headers`` with credential values replaced by ``***``."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {k: (REDACTED if is_sensitive_name(k) else v) for k, v in items}


def redact_url(url: str) -> str:
    """``url`` without userinfo and with credential-like query values replaced."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = urlencode([(k, REDACTED if is_sensitive_name(k) else v) for k, v in pairs])
    else:
        query = ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with the given secret values and anything token-shaped replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern in _IN_TEXT:
        text = pattern.sub(lambda m: _keep_scheme(m.group(0)), text)
    return text


def _keep_scheme(found: str) -> str:
    head, _, _tail = found.partition(" ")
    return f"{head} {REDACTED}" if head.lower() in ("bearer", "basic") else REDACTED
