"""Businesses, custom fields, users and calendar appointments."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2
import pytest
from typer.testing import CliRunner

from ghltt.cli.simulate import app as simulate_app
from ghltt.sandbox.ghl import GhlSimulator

pytestmark = pytest.mark.anyio


async def test_businesses_crud(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    r = await client.get("/businesses/", params={"locationId": loc}, headers=headers)
    assert r.json()["success"] is True and len(r.json()["businesses"]) == 3
    r = await client.post("/businesses/", json={"name": "Acme", "locationId": loc}, headers=headers)
    assert r.status_code == 201 and r.json()["success"] is True
    bid = r.json()["buiseness"]["id"]
    assert len(bid) == 24
    r = await client.put(f"/businesses/{bid}", json={"city": "Paris"}, headers=headers)
    assert r.json()["buiseness"]["city"] == "Paris"
    assert (await client.get(f"/businesses/{bid}", headers=headers)).json()["business"][
        "name"
    ] == "Acme"
    assert (await client.delete(f"/businesses/{bid}", headers=headers)).json() == {"success": True}
    assert (await client.get(f"/businesses/{bid}", headers=headers)).status_code == 400


async def test_custom_fields_by_id_and_key(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    r = await client.get(f"/locations/{loc}/customFields", headers=headers)
    fields = r.json()["customFields"]
    assert {f["fieldKey"] for f in fields} >= {"contact.budget", "contact.hours_estimate"}
    fid = fields[0]["id"]
    r = await client.get(f"/locations/{loc}/customFields/{fid}", headers=headers)
    assert r.json()["customField"]["id"] == fid
    r = await client.get(f"/custom-fields/{fid}", headers=headers)
    assert r.json()["field"]["objectKey"] == "contact"
    r = await client.get(
        "/custom-fields/object-key/contact", params={"locationId": loc}, headers=headers
    )
    assert len(r.json()["fields"]) == 4
    cid = next(iter(sim.state.contacts))
    r = await client.put(
        f"/contacts/{cid}",
        json={
            "customFields": [
                {"id": fid, "field_value": "A"},
                {"key": "hours_estimate", "field_value": 3},
            ]
        },
        headers=headers,
    )
    values = {cf["id"]: cf["value"] for cf in r.json()["contact"]["customFields"]}
    assert values[fid] == "A" and 3 in values.values()


async def test_users(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    users = (await client.get("/users/", params={"locationId": loc}, headers=headers)).json()[
        "users"
    ]
    assert len(users) == 3
    r = await client.get(f"/users/{users[0]['id']}", headers=headers)
    assert r.json()["id"] == users[0]["id"]
    r = await client.get("/users/unknownUser000000000", headers=headers)
    assert r.status_code == 401 and r.json()["message"] == "The user does not exist."
    r = await client.post(
        "/users/",
        json={"companyId": sim.sample.company_id, "firstName": "N", "lastName": "U",
              "email": "n@u.io", "password": "pw", "type": "account", "role": "user",
              "locationIds": [loc]},
        headers=headers,
    )  # fmt: skip
    assert r.status_code == 201
    assert [e["type"] for e in sim.emitted_events] == ["UserCreate"]


async def test_appointments(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    calendar = (
        await client.get("/calendars/", params={"locationId": loc}, headers=headers)
    ).json()["calendars"][0]
    cid = next(iter(sim.state.contacts))
    r = await client.post(
        "/calendars/events/appointments",
        json={"calendarId": calendar["id"], "locationId": loc, "contactId": cid,
              "startTime": "2026-03-10T10:00:00+01:00", "title": "Kickoff"},
        headers=headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    event = r.json()
    assert event["endTime"] == "2026-03-10T10:30:00+01:00"
    eid = event["id"]
    r = await client.put(
        f"/calendars/events/appointments/{eid}",
        json={"appointmentStatus": "showed"},
        headers=headers,
    )
    assert r.json()["appointmentStatus"] == "showed"
    r = await client.get(f"/calendars/events/appointments/{eid}", headers=headers)
    assert r.json()["event"]["title"] == "Kickoff"
    r = await client.get(f"/contacts/{cid}/appointments", headers=headers)
    assert eid in [e["id"] for e in r.json()["events"]]
    start = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000)
    r = await client.get(
        "/calendars/events",
        params={"locationId": loc, "calendarId": calendar["id"], "startTime": start,
                "endTime": start + 30 * 86_400_000},
        headers=headers,
    )  # fmt: skip
    assert eid in [e["id"] for e in r.json()["events"]]
    r = await client.request("DELETE", f"/calendars/events/{eid}", json={}, headers=headers)
    assert r.status_code == 201 and r.json() == {"succeeded": True}
    types = [e["type"] for e in sim.emitted_events]
    assert types == ["AppointmentCreate", "AppointmentUpdate", "AppointmentDelete"]
    assert sim.emitted_events[0]["appointment"]["id"] == eid


def test_cli_help() -> None:
    result = CliRunner().invoke(simulate_app, ["ghl", "--help"])
    assert result.exit_code == 0
    assert "--rate-limit" in result.output and "--port" in result.output
