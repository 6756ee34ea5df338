"""Users, customers, services, projects, tasks: CRUD, close/open, derived fields."""

from __future__ import annotations

import httpx2
import pytest

from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.sandbox.trackingtime.conftest import call, ok

pytestmark = pytest.mark.anyio

WEBSITE = 1266926
TASK = 94656212107


async def test_users_crud_close_open(client: httpx2.AsyncClient) -> None:
    user = await ok(
        client,
        "users/add",
        "POST",
        data={"name": "Ken", "surname": "T", "role": "CO_WORKER", "email": "ken@example.com"},
    )
    assert user["status"] == "INVITED" and user["role"] == "CO_WORKER"
    updated = await ok(client, f"users/update/{user['id']}", "POST", data={"surname": "Thompson"})
    assert updated["surname"] == "Thompson" and updated["name"] == "Ken"
    closed = await ok(client, f"users/close/{user['id']}", "PUT")
    assert closed["is_archived"] is True
    active = await ok(client, "users")
    assert user["id"] not in [u["id"] for u in active]
    archived = await ok(client, "users", params={"filter": "ARCHIVED"})
    assert [u["id"] for u in archived] == [user["id"]]
    opened = await ok(client, f"users/open/{user['id']}", "PUT")
    assert opened["is_archived"] is False
    owner = await call(client, "users/close/381455", "PUT")
    assert owner["response"]["status"] == 500


async def test_customers_crud_and_counts(client: httpx2.AsyncClient) -> None:
    customers = await ok(client, "customers")
    globex = next(c for c in customers if c["name"] == "Globex Corporation")
    assert globex["total_projects"] == 1 and globex["active_projects"] == 1
    assert globex["worked_hours"] > 0
    assert globex["loc_worked_hours"].count(":") == 1
    # Unpaginated: page is ignored (DISC).
    assert await ok(client, "customers", params={"page": 2}) == customers
    body = await call(client, f"customers/update/{globex['id']}", "POST", data={"notes": "x"})
    assert body["response"]["status"] == 500  # FICUS: update requires name
    updated = await ok(
        client, f"customers/update/{globex['id']}", "POST", data={"name": "Globex", "notes": "x"}
    )
    assert updated["name"] == "Globex" and updated["notes"] == "x"
    assert updated["updated_at"] == "2026-03-10 11:00:00"  # account zone, EDT
    await ok(client, f"customers/delete/{globex['id']}")
    project = await ok(client, f"projects/{WEBSITE}")
    assert project["customer"] is None


async def test_services(client: httpx2.AsyncClient) -> None:
    service = await ok(client, "services/add", "POST", data={"name": "QA"})
    assert service["name"] == "QA" and service["is_archived"] is False
    closed = await ok(client, f"services/close/{service['id']}", "PUT")
    assert closed["is_archived"] is True
    await ok(client, f"services/delete/{service['id']}", "DELETE")
    assert (await call(client, f"services/{service['id']}"))["response"]["status"] == 404


async def test_project_lifecycle(client: httpx2.AsyncClient) -> None:
    project = await ok(
        client,
        "projects/add",
        "POST",
        json={
            "name": "Brand book",
            "estimated_time": 12.5,
            "customer_id": 123457,
            "service_name": "Design",
        },
    )
    assert project["estimated_time"] == 12.5 and project["loc_estimated_time"] == "12:30"
    assert project["customer"] == {"id": 123457, "name": "Initech"}
    assert project["service"]["name"] == "Design"
    updated = await ok(
        client, f"projects/update/{project['id']}", params={"delivery_date": "2026-04-30"}
    )
    assert updated["delivery_date"] == "2026-04-30" and updated["name"] == "Brand book"
    closed = await ok(client, f"projects/close/{project['id']}")
    assert closed["is_archived"] is True
    assert project["id"] not in [p["id"] for p in await ok(client, "projects")]
    archived = await ok(client, "projects", params={"filter": "ARCHIVED"})
    assert project["id"] in [p["id"] for p in archived]
    await ok(client, f"projects/open/{project['id']}")
    await ok(client, f"projects/delete/{project['id']}", "DELETE")
    assert (await call(client, f"projects/{project['id']}"))["response"]["status"] == 404


async def test_project_derived_fields(client: httpx2.AsyncClient) -> None:
    project = await ok(
        client,
        f"projects/{WEBSITE}",
        params={"include_tasks": "true", "include_task_lists": "true"},
    )
    events = await ok(client, "events", params={"filter": "PROJECT", "id": WEBSITE})
    total = sum(e["d"] for e in events)
    assert project["accumulated_time"] == total
    assert project["worked_hours"] == round(total / 3600, 6)
    assert project["active_tasks"] == 2 and project["archived_tasks"] == 1
    assert [t["name"] for t in project["task_lists"]] == ["Discovery", "Build", "Launch"]
    assert project["delivery_date"] == "2026-03-31" and project["estimated_time"] == 120.0
    users = await ok(client, f"projects/{WEBSITE}/users")
    assert {u["id"] for u in users} == {381455, 381456, 381457}


