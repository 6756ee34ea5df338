"""A stable fingerprint of mapped values, used to recognise our own writes coming back.

Canonical JSON: keys sorted, no spaces, integral floats as integers (TT answers ``3.0`` where
we wrote ``3``), date-times as UTC ISO text, and ``None`` members dropped (an absent field and a
null one are the same mapped state). Two mappings of equal values always fingerprint equal,
whatever the key order.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Set
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def canonical(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float | Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("a fingerprinted value cannot be NaN or infinite")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, Set):
        return sorted((canonical(v) for v in value), key=canonical_json)
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(
        canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def fingerprint(values: Mapping[str, Any]) -> str:
    """sha256 (hex) of the canonical JSON of ``values``."""
    return hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()
