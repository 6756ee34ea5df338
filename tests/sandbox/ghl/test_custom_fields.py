"""Creating a location's contact custom fields (locations.json ``create-custom-field``): the
answer has the spec's shape, bad input is a 422 naming the field, a taken key a 400, and the
write scope and the location are checked like every other route."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest

from ghltt.sandbox.ghl import GhlSimulator
from tests.sandbox.ghl.conftest import auth

pytestmark = pytest.mark.anyio

SPEC = Path(__file__).resolve().parents[2] / "fixtures" / "ghl-official" / "locations.json"


def _spec() -> tuple[set[str], set[str]]:
    """The properties of CustomFieldSchema, and the statuses the create operation lists."""
    spec = json.loads(SPEC.read_text())
    schema = spec["components"]["schemas"]["CustomFieldSchema"]["properties"]
    post = spec["paths"]["/locations/{locationId}/customFields"]["post"]
    return set(schema), set(post["responses"])


async def test_a_created_field_has_the_documented_shape_and_is_listed(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    properties, statuses = _spec()
    loc = sim.sample_location_id
    r = await client.post(
        f"/locations/{loc}/customFields",
        json={"name": "TT Customer ID", "dataType": "TEXT", "model": "contact"},
        headers=headers,
    )
    assert str(r.status_code) in statuses and r.status_code == 201
    made = r.json()["customField"]
    assert made["fieldKey"] == "contact.tt_customer_id"  # derived from the name, as GHL does
    assert made["name"] == "TT Customer ID" and made["dataType"] == "TEXT"
    assert made["locationId"] == loc and made["model"] == "contact"
    assert set(made) - {"dateAdded"} <= properties

    listed = (await client.get(f"/locations/{loc}/customFields", headers=headers)).json()
    assert made["id"] in {f["id"] for f in listed["customFields"]}
    v2 = await client.get(
        "/custom-fields/object-key/contact", params={"locationId": loc}, headers=headers
    )
    assert "contact.tt_customer_id" in {f["fieldKey"] for f in v2.json()["fields"]}

    # The new field takes values on a contact, by key.
    contact_id = next(iter(sim.state.contacts))
    r = await client.put(
        f"/contacts/{contact_id}",
        json={"customFields": [{"key": "tt_customer_id", "field_value": "42"}]},
        headers=headers,
    )
    values = {cf["id"]: cf["value"] for cf in r.json()["contact"]["customFields"]}
    assert values[made["id"]] == "42"


async def test_opportunity_fields_stay_out_of_the_contact_lists(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    loc = sim.sample_location_id
    r = await client.post(
        f"/locations/{loc}/customFields",
        json={"name": "Deal code", "dataType": "TEXT", "model": "opportunity"},
        headers=headers,
    )
    assert r.json()["customField"]["fieldKey"] == "opportunity.deal_code"
    contact = (await client.get(f"/locations/{loc}/customFields", headers=headers)).json()
    assert "opportunity.deal_code" not in {f["fieldKey"] for f in contact["customFields"]}
    every = await client.get(
        f"/locations/{loc}/customFields", params={"model": "all"}, headers=headers
    )
    assert "opportunity.deal_code" in {f["fieldKey"] for f in every.json()["customFields"]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"dataType": "TEXT"}, "name should not be empty"),
        ({"name": "x"}, "dataType should not be empty"),
        ({"name": "x", "dataType": "STRING"}, "dataType must be one of the following values"),
        ({"name": 7, "dataType": "TEXT"}, "name must be a string"),
        ({"name": "x", "dataType": "TEXT", "model": "task"}, "model must be one of"),
        ({"name": "x", "dataType": "TEXT", "position": "first"}, "position must be a number"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    client: httpx2.AsyncClient,
    sim: GhlSimulator,
    headers: dict[str, str],
    body: dict[str, object],
    message: str,
) -> None:
    r = await client.post(
        f"/locations/{sim.sample_location_id}/customFields", json=body, headers=headers
    )
    assert r.status_code == 422
    assert any(m.startswith(message) for m in r.json()["message"]), r.json()


async def test_a_taken_key_is_refused(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    url = f"/locations/{sim.sample_location_id}/customFields"
    first = await client.post(url, json={"name": "tt hours", "dataType": "TEXT"}, headers=headers)
    assert first.status_code == 201
    again = await client.post(url, json={"name": "TT Hours", "dataType": "TEXT"}, headers=headers)
    assert again.status_code == 400
    assert "contact.tt_hours" in again.json()["message"]


async def test_the_write_scope_and_the_location_are_checked(
    client: httpx2.AsyncClient, sim: GhlSimulator
) -> None:
    loc = sim.sample_location_id
    body = {"name": "x", "dataType": "TEXT"}
    reader = sim.create_token(scopes=["locations/customFields.readonly"]).token
    r = await client.post(f"/locations/{loc}/customFields", json=body, headers=auth(reader))
    assert r.status_code == 401
    assert "not authorized for this scope" in r.json()["message"]
    # Listing needs only the read scope.
    r = await client.get(f"/locations/{loc}/customFields", headers=auth(reader))
    assert r.status_code == 200
    r = await client.post(
        "/locations/otherLocation0000000/customFields", json=body, headers=auth(sim.sample_token)
    )
    assert r.status_code == 403
