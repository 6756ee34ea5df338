"""Time entries: shapes, paging, filters, sort_by=updated_at, add/update/delete, search."""

from __future__ import annotations

import httpx2
import pytest

from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.sandbox.trackingtime.conftest import call, ok

pytestmark = pytest.mark.anyio

TASK = 94656212107
MIN_KEYS = {
    "id",
    "s",
    "e",
    "d",
    "se",
    "seid",
    "c",
    "cid",
    "p",
    "pid",
    "pn",
    "pif",
    "t",
    "tid",
    "tt",
    "tv",
    "tl",
    "dd",
    "et",
    "a",
    "u",
    "uid",
    "uhr",
    "uhc",
    "uau",
    "tz",
    "n",
    "co",
    "r",
    "b",
    "bd",
    "to",
    "er",
    "rf",
    "re",
    "rgi",
    "ety",
    "uci",
    "cci",
    "sci",
    "has_files",
    "toi",
    "users",
}


async def test_list_is_the_min_shape_with_siblings(client: httpx2.AsyncClient) -> None:
    body = await call(client, "events", params={"filter": "COMPANY"})
    assert {"set_custom_fields", "available_custom_fields", "users", "schedule_assignments"} <= set(
        body
    )
    first = body["data"][0]
    assert set(first) >= MIN_KEYS
    assert first["d"] > 0 and first["ety"] == "WORK"