async def test_task_lifecycle_and_fields(client: httpx2.AsyncClient) -> None:
    task = await ok(
        client,
        "tasks/add",
        "POST",
        data={
            "name": "Footer",
            "project_id": WEBSITE,
            "estimated_time": "3",
            "due_date": "2026-03-20",
            "description": "links",
            "service": "ghl",
            "service_task_id": "opp-77",
        },
    )
    assert task["accumulated_time"] == 0 and task["accumulated_time_display"] == "00:00:00"
    assert task["due_date"] == "2026-03-20" and task["loc_due_date"] == "20.03.2026"
    assert task["third_party_data"] == {"service": "ghl", "id": "opp-77"}
    await ok(
        client,
        "events/add",
        params={
            "start": "2026-03-10 08:00:00",
            "end": "2026-03-10 09:15:00",
            "task_id": task["id"],
        },
    )
    fetched = await call(client, f"tasks/{task['id']}", params={"include_custom_fields": "true"})
    data = fetched["data"]
    assert data["accumulated_time"] == 4500 and data["worked_hours"] == 1.25
    assert data["loc_worked_hours"] == "01:15" and data["accumulated_time_display"] == "01:15:00"
    assert {"set_custom_fields", "available_custom_fields", "users"} <= set(fetched)
    closed = await ok(client, f"tasks/close/{task['id']}", "PUT")
    assert closed["is_archived"] is True and closed["end_date"] == "2026-03-10 11:00:00"
    opened = await ok(client, f"tasks/open/{task['id']}", "PUT")
    assert opened["is_archived"] is False and opened["end_date"] is None
    await ok(client, f"tasks/delete/{task['id']}")
    events = await ok(client, "events", params={"filter": "TASK", "id": task["id"]})
    assert events == []


async def test_track_and_stop(sim: TrackingTimeSimulator, client: httpx2.AsyncClient) -> None:
    event = await ok(client, f"tasks/track/{TASK}", "POST", data={"date": "2026-03-10 10:00:00"})
    assert event["end"] is None and event["duration"] == 3600  # clock is 11:00 New York
    task = await ok(client, f"tasks/{TASK}")
    assert task["tracking"] is True and task["tracking_event"]["id"] == event["id"]
    again = await call(client, "tasks/track/94656212109", data={"date": "2026-03-10 10:30:00"})
    assert again["response"]["status"] == 502
    tracking = await ok(client, "users/381455/tasks/tracking")
    assert [t["id"] for t in tracking] == [TASK]
    sim.advance_clock(1800)
    stopped = await ok(
        client, f"tasks/stop/{TASK}", data={"date": "2026-03-10 11:30:00", "return_task": "false"}
    )
    assert stopped["end"] == "2026-03-10 11:30:00" and stopped["duration"] == 5400
    assert (await ok(client, f"tasks/{TASK}"))["tracking"] is False
    switched = await ok(
        client,
        "tasks/track",
        data={
            "task_name": "homepage BUILD ",
            "project_id": WEBSITE,
            "date": "2026-03-10 11:31:00",
            "return_task": "true",
        },
    )
    assert switched["id"] == TASK and switched["tracking"] is True


async def test_track_project_only_uses_a_hidden_task(client: httpx2.AsyncClient) -> None:
    event = await ok(
        client, "tasks/track", data={"project_id": WEBSITE, "date": "2026-03-10 10:00:00"}
    )
    assert event["task_visibility"] == "HIDDEN" and event["project_id"] == WEBSITE
    tasks = await ok(client, "tasks", params={"filter": "ALL"})
    assert event["task_id"] not in [t["id"] for t in tasks]


async def test_assigned_tasks_and_trackables(client: httpx2.AsyncClient) -> None:
    assigned = await ok(client, "users/381457/assigned_tasks", params={"sort_by": "due_date"})
    assert [t["name"] for t in assigned][:2] == ["Weekly planning", "Homepage build"]
    assert {"accumulated_time_display", "users", "list_name"} <= set(assigned[0])
    trackables = await ok(client, "users/381457/trackables")
    projects = trackables["projects"]
    assert projects[-1]["id"] == 0 and projects[-1]["name"] == "No Project"
    website = next(p for p in projects if p["id"] == WEBSITE)
    assert website["customer"] == {"name": "Globex Corporation", "id": 123456}
    assert {t["name"] for t in website["tasks"]} == {"Homepage build", "Content migration"}


