"""The JSON API of recipes and bridge settings: what the CLI does, behind the API token, with
errors that say what and where (and never a type name), documented in OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from ghltt.engine.recipes.templates import template_text
from ghltt.store.tokens import token_file
from tests.e2e.conftest import Loop, open_loop


@pytest.fixture
def loop(database_url: str, tmp_path: Path) -> Iterator[Loop]:
    with open_loop(database_url, tmp_path, executor=False) as opened:
        yield opened


@pytest.fixture
def api(loop: Loop) -> Iterator[httpx2.Client]:
    token = token_file(loop.settings.data_dir).read_text().strip()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=loop.settings.public_url, headers=headers, timeout=30) as c:
        yield c


def test_templates_export_validate_and_enable_text_with_versions(
    api: httpx2.Client, loop: Loop
) -> None:
    names = [t["name"] for t in api.get("/api/templates").json()]
    assert "contacts" in names
    exported = api.get("/api/templates/contacts/export").json()
    assert exported["file_name"] == "contacts.yaml"
    assert "default_country: text" in exported["text"]
    assert api.get("/api/templates/nope/export").status_code == 404

    text = template_text("contacts").replace("[trim, lower]", "[trim, upper]", 1)
    bad = text.replace("direction: both", "direction: sideways", 1)
    checked = api.post("/api/recipes/validate", json={"text": bad, "file": "mine.yaml"}).json()
    assert checked["valid"] is False
    [problem] = checked["problems"]
    assert problem["file"] == "mine.yaml" and problem["line"] and problem["field"] == "direction"
    assert "Literal" not in problem["message"]
    assert api.post("/api/recipes/validate", json={"text": text}).json()["valid"] is True

    first = api.post("/api/bridges/sandbox/recipes", json={"text": text, "file": "mine.yaml"})
    assert first.status_code == 200, first.text
    assert (first.json()["version"], first.json()["new_version"]) == (1, True)
    same = api.post("/api/bridges/sandbox/recipes", json={"text": text}).json()
    assert (same["version"], same["new_version"]) == (1, False)
    changed = api.post("/api/bridges/sandbox/recipes", json={"text": text + "\n# v2\n"}).json()
    assert changed["version"] == 2
    refused = api.post("/api/bridges/sandbox/recipes", json={"text": bad, "file": "mine.yaml"})
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("mine.yaml:")
    assert refused.json()["details"][0]["where"].startswith("mine.yaml:")

    versions = api.get("/api/bridges/sandbox/recipes/contacts/versions").json()
    assert [(v["version"], v["running"]) for v in versions] == [(1, False), (2, True)]
    one = api.get("/api/bridges/sandbox/recipes/contacts/versions/1").json()
    assert "[trim, upper]" in one["text"]
    assert api.get("/api/bridges/sandbox/recipes/contacts/versions/9").status_code == 404
    both = api.post("/api/bridges/sandbox/recipes", json={"text": text, "template": "contacts"})
    assert both.status_code == 422

    template = api.post("/api/bridges/sandbox/recipes", json={"template": "contacts"}).json()
    assert template["version"] is None
    assert api.post("/api/bridges/nope/recipes", json={"template": "x"}).status_code in (404, 422)


def test_plan_of_a_recipe_text_writes_nothing(api: httpx2.Client, loop: Loop) -> None:
    with loop.ghl_api() as ghl:
        made = ghl.post(
            "/contacts/",
            json={"locationId": loop.ghl.sample_location_id, "email": "ada@example.com"},
        )
    contact = made.json()["contact"]["id"]
    text = template_text("contacts").replace("[trim, lower]", "[trim, upper]", 1)
    event = {"source": "ghl", "kind": "contact.created", "object_type": "contact"}
    planned = api.post(
        "/api/bridges/sandbox/plan", json={"text": text, "event": {**event, "object_id": contact}}
    )
    assert planned.status_code == 200, planned.text
    [add] = [w for w in planned.json()["writes"] if w["action"] == "tt.customers.add"]
    assert add["fields"]["contact_email"] == "ADA@EXAMPLE.COM"
    assert not [r for r in loop.tt.request_log() if "customers/add" in r["path"]]
    wrong = api.post("/api/bridges/sandbox/plan", json={"template": "contacts", "event": {}})
    assert wrong.status_code == 422 and wrong.json()["message"].startswith("event.")


def test_params_settings_mode_and_shadow_by_default(api: httpx2.Client, loop: Loop) -> None:
    shown = api.patch(
        "/api/bridges/sandbox/recipes/activity-tags/params", json={"set": {"active_days": 14}}
    )
    assert shown.status_code == 200, shown.text
    days = next(p for p in shown.json()["params"] if p["name"] == "active_days")
    assert (days["value"], days["effective"], days["type"]) == (14, 14, "whole number")
    bad_type = api.patch(
        "/api/bridges/sandbox/recipes/activity-tags/params", json={"set": {"active_days": "x"}}
    )
    assert bad_type.status_code == 422
    assert bad_type.json()["message"] == "active_days: takes whole number, got text"
    bad_key = api.patch("/api/bridges/sandbox/recipes/contacts/params", json={"set": {"x": 1}})
    assert bad_key.status_code == 422 and "x: unknown parameter" in bad_key.json()["message"]
    back = api.patch(
        "/api/bridges/sandbox/recipes/activity-tags/params", json={"unset": ["active_days"]}
    ).json()
    assert next(p for p in back["params"] if p["name"] == "active_days")["is_set"] is False

    settings = api.patch(
        "/api/bridges/sandbox/settings", json={"timezone": "Asia/Tokyo", "poll_interval": "1m"}
    )
    assert settings.status_code == 200, settings.text
    assert settings.json()["poll_interval_seconds"] == 60
    assert settings.json()["tt_timezone"] == "Asia/Tokyo"
    for body, said in (
        ({"timezone": "Nowhere/Land"}, "timezone: 'Nowhere/Land' is not an IANA time zone"),
        ({"poll_interval": 59}, "poll_interval: must be at least 1 minute"),
        ({"ghl_webhook_public_key": "nope"}, "ghl_webhook_public_key: not a PEM public key"),
    ):
        refused = api.patch("/api/bridges/sandbox/settings", json=body)
        assert refused.status_code == 422 and refused.json()["message"].startswith(said), body

    connections = {c["system"]: c["id"] for c in api.get("/api/connections").json()["connections"]}
    added = api.post(
        "/api/bridges",
        json={
            "name": "acme",
            "ghl_connection": connections["ghl"],
            "tt_connection": connections["tt"],
        },
    )
    assert added.status_code == 201 and added.json()["mode"] == "shadow", added.text
    assert api.get("/api/bridges/acme/planned").json() == {"plans": 0, "writes": 0, "items": []}
    live = api.put("/api/bridges/acme/mode", json={"mode": "live", "apply_planned": True})
    assert live.status_code == 200, live.text
    assert live.json() == {
        "bridge": "acme",
        "mode": "live",
        "pending_writes": 0,
        "applied_plans": 0,
        "applied_writes": 0,
    }
    wrong = api.put("/api/bridges/acme/mode", json={"mode": "shadow", "apply_planned": True})
    assert wrong.status_code == 422
    assert api.put("/api/bridges/nope/mode", json={"mode": "live"}).status_code == 404


def test_the_operations_need_the_token_and_are_documented(api: httpx2.Client, loop: Loop) -> None:
    bare = httpx2.get(f"{loop.settings.public_url}/api/templates", timeout=10)
    assert bare.status_code == 401
    schema = api.get("/openapi.json").json()
    operations = {
        ("post", "/api/bridges/{ref}/recipes"): "EnabledOut",
        ("patch", "/api/bridges/{ref}/recipes/{recipe}/params"): "ParamsOut",
        ("patch", "/api/bridges/{ref}/settings"): "BridgeSettingsOut",
        ("put", "/api/bridges/{ref}/mode"): "ModeOut",
        ("post", "/api/recipes/validate"): "ValidationOut",
    }
    for (method, path), model in operations.items():
        operation = schema["paths"][path][method]
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].endswith(model), (path, ok)
        assert {"401", "404", "422"} <= set(operation["responses"]), path
