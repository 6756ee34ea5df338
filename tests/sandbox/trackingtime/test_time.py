"""Dates as TrackingTime writes them, in the right zone, correct across DST."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ghltt.core.clock import FixedClock
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.sandbox.trackingtime.timefmt import (
    fmt_local,
    gmt_offset,
    hhmm,
    parse_local,
    parse_zone,
)
from tests.sandbox.trackingtime.conftest import call, make_client, ok

TASK = 94656212107
ZONES = ["America/New_York", "Europe/Madrid", "Australia/Sydney", "Asia/Kolkata", "UTC"]


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("GMT+3", 180),
        ("GMT+03:00", 180),
        ("GMT-08", -480),
        ("UTC-0530", -330),
        ("+05:30", 330),
        ("CET+1", 60),
        ("GMT", 0),
    ],
)
def test_offset_zones(text: str, offset: int) -> None:
    zone = parse_zone(text)
    assert zone is not None
    delta = zone.utcoffset(datetime(2026, 1, 1))
    assert delta == timedelta(minutes=offset)


@settings(max_examples=200, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)
    ),
    zone_name=st.sampled_from(ZONES),
)
def test_format_then_parse_round_trips(instant: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    instant = instant.replace(microsecond=0)
    text = fmt_local(instant, zone)
    assert text is not None
    back = parse_local(text, zone)
    local = instant.astimezone(zone)
    if local.fold == 0:
        assert back == instant
    else:
        # The second 01:30 of a fall-back night reads as the first one, one hour earlier.
        assert instant - back == timedelta(hours=1)
    assert gmt_offset(instant, zone).startswith("GMT")


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 30)),
    minutes=st.integers(min_value=0, max_value=36 * 60),
    zone_name=st.sampled_from(ZONES),
)
def test_api_duration_is_elapsed_seconds(start: datetime, minutes: int, zone_name: str) -> None:
    """Whatever wall-clock texts a client sends, duration = real seconds between them."""
    zone = ZoneInfo(zone_name)
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=minutes)  # wall-clock arithmetic, as a naive client does
    expected = parse_local(end.strftime("%Y-%m-%d %H:%M:%S"), zone) - parse_local(
        start.strftime("%Y-%m-%d %H:%M:%S"), zone
    )

    async def run() -> dict[str, object]:
        sim = TrackingTimeSimulator(clock=FixedClock(datetime(2026, 6, 1, tzinfo=UTC)))
        async with make_client(sim) as client:
            body = await call(
                client,
                "events/add",
                params={
                    "start": start.strftime("%Y-%m-%d %H:%M:%S"),
                    "end": end.strftime("%Y-%m-%d %H:%M:%S"),
                    "timezone": zone_name,
                    "task_id": TASK,
                },
            )
        return dict(body)

    body = asyncio.run(run())
    if expected < timedelta(0):
        assert body["response"]["status"] == 500  # type: ignore[index]
    else:
        assert body["data"]["duration"] == int(expected.total_seconds())  # type: ignore[index]


@pytest.mark.anyio
async def test_spring_forward_entry_lasts_one_hour(client: httpx2.AsyncClient) -> None:
    event = await ok(
        client,
        "events/add",
        params={
            "start": "2026-03-08 01:30:00",
            "end": "2026-03-08 03:30:00",
            "timezone": "America/New_York",
            "task_id": TASK,
        },
    )
    assert event["duration"] == 3600
    assert event["start"] == "2026-03-08 01:30:00" and event["end"] == "2026-03-08 03:30:00"
    assert event["tz"] == "GMT-05:00"


@pytest.mark.anyio
async def test_fall_back_entry_lasts_three_hours(client: httpx2.AsyncClient) -> None:
    event = await ok(
        client,
        "events/add",
        params={
            "start": "2026-11-01 00:30:00",
            "end": "2026-11-01 02:30:00",
            "timezone": "America/New_York",
            "task_id": TASK,
        },
    )
    assert event["duration"] == 3 * 3600 and event["loc_duration"] == "03:00"


@pytest.mark.anyio
async def test_seeded_events_carry_the_offset_of_their_day(client: httpx2.AsyncClient) -> None:
    ada = await ok(client, "events", params={"filter": "USER", "id": 381455})
    offsets = {e["s"][:10] >= "2026-03-08": e["tz"] for e in ada}
    assert offsets == {False: "GMT-05:00", True: "GMT-04:00"}
    linus = await ok(client, "events", params={"filter": "USER", "id": 381457})
    assert {e["tz"] for e in linus} == {"GMT+01:00"}  # Madrid moves on Mar 29
    assert all(e["s"][11:] >= "09:00:00" for e in ada + linus)  # local working hours


@pytest.mark.anyio
async def test_created_at_follows_the_account_zone_through_dst() -> None:
    sim = TrackingTimeSimulator(clock=FixedClock(datetime(2026, 3, 7, 17, 0, tzinfo=UTC)))
    async with make_client(sim) as client:
        winter = await ok(client, "customers/add", "POST", data={"name": "Winter"})
        sim.set_clock(datetime(2026, 3, 9, 17, 0, tzinfo=UTC))
        summer = await ok(client, "customers/add", "POST", data={"name": "Summer"})
    assert winter["created_at"] == "2026-03-07 12:00:00"
    assert summer["created_at"] == "2026-03-09 13:00:00"


@pytest.mark.anyio
async def test_loc_fields_follow_user_settings(client: httpx2.AsyncClient) -> None:
    await ok(client, "users/update/381455", "POST", data={"date_format": "MM/dd/yyyy"})
    event = await ok(
        client,
        "events/add",
        params={"start": "2026-03-09 08:00:00", "end": "2026-03-09 09:05:00", "task_id": TASK},
    )
    assert event["loc_start"] == "03/09/2026 08:00:00"
    assert event["loc_duration"] == "01:05"


def test_hhmm_exceeds_a_day() -> None:
    assert hhmm(125 * 3600 + 30 * 60 + 59) == "125:30"
