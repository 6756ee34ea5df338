"""Contacts through the HTTP surface: bodies, status codes and events as the real API."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from ghltt.sandbox.ghl import GhlSimulator

pytestmark = pytest.mark.anyio


async def _first_contact(client: httpx2.AsyncClient, sim: GhlSimulator, h: dict[str, str]) -> Any:
    r = await client.get("/contacts/", params={"locationId": sim.sample_location_id}, headers=h)
    return r.json()["contacts"][0]


async def test_create_get_update_delete(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    r = await client.post(
        "/contacts/",
        json={
            "locationId": loc,
            "firstName": "Rosa",
            "lastName": "Parks",
            "email": "Rosa@Example.com",
            "phone": "(555) 123-4567",
            "tags": ["VIP", "vip", " new "],
            "customFields": [{"key": "contact.budget", "field_value": 1500}],
            "dateOfBirth": "1990/09/25",
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
    contact = r.json()["contact"]
    assert len(contact["id"]) == 20 and contact["id"].isalnum()
    assert contact["emailLowerCase"] == "rosa@example.com"
    assert contact["phone"] == "+15551234567"
    assert contact["tags"] == ["vip", "new"]
    assert contact["fullNameLowerCase"] == "rosa parks"
    assert contact["dateOfBirth"] == "1990-09-25T00:00:00.000Z"
    assert contact["customFields"][0]["value"] == 1500
    assert "address1" not in contact  # unset fields are omitted, not null

    cid = contact["id"]
    r = await client.get(f"/contacts/{cid}", headers=headers)
    assert r.status_code == 200 and r.json()["contact"]["firstName"] == "Rosa"

    r = await client.put(
        f"/contacts/{cid}", json={"city": "Montgomery", "tags": ["x"]}, headers=headers
    )
    assert r.status_code == 200
    assert r.json()["succeded"] is True
    assert r.json()["contact"]["city"] == "Montgomery"
    assert r.json()["contact"]["tags"] == ["x"]

    r = await client.delete(f"/contacts/{cid}", headers=headers)
    assert r.json() == {"succeded": True}
    r = await client.get(f"/contacts/{cid}", headers=headers)
    assert r.status_code == 400
    assert r.json()["message"] == f"Contact with id {cid} not found"

    types = [e["type"] for e in sim.emitted_events]
    assert types == ["ContactCreate", "ContactUpdate", "ContactTagUpdate", "ContactDelete"]


async def test_duplicate_contact_is_refused_with_meta(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    existing = await _first_contact(client, sim, headers)
    body = {"locationId": sim.sample_location_id, "email": existing["email"].upper()}
    r = await client.post("/contacts", json=body, headers=headers)
    assert r.status_code == 400
    assert r.json()["message"] == "This location does not allow duplicated contacts."
    assert r.json()["meta"]["contactId"] == existing["id"]
    assert r.json()["meta"]["matchingField"] == "email"

    sim.set_location_settings(allow_duplicate_contact=True)
    r = await client.post("/contacts", json=body, headers=headers)
    assert r.status_code == 201


async def test_upsert_follows_duplicate_rules(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    r = await client.post(
        "/contacts/upsert", json={"locationId": loc, "email": "new@x.io"}, headers=headers
    )
    assert r.status_code == 200 and r.json()["new"] is True and "traceId" in r.json()
    cid = r.json()["contact"]["id"]
    r = await client.post(
        "/contacts/upsert",
        json={"locationId": loc, "email": "NEW@x.io", "firstName": "Again", "tags": ["t1"]},
        headers=headers,
    )
    assert r.json()["new"] is False and r.json()["contact"]["id"] == cid
    assert r.json()["contact"]["firstName"] == "Again"

    # Email matches one contact and phone another: the first field in the priority wins.
    other = next(c for c in sim.state.contacts.values() if c.get("phone"))
    r = await client.post(
        "/contacts/upsert",
        json={"locationId": loc, "email": "new@x.io", "phone": other["phone"]},
        headers=headers,
    )
    assert r.json()["contact"]["id"] == cid
    assert r.json()["contact"].get("phone") != other["phone"]

    sim.set_location_settings(allow_duplicate_contact=True)
    r = await client.post(
        "/contacts/upsert",
        json={"locationId": loc, "email": "new@x.io", "createNewIfDuplicateAllowed": True},
        headers=headers,
    )
    assert r.json()["new"] is True and r.json()["contact"]["id"] != cid


async def test_validation_errors_are_422_arrays(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    r = await client.post("/contacts/", json={"firstName": 5}, headers=headers)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "Unprocessable Entity" and isinstance(body["message"], list)
    assert "firstName must be a string" in body["message"]
    assert "locationId should not be empty" in body["message"]
    r = await client.post(
        "/contacts/",
        content=b'{"locationId": ',
        headers={**headers, "content-type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"] == "Bad Request"
    r = await client.post("/contacts/", json=[1, 2], headers=headers)
    assert r.status_code == 422


async def test_search_filters_sort_and_search_after(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    r = await client.post(
        "/contacts/search",
        json={
            "locationId": loc,
            "pageLimit": 50,
            "filters": [
                {
                    "group": "OR",
                    "filters": [
                        {"field": "tags", "operator": "contains", "value": "vip"},
                        {"field": "tags", "operator": "eq", "value": "client"},
                    ],
                }
            ],
        },
        headers=headers,
    )
    assert r.status_code == 200
    found = r.json()["contacts"]
    assert r.json()["total"] == len(found) > 0
    assert all({"vip", "client"} & set(c["tags"]) for c in found)
    assert all("dndSettings" not in c for c in found)

    seen: list[str] = []
    cursor = None
    while True:
        body: dict[str, Any] = {
            "locationId": loc,
            "pageLimit": 7,
            "sort": [{"field": "dateAdded", "direction": "asc"}],
        }
        if cursor:
            body["searchAfter"] = cursor
        page = (await client.post("/contacts/search", json=body, headers=headers)).json()
        if not page["contacts"]:
            break
        seen += [c["id"] for c in page["contacts"]]
        cursor = page["contacts"][-1]["searchAfter"]
    assert len(seen) == len(set(seen)) == 20

    r = await client.post(
        "/contacts/search",
        json={"locationId": loc, "pageLimit": 5, "filters": [{"field": "nope", "operator": "eq"}]},
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["message"] == "Invalid field nope"
    r = await client.post("/contacts/search", json={"locationId": loc}, headers=headers)
    assert r.status_code == 422


async def test_deprecated_list_pages_with_meta(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    params: dict[str, Any] = {"locationId": sim.sample_location_id, "limit": 6}
    ids: list[str] = []
    while True:
        r = await client.get("/contacts/", params=params, headers=headers)
        body = r.json()
        ids += [c["id"] for c in body["contacts"]]
        assert body["meta"]["total"] == 20
        if not body["meta"]["nextPageUrl"]:
            break
        params["startAfter"] = body["meta"]["startAfter"]
        params["startAfterId"] = body["meta"]["startAfterId"]
    assert len(ids) == len(set(ids)) == 20
    item = body["contacts"][0]
    assert item["firstNameRaw"] and item["firstName"] == item["firstNameRaw"].lower()


async def test_tags_followers_campaigns_workflows(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    c = await _first_contact(client, sim, headers)
    cid = c["id"]
    r = await client.post(f"/contacts/{cid}/tags", json={"tags": ["Hot"]}, headers=headers)
    assert r.status_code == 201 and "hot" in r.json()["tags"] and r.json()["tagsAdded"] == ["hot"]
    r = await client.request(
        "DELETE", f"/contacts/{cid}/tags", json={"tags": ["hot"]}, headers=headers
    )
    assert r.status_code == 200 and "hot" not in r.json()["tags"]
    assert [e["type"] for e in sim.emitted_events] == ["ContactTagUpdate", "ContactTagUpdate"]

    user = next(iter(sim.state.users))
    r = await client.post(f"/contacts/{cid}/followers", json={"followers": [user]}, headers=headers)
    assert r.status_code == 201 and r.json()["followersAdded"] == [user]
    r = await client.request(
        "DELETE", f"/contacts/{cid}/followers", json={"followers": [user]}, headers=headers
    )
    assert r.json()["followersRemoved"] == [user]

    campaign = next(iter(sim.state.campaigns))
    r = await client.post(f"/contacts/{cid}/campaigns/{campaign}", json={}, headers=headers)
    assert r.status_code == 201 and r.json() == {"succeded": True}
    r = await client.delete(f"/contacts/{cid}/campaigns/removeAll", headers=headers)
    assert r.status_code == 200
    r = await client.post(
        f"/contacts/{cid}/campaigns/unknownCampaign1234", json={}, headers=headers
    )
    assert r.status_code == 400
    workflow = next(iter(sim.state.workflows))
    r = await client.post(
        f"/contacts/{cid}/workflow/{workflow}",
        json={"eventStartTime": "2021-06-23T03:30:00+01:00"},
        headers=headers,
    )
    assert r.status_code == 200 and r.json() == {"succeded": True}
    r = await client.request(
        "DELETE", f"/contacts/{cid}/workflow/{workflow}", json={}, headers=headers
    )
    assert r.status_code == 200


async def test_bulk_tags_and_business(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    c = await _first_contact(client, sim, headers)
    r = await client.post(
        "/contacts/bulk/tags/update/add",
        json={"locationId": loc, "contacts": [c["id"], "abcdef"], "tags": ["bulk"]},
        headers=headers,
    )
    assert r.status_code == 201
    assert r.json()["errorCount"] == 1 and r.json()["succeded"] is False
    assert r.json()["responses"][0]["tagsAdded"] == ["bulk"]
    business = next(iter(sim.state.businesses))
    r = await client.post(
        "/contacts/bulk/business",
        json={"locationId": loc, "ids": [c["id"]], "businessId": business},
        headers=headers,
    )
    assert r.json() == {"success": True, "ids": [c["id"]]}
    r = await client.get(
        f"/contacts/business/{business}", params={"locationId": loc}, headers=headers
    )
    assert c["id"] in [x["id"] for x in r.json()["contacts"]]


async def test_tasks_lifecycle_and_events(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    cid = (await _first_contact(client, sim, headers))["id"]
    r = await client.post(
        f"/contacts/{cid}/tasks",
        json={"title": "Call", "dueDate": "2026-03-05T10:00:00Z", "completed": False},
        headers=headers,
    )
    assert r.status_code == 201
    task = r.json()["task"]
    assert task["dueDate"] == "2026-03-05T10:00:00.000Z"
    tid = task["id"]
    r = await client.put(
        f"/contacts/{cid}/tasks/{tid}", json={"title": "Call back"}, headers=headers
    )
    assert r.json()["task"]["title"] == "Call back"
    r = await client.put(
        f"/contacts/{cid}/tasks/{tid}/completed", json={"completed": True}, headers=headers
    )
    assert r.json()["task"]["completed"] is True
    r = await client.get(f"/contacts/{cid}/tasks", headers=headers)
    assert tid in [t["id"] for t in r.json()["tasks"]]
    r = await client.delete(f"/contacts/{cid}/tasks/{tid}", headers=headers)
    assert r.json() == {"succeded": True}
    r = await client.get(f"/contacts/{cid}/tasks/{tid}", headers=headers)
    assert r.status_code == 400
    assert [e["type"] for e in sim.emitted_events] == ["TaskCreate", "TaskComplete", "TaskDelete"]
    r = await client.put(f"/contacts/{cid}/tasks/{tid}/completed", json={}, headers=headers)
    assert r.status_code in (400, 422)


async def test_notes_lifecycle_and_events(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    cid = (await _first_contact(client, sim, headers))["id"]
    r = await client.post(f"/contacts/{cid}/notes", json={"body": "hello"}, headers=headers)
    assert r.status_code == 201
    nid = r.json()["note"]["id"]
    r = await client.put(f"/contacts/{cid}/notes/{nid}", json={"body": "bye"}, headers=headers)
    assert r.json()["note"]["body"] == "bye"
    r = await client.get(f"/contacts/{cid}/notes/{nid}", headers=headers)
    assert r.json()["note"]["body"] == "bye"
    r = await client.get(f"/contacts/{cid}/notes", headers=headers)
    assert r.json()["notes"][0]["id"] == nid
    r = await client.delete(f"/contacts/{cid}/notes/{nid}", headers=headers)
    assert r.json() == {"succeded": True}
    r = await client.post(f"/contacts/{cid}/notes", json={}, headers=headers)
    assert r.status_code == 422 and "body should not be empty" in r.json()["message"]
    assert [e["type"] for e in sim.emitted_events] == ["NoteCreate", "NoteUpdate", "NoteDelete"]


async def test_duplicate_lookup(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    c = await _first_contact(client, sim, headers)
    r = await client.get(
        "/contacts/search/duplicate",
        params={"locationId": sim.sample_location_id, "number": c["phone"]},
        headers=headers,
    )
    assert r.json()["contact"]["id"] == c["id"]
    r = await client.get(
        "/contacts/search/duplicate",
        params={"locationId": sim.sample_location_id, "email": "nobody@nowhere.io"},
        headers=headers,
    )
    assert r.json()["contact"] is None


async def test_unknown_route_is_express_404(
    client: httpx2.AsyncClient, headers: dict[str, str]
) -> None:
    r = await client.get("/contacts/abc/unknown", headers=headers)
    assert r.status_code == 404 and r.json()["message"] == "Cannot GET /contacts/abc/unknown"
    r = await client.patch("/contacts/abc", headers=headers)
    assert r.status_code == 404 and r.json()["message"] == "Cannot PATCH /contacts/abc"


async def test_bad_input_never_500(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    jh = {**headers, "content-type": "application/json"}
    r = await client.post("/contacts/", content=b'{"locationId": NaN}', headers=jh)
    assert r.status_code == 400
    r = await client.post(
        "/contacts/search", json={"locationId": loc, "pageLimit": 1e300}, headers=headers
    )
    assert r.status_code == 422
    r = await client.post(
        "/contacts/search", json={"locationId": loc, "pageLimit": 2.5, "page": 1}, headers=headers
    )
    assert r.status_code == 200
    r = await client.get("/users/search", params={"limit": "abc"}, headers=headers)
    assert r.status_code == 422
    r = await client.post("/contacts/", content=b"\xff\xfe", headers=jh)
    assert r.status_code == 400
