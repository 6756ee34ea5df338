"""Dates and time zones: parse what GHL and TT send, convert between zones, format.

GHL speaks ISO 8601 with an offset or ``Z``; TT speaks ``YYYY-MM-DD HH:MM:SS`` wall-clock time
in the account's or user's zone, and names zones ``GMT+03:00``. Naive times are never silently
taken as UTC: the mapping must say which zone they are in (that guess is the bug peers ship).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_OFFSET = re.compile(r"^(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_TT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Above this an epoch number is in milliseconds (1e11 s is the year 5138).
_EPOCH_MS_THRESHOLD = 1e11

FORMAT_ALIASES = ("iso", "iso_ms", "tt", "date", "time", "epoch", "epoch_ms")


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    """An IANA name (``Europe/Madrid``), ``UTC``/``Z``, or a fixed ``GMT+03:00``/``UTC-5``."""
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(f"{name!r} is not a valid UTC offset")
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Madrid)"
        ) from None


def check_format(fmt: str) -> str:
    if fmt in FORMAT_ALIASES or "%" in fmt:
        return fmt
    raise ValueError(
        f"format {fmt!r} is neither one of {', '.join(FORMAT_ALIASES)} nor a %-pattern"
    )


def parse_datetime(value: Any, tz: tzinfo | None = None, fmt: str | None = None) -> datetime:
    """An aware datetime from a datetime, a date, an epoch number or a string."""
    if isinstance(value, datetime):
        return _aware(value, tz)
    if isinstance(value, date):
        return _aware(datetime(value.year, value.month, value.day), tz)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_THRESHOLD else value
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str):
        raise ValueError(f"cannot read a date from a {type(value).__name__}")
    text = value.strip()
    if fmt is not None:
        return _aware(datetime.strptime(text, fmt), tz)
    if _DATE.match(text):
        return _aware(datetime.fromisoformat(text), tz)
    if _TT.match(text):
        return _aware(datetime.fromisoformat(text.replace(" ", "T")), tz)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not an ISO or 'YYYY-MM-DD HH:MM:SS' date") from None
    return _aware(parsed, tz)


def _aware(value: datetime, tz: tzinfo | None) -> datetime:
    if value.tzinfo is not None:
        return value
    if tz is None:
        raise ValueError("the time has no offset: say its zone (parse_datetime: {tz: ...})")
    # fold=0: in a repeated hour (DST end) take the first occurrence, as TT's UI does.
    return value.replace(tzinfo=tz)


def convert(value: datetime, tz: tzinfo) -> datetime:
    return value.astimezone(tz)


def format_datetime(value: datetime, fmt: str) -> str | int:
    if fmt == "iso":
        text = value.isoformat(timespec="seconds")
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if fmt == "iso_ms":
        text = value.isoformat(timespec="milliseconds")
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if fmt == "tt":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if fmt == "date":
        return value.strftime("%Y-%m-%d")
    if fmt == "time":
        return value.strftime("%H:%M:%S")
    if fmt == "epoch":
        return int(value.timestamp())
    if fmt == "epoch_ms":
        return int(value.timestamp() * 1000)
    return value.strftime(fmt)


def gmt_offset(value: datetime) -> str:
    """TT's zone parameter for this instant: ``GMT+02:00`` (DST-correct for that moment)."""
    offset = value.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"GMT{sign}{minutes // 60:02d}:{minutes % 60:02d}"
