"""Who is calling: Basic ``email:password``, Basic ``<anything>:<app password>``, or Bearer."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from ghltt.sandbox.trackingtime.state import State, User


@dataclass(frozen=True)
class Principal:
    user: User
    method: str  # "password", "app_password" or "bearer"
    credential_key: str  # stable, secret-free key for rate budgets and the request log


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def authenticate(state: State, header: str | None, *, accept_bearer: bool) -> Principal | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, secret = decoded.partition(":")
        if not sep or not secret:
            return None
        # The username is ignored for app passwords (DISC: "x" and unknown emails both work).
        by_app = state.user_by_app_password(secret)
        if by_app is not None:
            return Principal(by_app, "app_password", f"app:{by_app.id}:{secret[-4:]}")
        user = state.user_by_email(username)
        if user is not None and user.password is not None and _same(user.password, secret):
            return Principal(user, "password", f"user:{user.id}")
        return None
    if scheme.lower() == "bearer" and accept_bearer and value:
        found = state.user_by_bearer(value)
        if found is not None:
            return Principal(found, "bearer", f"bearer:{found.id}")
    return None
