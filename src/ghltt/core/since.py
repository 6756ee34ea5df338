"""``--since`` values: a span back from now (``90s``, ``30m``, ``2h``, ``7d``) or an ISO date
or date-time (UTC unless it says otherwise)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ghltt.core.errors import InvalidInput

_SPAN = re.compile(r"^(\d{1,6})\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# What the JSON API documents (a subset of what is taken: days 29 to 31 are left out, so that
# every value it allows is a real date).
SINCE_PATTERN = (
    r"^(\d{1,6}[smhdw]|[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])"
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?)?)$"
)


def parse_since(text: str, now: datetime, *, where: str = "since") -> datetime:
    value = text.strip()
    if match := _SPAN.match(value.lower()):
        try:
            return now - timedelta(**{_UNITS[match[2]]: int(match[1])})
        except OverflowError:
            raise InvalidInput(f"{text!r} reaches back before year 1", where=where) from None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is neither a span back from now (90s, 30m, 2h, 7d, 1w) nor an ISO "
            "date or date-time (2026-01-31, 2026-01-31T12:00)",
            where=where,
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
