"""The request shapes real clients send: GET with query, form bodies, JSON, JSON-string arrays."""

from __future__ import annotations

import json

import httpx2
import pytest

from tests.sandbox.trackingtime.conftest import ok

pytestmark = pytest.mark.anyio

TASK = 94656212107  # "Homepage build", Website Redesign


async def test_events_add_with_get_and_query_parameters(client: httpx2.AsyncClient) -> None:
    # N8N sends every parameter of events/add in the query string of a GET.
    event = await ok(
        client,
        "events/add",
        params={
            "start": "2026-03-09 09:00:00",
            "end": "2026-03-09 10:30:00",
            "duration": "5400",
            "timezone": "GMT-04:00",
            "task_id": str(TASK),
            "notes": "from n8n",
            "custom_fields": json.dumps(
                [
                    {"slug": "EVENT_THIRD_PARTY_ID", "value": "ghl-appt-1"},
                    {"slug": "EVENT_THIRD_PARTY_SERVICE", "value": "N8N"},
                ]
            ),
        },
    )
    assert event["duration"] == 5400
    assert event["start"] == "2026-03-09 09:00:00"
    assert event["tz"] == "GMT-04:00"
    assert event["task_id"] == TASK and event["project"] == "Website Redesign"
    values = {cf["slug"]: cf["value"] for cf in event["custom_fields"]}
    assert values["EVENT_THIRD_PARTY_ID"] == "ghl-appt-1"


async def test_form_body(client: httpx2.AsyncClient) -> None:
    customer = await ok(
        client, "customers/add", "POST", data={"name": "Hooli", "notes": "form body"}
    )
    assert customer["name"] == "Hooli" and customer["notes"] == "form body"


async def test_json_body_with_native_arrays(client: httpx2.AsyncClient) -> None:
    task = await ok(
        client,
        "tasks/add",
        "POST",
        json={"name": "Audit", "project_id": 1266927, "users": [{"id": 381456}, {"id": 381457}]},
    )
    assert sorted(u["id"] for u in task["users"]) == [381456, 381457]


async def test_arrays_as_json_strings_in_query_and_form(client: httpx2.AsyncClient) -> None:
    task = await ok(
        client,
        "tasks/add",
        "POST",
        params={"users": '[{"id":381457}]'},
        data={"name": "Docs", "project_name": "Website Redesign"},
    )
    assert [u["id"] for u in task["users"]] == [381457]
    assert task["project_id"] == 1266926
    updated = await ok(client, f"tasks/update/{task['id']}", "PUT", params={"users": "[]"})
    assert updated["users"] == []


async def test_json_body_wins_over_query(client: httpx2.AsyncClient) -> None:
    customer = await ok(
        client, "customers/add", "POST", params={"name": "FromQuery"}, json={"name": "FromJson"}
    )
    assert customer["name"] == "FromJson"


async def test_booleans_as_strings(client: httpx2.AsyncClient) -> None:
    project = await ok(client, "projects/update/1266926", params={"is_public": "true"})
    assert project["is_public"] is True
    project = await ok(client, "projects/update/1266926", params={"is_public": "false"})
    assert project["is_public"] is False


async def test_webhooks_add_with_get(client: httpx2.AsyncClient) -> None:
    data = await ok(
        client,
        "webhooks/add",
        params={"url": "https://hooks.example.com/tt", "events": "event.created,event.updated"},
    )
    assert set(data) == {"id", "secret"}
    hooks = await ok(client, "webhooks")
    assert hooks[0]["events"] == ["event.created", "event.updated"]
    assert hooks[0]["token"] == data["secret"]
    assert hooks[0]["status"] == "ENABLED"


async def test_name_or_create_params(client: httpx2.AsyncClient) -> None:
    project = await ok(
        client, "projects/add", "POST", data={"name": "Kiosk", "customer_name": "PIED piper"}
    )
    customers = await ok(client, "customers")
    assert project["customer"]["name"] == "PIED piper"
    assert "PIED piper" in [c["name"] for c in customers]
    again = await ok(
        client, "projects/add", "POST", data={"name": "Kiosk 2", "customer_name": "pied PIPER"}
    )
    assert again["customer"]["id"] == project["customer"]["id"]
