"""Date formats the API uses: ISO-8601 UTC with milliseconds, epoch milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

# dateOfBirth input formats the spec lists (reference §2.3).
_DOB_FORMATS = (
    "%Y/%m/%d", "%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y", "%Y.%m.%d", "%m.%d.%Y", "%Y_%m_%d", "%m_%d_%Y",
)  # fmt: skip


def iso_ms(when: datetime) -> str:
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def parse_iso(value: str) -> datetime | None:
    """An aware datetime from an ISO-8601 string (a trailing Z is accepted), or None."""
    text = value.strip()
    if not text or not text[0].isdigit():
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@lru_cache(maxsize=1 << 16)
def iso_epoch_ms(value: str) -> int | None:
    """``epoch_ms(parse_iso(value))``, remembered: a search compares and sorts every contact by
    its stored date strings, and parsing them again on each page made a page's cost grow with
    the location's size several times over."""
    parsed = parse_iso(value)
    return epoch_ms(parsed) if parsed else None


def parse_date_of_birth(value: str) -> datetime | None:
    for fmt in _DOB_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return parse_iso(value)
