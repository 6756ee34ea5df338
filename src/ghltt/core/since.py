"""``--since`` values: a span back from now (``90s``, ``30m``, ``2h``, ``7d``) or an ISO date
or date-time (UTC unless it says otherwise)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ghltt.core.errors import InvalidInput

_SPAN = re.compile(r"^(\d{1,6})\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime, *, where: str = "since") -> datetime:
    value = text.strip()
    if match := _SPAN.match(value.lower()):
        return now - timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is neither a span back from now (90s, 30m, 2h, 7d, 1w) nor an ISO "
            "date or date-time (2026-01-31, 2026-01-31T12:00)",
            where=where,
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
