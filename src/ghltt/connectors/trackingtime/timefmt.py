"""Conversions between TrackingTime's wall-clock strings and aware datetimes.

TT sends and takes ``yyyy-MM-dd HH:mm:ss`` with no offset: the wall clock in a time zone given
beside it (``tz`` on an event, ``timezone`` on a write, the account's zone for ``created_at`` and
``updated_at``). A wall time alone is ambiguous in the hour a clock falls back, so writes always
send the offset that held at that instant, taken from zoneinfo.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "format_date",
    "format_datetime",
    "format_offset",
    "parse_date",
    "parse_datetime",
    "parse_timezone",
    "to_tt",
]

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

# "GMT+3", "GMT+03", "GMT+0300", "GMT+03:00", "UTC-8", "+05:30", "GMT" (seconds for old LMT zones).
_OFFSET = re.compile(
    r"^(?:GMT|UTC)?\s*(?:(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2})(?::?(?P<s>\d{2}))?)?)?$",
    re.IGNORECASE,
)


def parse_timezone(value: str | tzinfo) -> tzinfo:
    """A ``tzinfo`` from a TT ``GMT±HH:MM`` offset, an IANA name, or a ``tzinfo`` as is."""
    if isinstance(value, tzinfo):
        return value
    text = value.strip()
    if text.upper() == "Z":
        return UTC
    match = _OFFSET.match(text)
    if match and text:
        if match["sign"] is None:
            return UTC
        delta = timedelta(
            hours=int(match["h"]), minutes=int(match["m"] or 0), seconds=int(match["s"] or 0)
        )
        if delta >= timedelta(hours=24):
            raise ValueError(f"time zone offset out of range: {value!r}")
        return timezone(-delta if match["sign"] == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"not a time zone TrackingTime uses: {value!r}") from exc


def format_offset(offset: timedelta) -> str:
    """``GMT+03:00`` for a UTC offset (``GMT-00:44:30`` for the rare offsets with seconds)."""
    sign = "-" if offset < timedelta(0) else "+"
    total = abs(int(offset.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"GMT{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def to_tt(moment: datetime, zone: str | tzinfo | None = None) -> tuple[str, str]:
    """``(wall clock string, GMT offset)`` for an aware ``moment`` seen in ``zone``.

    Without ``zone`` the moment's own zone is used. The offset is the one in force at that
    instant, so the pair names exactly one instant even in the hour a clock falls back.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("to_tt needs an aware datetime")
    local = moment.astimezone(parse_timezone(zone)) if zone is not None else moment
    offset = local.utcoffset()
    assert offset is not None  # an aware datetime always has one
    return local.strftime(DATETIME_FORMAT), format_offset(offset)


def format_datetime(moment: datetime, zone: str | tzinfo | None = None) -> str:
    """Just the wall clock string of :func:`to_tt`."""
    return to_tt(moment, zone)[0]


def parse_datetime(value: str, zone: str | tzinfo, *, fold: int = 0) -> datetime:
    """An aware datetime from a TT wall clock string read in ``zone``.

    With a fixed offset (an event's ``tz``) the answer is exact. With an IANA zone a wall time in
    the repeated hour is ambiguous (``fold`` picks: 0 the first, 1 the second), and one in the
    skipped hour does not exist: it is moved forward as a clock would, by the size of the gap.
    The result always carries the fixed offset in force: PEP 495 makes a ``fold=1`` time in a
    zone compare unequal to every other zone's, which would break comparisons and dedup.
    """
    naive = datetime.strptime(value.strip(), DATETIME_FORMAT)
    tz = parse_timezone(zone)
    aware = naive.replace(tzinfo=tz, fold=fold)
    if isinstance(tz, timezone):
        return aware
    # A UTC round trip also normalises a wall time that falls in a gap.
    local = aware.astimezone(UTC).astimezone(tz)
    offset = local.utcoffset()
    assert offset is not None  # a tzinfo always answers for a concrete local time
    return local.replace(tzinfo=timezone(offset), fold=0)


def format_date(day: date | datetime, zone: str | tzinfo | None = None) -> str:
    """``yyyy-MM-dd``; an aware datetime is first moved into ``zone`` when one is given."""
    if isinstance(day, datetime) and zone is not None:
        if day.tzinfo is None:
            raise ValueError("format_date needs an aware datetime to move it into a zone")
        day = day.astimezone(parse_timezone(zone))
    return day.strftime(DATE_FORMAT)


def parse_date(value: str) -> date:
    return datetime.strptime(value.strip(), DATE_FORMAT).date()
