"""The dashboard password: stored as a salted scrypt hash, checked in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from ghltt.core import InvalidInput

# scrypt's interactive-login parameters (RFC 7914 §2): ~50 ms and 16 MiB per check.
_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 12


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash``; refuses a password shorter than ``MIN_LENGTH``."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"must be at least {MIN_LENGTH} characters", where="password")
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 2**20)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 2**20,
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)