async def test_legacy_events_format_flag(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    sim.configure(legacy_events_format=True)
    first = (await ok(client, "events", params={"filter": "COMPANY"}))[0]
    assert {"start", "end", "duration", "task_id", "project"} <= set(first)
    # /events/min keeps the abbreviated keys.
    assert "s" in (await ok(client, "events/min", params={"filter": "COMPANY"}))[0]


async def test_pagination_walks_every_event_once(client: httpx2.AsyncClient) -> None:
    everything = await ok(client, "events", params={"filter": "COMPANY"})
    assert len(everything) == 97  # seeded: 97 in the sample account, 3 in Acme Labs
    seen: list[int] = []
    page = 0
    while True:
        chunk = await ok(
            client, "events", params={"filter": "COMPANY", "page": page, "page_size": 30}
        )
        seen += [e["id"] for e in chunk]
        if len(chunk) < 30:
            break
        page += 1
    assert seen == [e["id"] for e in everything]
    assert page == 3
    assert (
        await ok(client, "events", params={"filter": "COMPANY", "page": 9, "page_size": 30}) == []
    )


async def test_default_page_size_is_configurable(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    sim.configure(events_default_page_size=50)
    assert len(await ok(client, "events", params={"filter": "COMPANY"})) == 50


async def test_filters(client: httpx2.AsyncClient) -> None:
    mine = await ok(client, "events")  # USER, defaults to the caller
    assert mine and {e["uid"] for e in mine} == {381455}
    linus = await ok(client, "events", params={"filter": "USER", "id": 381457})
    assert {e["uid"] for e in linus} == {381457}
    by_task = await ok(client, "events", params={"filter": "TASK", "id": TASK})
    assert by_task and {e["tid"] for e in by_task} == {TASK}
    by_customer = await ok(client, "events", params={"filter": "CUSTOMER", "id": 123456})
    assert by_customer and {e["cid"] for e in by_customer} == {123456}
    window = await ok(
        client, "events", params={"filter": "COMPANY", "from": "2026-03-02", "to": "2026-03-06"}
    )
    assert window and all("2026-03-02" <= e["s"][:10] <= "2026-03-06" for e in window)
    desc = await ok(client, "events", params={"filter": "COMPANY", "order": "desc"})
    assert desc[0]["s"] >= desc[-1]["s"]
    missing = await call(client, "events", params={"filter": "PROJECT"})
    assert missing["response"]["status"] == 500


async def test_coworker_sees_others_only_when_the_team_allows(
    client: httpx2.AsyncClient, coworker: httpx2.AsyncClient
) -> None:
    assert await ok(coworker, "events", params={"filter": "USER", "id": 381455})
    team = await ok(
        client, "teams/update/1725", "POST", data={"can_view_time_entries_from_others": "false"}
    )
    assert team["permissions"]["can_view_time_entries_from_others"] is False
    body = await call(coworker, "events", params={"filter": "USER", "id": 381455})
    assert body["response"]["status"] == 403
    company = await ok(coworker, "events", params={"filter": "COMPANY"})
    assert {e["uid"] for e in company} == {381457}


async def test_sort_by_updated_at_finds_changes(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    oldest = (await ok(client, "events", params={"filter": "COMPANY"}))[0]
    sim.advance_clock(86400)  # now 2026-03-11
    await ok(client, f"events/update/{oldest['id']}", "PUT", data={"notes": "late edit"})
    changed = await ok(
        client,
        "events",
        params={
            "filter": "COMPANY",
            "sort_by": "updated_at",
            "from": "2026-03-11",
            "to": "2026-03-11",
            "order": "asc",
        },
    )
    assert [e["id"] for e in changed] == [oldest["id"]]
    assert changed[0]["uat"] == "2026-03-11 11:00:00"


async def test_add_update_delete(client: httpx2.AsyncClient) -> None:
    event = await ok(
        client,
        "events/add",
        "POST",
        json={
            "start": "2026-03-10 07:00:00",
            "end": "2026-03-10 08:20:00",
            "project_name": "Mobile App",
            "task_name": "Store listing",
            "is_billed": True,
        },
    )
    assert event["duration"] == 4800 and event["loc_duration"] == "01:20"
    assert event["project"] == "Mobile App" and event["task"] == "Store listing"
    assert event["customer"] == "Initech" and event["is_billed"] is True
    assert event["created_at"] == "2026-03-10 11:00:00"
    updated = await ok(
        client, f"events/{event['id']}/update", params={"end": "2026-03-10 09:00:00"}
    )
    assert updated["duration"] == 7200 and updated["start"] == "2026-03-10 07:00:00"
    fetched = await ok(client, f"events/{event['id']}")
    assert fetched["end"] == "2026-03-10 09:00:00"
    await ok(client, f"events/delete/{event['id']}", "DELETE")
    assert (await call(client, f"events/{event['id']}"))["response"]["status"] == 404


async def test_add_validation(client: httpx2.AsyncClient) -> None:
    cases = [
        {"end": "2026-03-10 08:00:00"},
        {"start": "2026-03-10 08:00:00"},
        {"start": "2026-03-10 09:00:00", "end": "2026-03-10 08:00:00"},
        {"start": "2026-03-10 09:00:00", "duration": "-5"},
        {"start": "10/03/2026", "end": "2026-03-10 08:00:00"},
        {"start": "2026-03-10 07:00:00", "end": "2026-03-10 08:00:00", "timezone": "Mars/Base"},
        {"start": "2026-03-10 07:00:00", "end": "2026-03-10 08:00:00", "event_type": "PLAY"},
    ]
    for params in cases:
        body = await call(client, "events/add", params=params)
        assert body["response"]["status"] == 500, params


async def test_duration_only(client: httpx2.AsyncClient) -> None:
    event = await ok(
        client,
        "events/add",
        params={"start": "2026-03-10 07:00:00", "duration": 900, "task_id": TASK},
    )
    assert event["end"] == "2026-03-10 07:15:00"


async def test_flat_count_billed(client: httpx2.AsyncClient) -> None:
    flat = await ok(
        client,
        "events/flat",
        params={"filter": "COMPANY", "page_size": 2, "include_custom_fields": "true"},
    )
    assert len(flat) == 2 and {"ID", "Start", "Duration", "Repeat Rrequency"} <= set(flat[0])
    assert "Third-party ID (Event CF)" in flat[0]
    count = await ok(client, "events/count", params={"filter": "COMPANY"})
    assert count == {"count": 97}
    ids = [e["id"] for e in (await ok(client, "events"))[:2]]
    await ok(
        client,
        "events/billed",
        "PUT",
        data={"data": str([{"id": i} for i in ids]).replace("'", '"')},
    )
    billed = await ok(client, "events/min", params={"billed": "BILLED"})
    assert sorted(e["id"] for e in billed) == sorted(ids)


async def test_search_by_external_id(client: httpx2.AsyncClient) -> None:
    event = await ok(
        client,
        "events/add",
        params={
            "start": "2026-03-10 07:00:00",
            "end": "2026-03-10 08:00:00",
            "task_id": TASK,
            "custom_fields": '[{"slug":"EVENT_THIRD_PARTY_ID","value":"appt-9"}]',
        },
    )
    found = await ok(
        client,
        "search/events",
        params={"type": "ByExternalID", "entity": "Event", "external_id": "appt-9"},
    )
    assert [e["id"] for e in found] == [event["id"]]
    by_id = await ok(client, "search/events", params={"type": "ByID", "id": event["id"]})
    assert by_id[0]["id"] == event["id"]
    raw = await client.get(
        "/api/v4/1725/zapier/createInput", params={"entity": "Event", "type": "ByID"}
    )
    assert "response" not in raw.json() and raw.json()["inputFields"][0]["key"] == "id"


async def test_filtered(client: httpx2.AsyncClient) -> None:
    query = (
        '{"date_range":{"period":"last_week"},"parameters":["d","uid"],'
        '"filters":[{"by":"user","operator":"is","value":[381457]}]}'
    )
    rows = await ok(client, "events/filtered", params={"query_data": query})
    assert rows and all(set(r) == {"id", "d", "uid"} and r["uid"] == 381457 for r in rows)


async def test_export_is_csv(client: httpx2.AsyncClient) -> None:
    r = await client.get(
        "/api/v4/1725/events/export", params={"separator": ";", "filter": "COMPANY"}
    )
    assert r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].startswith("ID;Start;End;Duration") and len(lines) == 98
    missing = await call(client, "events/export")
    assert missing["response"]["status"] == 500
