"""The dashboard's session: a signed cookie (HMAC-SHA256) that carries its own expiry and
CSRF token. Nothing is stored server-side, so any web process with the same key accepts it.

The key is derived from the vault's primary master key, which every process of a deployment
already shares; rotating the master key ends every session (a new login is needed).
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from dataclasses import dataclass
from hashlib import sha256

import orjson

COOKIE = "ghltt_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    expires: int  # unix seconds
    via: str  # token | password


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    def __init__(self, key: bytes, max_age: int) -> None:
        self._key = key
        self.max_age = max_age

    def new(self, via: str) -> tuple[Session, str]:
        """A fresh session and its cookie value."""
        session = Session(
            csrf=secrets.token_urlsafe(24), expires=int(time.time()) + self.max_age, via=via
        )
        body = _b64(orjson.dumps({"c": session.csrf, "e": session.expires, "v": via}))
        return session, f"{body}.{self._sign(body)}"

    def read(self, cookie: str | None) -> Session | None:
        """The session a cookie carries, or None when it is missing, forged or expired."""
        if not cookie:
            return None
        body, _, signature = cookie.partition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            data = orjson.loads(_unb64(body))
            session = Session(csrf=str(data["c"]), expires=int(data["e"]), via=str(data["v"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > time.time() else None

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), sha256).digest())


def csrf_ok(session: Session, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(session.csrf, presented or "")
