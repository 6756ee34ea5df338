"""The settings a user sets on a bridge (``ghltt bridges set NAME key=value``, ``PATCH
/api/bridges/{ref}/settings``), checked here and kept in the bridge's settings:

- ``timezone``: the zone of both accounts (``location_timezone`` and ``tt_timezone`` set one
  side alone), an IANA name such as ``Europe/Paris``;
- ``poll_interval``: how often the reconciliation poll runs (``90s``, ``5m``, ``1h`` or
  seconds), 1 minute to 1 day; the default is 10 minutes;
- ``ghl_webhook_public_key``: a PEM public key (Ed25519 or RSA) that GHL webhooks to this
  bridge are signed with, for a key rotation or a test endpoint; ``default`` goes back to the
  keys GHL publishes.

``ghl_webhook_keys(settings)`` is what webhook verification uses: the bridge's keys per
algorithm, the published ones where it has none.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from ghltt.core import InvalidInput

KEYS = ("timezone", "location_timezone", "tt_timezone", "poll_interval", "ghl_webhook_public_key")
MIN_POLL, MAX_POLL, DEFAULT_POLL = 60, 86_400, 600
GHL_KEYS = "ghl_public_keys"  # {"ed25519": [pem], "rsa": [pem]}
_UNITS = {"s": 1, "m": 60, "h": 3600}


def check_timezone(value: Any, where: str) -> str:
    name = str(value).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{name!r} is not an IANA time zone (e.g. America/New_York, Europe/Paris, UTC)",
            where=where,
        ) from None
    return name


def parse_interval(value: Any, where: str = "poll_interval") -> int:
    """Seconds from ``90``, ``90s``, ``5m`` or ``1h``; 1 minute to 1 day."""
    if isinstance(value, bool):
        raise InvalidInput("give seconds or a duration such as 5m", where=where)
    if isinstance(value, int):
        seconds = value
    else:
        found = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", str(value).lower())
        if found is None:
            raise InvalidInput(
                f"{value!r} is not a duration (write 90s, 5m, 1h or seconds)", where=where
            )
        seconds = int(found[1]) * _UNITS[found[2] or "s"]
    if seconds < MIN_POLL:
        raise InvalidInput("must be at least 1 minute (60s)", where=where)
    if seconds > MAX_POLL:
        raise InvalidInput("must be at most 1 day (24h)", where=where)
    return seconds


def key_algorithm(pem: str, where: str = "ghl_webhook_public_key") -> str:
    """``ed25519`` or ``rsa`` for a PEM public key; InvalidInput for anything else."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        raise InvalidInput(
            "not a PEM public key (-----BEGIN PUBLIC KEY-----)", where=where
        ) from None
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPublicKey):
        return "rsa"
    raise InvalidInput("GHL signs with Ed25519 or RSA keys; this is neither", where=where)


def changes(current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings keys to write for ``values`` (user keys → stored keys), each checked."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in KEYS:
            raise InvalidInput(f"unknown setting (settable: {', '.join(KEYS)})", where=key)
        if key == "timezone":
            zone = check_timezone(value, key)
            out["location_timezone"] = out["tt_timezone"] = zone
        elif key in ("location_timezone", "tt_timezone"):
            out[key] = check_timezone(value, key)
        elif key == "poll_interval":
            section = dict(current.get("reconcile") or {})
            section["interval_seconds"] = parse_interval(value, key)
            out["reconcile"] = section
        else:
            out[GHL_KEYS] = _with_key(current.get(GHL_KEYS), str(value))
    return out


def _with_key(current: Any, pem: str) -> dict[str, list[str]]:
    if pem.strip().lower() == "default":
        return {}
    keys = {k: list(v) for k, v in dict(current or {}).items()}
    keys[key_algorithm(pem)] = [pem.strip() + "\n"]
    return keys


def ghl_webhook_keys(settings: Mapping[str, Any]) -> dict[str, list[str]]:
    """The bridge's own GHL webhook public keys per algorithm (empty: GHL's published ones)."""
    keys = settings.get(GHL_KEYS) or {}
    return {alg: list(keys[alg]) for alg in ("ed25519", "rsa") if keys.get(alg)}


def summary(settings: Mapping[str, Any]) -> dict[str, Any]:
    """What ``bridges show`` says of these settings (key fingerprints, never whole keys)."""
    section = settings.get("reconcile") or {}
    keys = ghl_webhook_keys(settings)
    return {
        "location_timezone": settings.get("location_timezone") or "UTC",
        "tt_timezone": settings.get("tt_timezone") or "UTC",
        "poll_interval_seconds": int(section.get("interval_seconds") or DEFAULT_POLL),
        "ghl_webhook_public_keys": {
            alg: [hashlib.sha256(pem.encode()).hexdigest()[:16] for pem in pems]
            for alg, pems in keys.items()
        }
        or "GHL's published keys",
    }