async def test_task_lists_and_comments(client: httpx2.AsyncClient) -> None:
    tl = await ok(client, f"projects/{WEBSITE}/task_lists/add", "POST", data={"name": "QA"})
    assert tl["index"] == 3
    task = await ok(client, f"tasks/update/{TASK}", params={"list_id": tl["id"]})
    assert task["list_name"] == "QA"
    comment = await ok(client, f"tasks/{TASK}/comments/add", "POST", data={"comment": "LGTM"})
    assert [c["comment"] for c in await ok(client, f"tasks/{TASK}/comments")] == ["LGTM"]
    await ok(client, f"tasks/{TASK}/comments/delete/{comment['id']}", "DELETE")
    assert await ok(client, f"tasks/{TASK}/comments") == []


async def test_tasks_paginated(client: httpx2.AsyncClient) -> None:
    everything = await ok(client, "tasks/paginated", params={"filter": "ALL"})
    first = await ok(client, "tasks/paginated", params={"filter": "ALL", "page_size": 3})
    second = await ok(
        client, "tasks/paginated", params={"filter": "ALL", "page_size": 3, "page": 1}
    )
    assert [t["id"] for t in first + second] == [t["id"] for t in everything][:6]


async def test_custom_fields_and_enum_options(client: httpx2.AsyncClient) -> None:
    cf = await ok(
        client,
        "custom_fields/add",
        "POST",
        data={"name": "Tier", "value_type": "enum", "filter_object_class": "customer"},
    )
    option = await ok(
        client, "enum_options/add", "POST", data={"name": "Gold", "custom_field": cf["id"]}
    )
    options = await ok(client, f"custom_fields/{cf['id']}/enum_options")
    assert [o["name"] for o in options] == ["Gold"]
    customer = await ok(
        client,
        "customers/update/123457",
        "POST",
        data={
            "name": "Initech",
            "custom_fields": f'[{{"id":{cf["id"]},"value":"{option["id"]}"}}]',
        },
    )
    tier = next(v for v in customer["custom_fields"] if v["id"] == cf["id"])
    assert tier["value"] == str(option["id"]) and tier["enum_option_id"] == option["id"]
    bad = await call(
        client,
        "customers/update/123457",
        "POST",
        data={"name": "Initech", "custom_fields": f'[{{"id":{cf["id"]},"value":"1"}}]'},
    )
    assert bad["response"]["status"] == 500
    slugs = {c["slug"] for c in await ok(client, "custom_fields") if c["slug"]}
    assert {"EVENT_THIRD_PARTY_ID", "TASK_THIRD_PARTY_ID", "PROJECT_THIRD_PARTY_ID"} <= slugs


async def test_event_tags(client: httpx2.AsyncClient) -> None:
    event = await ok(
        client,
        "events/add",
        params={
            "start": "2026-03-09 12:00:00",
            "end": "2026-03-09 13:00:00",
            "task_id": TASK,
            "tags": '[{"n":"overtime","v":"yes","c":"#f00","t":"flag"}]',
        },
    )
    assert event["tags"][0]["n"] == "overtime" and event["tags"][0]["v"] == "yes"
    saved = await ok(client, f"events/{event['id']}/tags/save", "POST", data={"name": "client"})
    assert {t["n"] for t in saved["tags"]} == {"overtime", "client"}
    assert "client" in [t["name"] for t in await ok(client, "events/tags")]


async def test_custom_field_creation_checks_its_input_and_the_role(
    client: httpx2.AsyncClient, coworker: httpx2.AsyncClient
) -> None:
    """What 'ghltt bridges check --fix' relies on: a text customer field is made once; bad
    input and a coworker's request are refused in-band, as TrackingTime does."""
    fields = {"name": "ghl_phone", "value_type": "text", "filter_object_class": "customer"}
    made = await ok(client, "custom_fields/add", "POST", data=fields)
    assert (made["name"], made["value_type"], made["filter_object_class"]) == (
        "ghl_phone",
        "text",
        "customer",
    )
    assert made["status"] == "ACTIVE"
    listed = await ok(client, "custom_fields", params={"filter_object_class": "customer"})
    assert made["id"] in {f["id"] for f in listed}
    for data, message in [
        (fields, "There is already another custom field with that name."),
        ({**fields, "name": "x", "value_type": "words"}, "Invalid value_type: words"),
        ({**fields, "name": "x", "filter_object_class": "deal"}, "Invalid filter_object_class"),
        ({"value_type": "text", "filter_object_class": "customer"}, "'name' is required"),
    ]:
        refused = await call(client, "custom_fields/add", "POST", data=data)
        assert refused["response"]["status"] == 500
        assert message in refused["response"]["message"]
    denied = await call(coworker, "custom_fields/add", "POST", data={**fields, "name": "y"})
    assert denied["response"]["status"] == 403
