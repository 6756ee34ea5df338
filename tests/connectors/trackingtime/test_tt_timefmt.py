"""TT wall-clock strings and offsets against aware datetimes, across zones and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghltt.connectors.trackingtime import (
    TimeEntry,
    format_date,
    format_offset,
    parse_date,
    parse_datetime,
    parse_timezone,
    to_tt,
)
from ghltt.connectors.trackingtime._time_entries import span

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")

moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("GMT+3", timedelta(hours=3)),
        ("GMT+03:00", timedelta(hours=3)),
        ("GMT-08", timedelta(hours=-8)),
        ("GMT+0530", timedelta(hours=5, minutes=30)),
        ("UTC-03:30", timedelta(hours=-3, minutes=-30)),
        ("+05:45", timedelta(hours=5, minutes=45)),
        ("GMT", timedelta(0)),
        ("GMT-00:44:30", -timedelta(minutes=44, seconds=30)),
    ],
)
def test_parse_offsets(text: str, offset: timedelta) -> None:
    assert parse_timezone(text).utcoffset(None) == offset


def test_parse_iana_and_reject_nonsense() -> None:
    assert parse_timezone("Europe/Madrid") == MADRID
    with pytest.raises(ValueError):
        parse_timezone("Mars/Olympus")
    with pytest.raises(ValueError):
        parse_timezone("GMT+25")


@given(moment=moments, zone=st.timezones())
def test_round_trip_through_string_and_offset(moment: datetime, zone: ZoneInfo) -> None:
    wall, offset = to_tt(moment, zone)
    back = parse_datetime(wall, offset)
    assert back == moment
    assert parse_timezone(offset).utcoffset(None) == moment.astimezone(zone).utcoffset()


@given(moment=moments, zone=st.timezones())
def test_round_trip_through_the_zone_with_fold(moment: datetime, zone: ZoneInfo) -> None:
    local = moment.astimezone(zone)
    wall, _ = to_tt(local)
    assert parse_datetime(wall, zone, fold=local.fold) == moment


@given(hours=st.integers(-14, 14), minutes=st.sampled_from([0, 15, 30, 45]))
def test_format_offset_round_trips(hours: int, minutes: int) -> None:
    delta = timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes)
    assert parse_timezone(format_offset(delta)).utcoffset(None) == delta


def test_fall_back_hour_is_told_apart_by_the_offset() -> None:
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST in Madrid
    second = first + timedelta(hours=1)  # 02:30 CET
    assert to_tt(first, MADRID) == ("2026-10-25 02:30:00", "GMT+02:00")
    assert to_tt(second, MADRID) == ("2026-10-25 02:30:00", "GMT+01:00")
    assert parse_datetime(*to_tt(second, MADRID)) == second
    assert parse_datetime("2026-10-25 02:30:00", MADRID, fold=1) == second


def test_spring_forward_gap_moves_forward() -> None:
    # 02:30 does not exist in New York on 2026-03-08; a clock reads 03:30 EDT then.
    got = parse_datetime("2026-03-08 02:30:00", NEW_YORK)
    assert got.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert got.utcoffset() == timedelta(hours=-4)


def test_span_across_dst_keeps_the_instants() -> None:
    start = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # 01:00 CEST
    end = start + timedelta(hours=3)  # 03:00 CET
    fields = span(start, end, MADRID)
    assert fields["timezone"] == "GMT+02:00" and fields["duration"] == 3 * 3600
    assert parse_datetime(fields["end"], fields["timezone"]) == end
    with pytest.raises(ValueError):
        span(end, start, MADRID)
    with pytest.raises(ValueError):
        span(datetime(2026, 1, 1), None, None)


def test_dates_and_entry_helpers() -> None:
    assert format_date(datetime(2026, 1, 1, 23, 30, tzinfo=UTC), "GMT+03:00") == "2026-01-02"
    assert format_date(date(2026, 1, 5)) == "2026-01-05" and parse_date("2026-01-05") == date(
        2026, 1, 5
    )
    entry = TimeEntry.model_validate(
        {"id": 1, "s": "2026-03-08 10:00:00", "e": None, "d": 0, "tz": "GMT-05:00"}
    )
    assert entry.running and entry.end_at() is None
    assert entry.start_at() == datetime(2026, 3, 8, 15, tzinfo=UTC)
    assert entry.start_at() == datetime(2026, 3, 8, 10, tzinfo=timezone(timedelta(hours=-5)))
