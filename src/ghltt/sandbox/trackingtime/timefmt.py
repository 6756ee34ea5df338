"""Dates and times as TrackingTime writes them: ``yyyy-MM-dd HH:mm:ss`` wall clock, no offset.

Instants are kept as aware UTC datetimes; the zone only matters when reading or writing text.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

# "GMT+3", "GMT+03", "GMT+03:00", "UTC-0800", "+05:30", "CET+1" (bitbar strips zeros).
_OFFSET = re.compile(r"^(?:[A-Za-z]{1,5})?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")

# Java-style user date formats mapped to strftime ([INFERRED] set; PM shows dd.MM.yyyy).
_DATE_PATTERNS = {
    "dd.MM.yyyy": "%d.%m.%Y",
    "dd/MM/yyyy": "%d/%m/%Y",
    "MM/dd/yyyy": "%m/%d/%Y",
    "yyyy-MM-dd": "%Y-%m-%d",
    "dd-MM-yyyy": "%d-%m-%Y",
}


class TimeFormatError(ValueError):
    """A date, time or zone the API would refuse."""


def parse_zone(text: str | None) -> tzinfo | None:
    """An IANA name or a GMT offset; ``None`` for empty input."""
    if text is None or not str(text).strip():
        return None
    value = str(text).strip()
    if value.upper() in {"GMT", "UTC", "Z"}:
        return UTC
    match = _OFFSET.match(value)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta >= timedelta(hours=15):
            raise TimeFormatError(f"Invalid timezone: {value}")
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeFormatError(f"Invalid timezone: {value}") from exc


def zone_name(zone: tzinfo) -> str:
    """What is stored for an event's zone: the IANA key when there is one."""
    if isinstance(zone, ZoneInfo):
        return zone.key
    return gmt_offset(datetime.now(UTC), zone)


def gmt_offset(instant: datetime, zone: tzinfo) -> str:
    """``GMT-03:00``: the offset of ``zone`` at ``instant`` (so it follows DST)."""
    offset = instant.astimezone(zone).utcoffset() or timedelta(0)
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"GMT{sign}{total // 3600:02d}:{(total % 3600) // 60:02d}"


def parse_local(text: str, zone: tzinfo) -> datetime:
    """Wall-clock text in ``zone`` to a UTC instant (an ambiguous time takes the first)."""
    value = str(text).strip().replace("T", " ")
    for fmt in (DATETIME_FORMAT, "%Y-%m-%d %H:%M", DATE_FORMAT):
        try:
            naive = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=zone).astimezone(UTC)
    raise TimeFormatError(f"Invalid date: {text}. Use yyyy-MM-dd HH:mm:ss")


def parse_date(text: str) -> date:
    try:
        return datetime.strptime(str(text).strip()[:10], DATE_FORMAT).date()
    except ValueError as exc:
        raise TimeFormatError(f"Invalid date: {text}. Use yyyy-MM-dd") from exc


def fmt_local(instant: datetime | None, zone: tzinfo) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(zone).strftime(DATETIME_FORMAT)


def fmt_date(day: date | None) -> str | None:
    return None if day is None else day.strftime(DATE_FORMAT)


def loc_datetime(instant: datetime | None, zone: tzinfo, date_format: str) -> str | None:
    """The ``loc_*`` twin: the user's date format plus ``HH:mm:ss``."""
    if instant is None:
        return None
    pattern = _DATE_PATTERNS.get(date_format, "%d.%m.%Y")
    return instant.astimezone(zone).strftime(f"{pattern} %H:%M:%S")


def loc_date(day: date | None, date_format: str) -> str | None:
    if day is None:
        return None
    return day.strftime(_DATE_PATTERNS.get(date_format, "%d.%m.%Y"))


def hhmm(seconds: float) -> str:
    """``loc_worked_hours``: hours may exceed 24, minutes truncated."""
    total = int(seconds)
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 3600:02d}:{(total % 3600) // 60:02d}"


def hhmmss(seconds: float) -> str:
    total = max(int(seconds), 0)
    return f"{total // 3600:02d}:{(total % 3600) // 60:02d}:{total % 60:02d}"


def hours(seconds: float) -> float:
    """``worked_hours`` is a double in hours (e.g. 0.833333)."""
    return round(seconds / 3600, 6)
