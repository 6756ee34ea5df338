"""Your own recipes without code, through the CLI in process against both simulators: export a
template, edit it, validate, plan and enable the file (a new version on each change), set its
parameters; set a bridge's zone, poll interval and GHL webhook key; a new bridge starts in
shadow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from typer.testing import CliRunner

from ghltt.cli.main import app
from ghltt.core import Event
from ghltt.store import insert_new
from ghltt.store.bridge_recipes import BridgeRecipeRepository
from ghltt.store.routing import bridge_by_id
from tests.e2e.conftest import Loop, open_loop

runner = CliRunner()


@pytest.fixture
def loop(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loop]:
    """Both simulators and a sandbox bridge ('sandbox'), no executor; the CLI's settings."""
    with open_loop(database_url, tmp_path, executor=False) as opened:
        s = opened.settings
        for key, value in {
            "DATA_DIR": str(s.data_dir),
            "DATABASE_URL": database_url,
            "GHL_BASE_URL": s.ghl_base_url,
            "TT_BASE_URL": s.tt_base_url,
            "PUBLIC_URL": s.public_url,
            "LOG_LEVEL": "warning",
        }.items():
            monkeypatch.setenv(f"GHLTT_{key}", value)
        yield opened


def ghltt(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _contact_event(loop: Loop, path: Path, email: str) -> Path:
    with loop.ghl_api() as api:
        made = api.post(
            "/contacts/",
            json={"locationId": loop.ghl.sample_location_id, "firstName": "Ada", "email": email},
        )
        assert made.status_code == 201, made.text
    event = {
        "source": "ghl",
        "kind": "contact.created",
        "object_type": "contact",
        "object_id": made.json()["contact"]["id"],
    }
    path.write_text(json.dumps(event))
    return path


def test_export_edit_validate_plan_enable_a_file_with_versions(loop: Loop, tmp_path: Path) -> None:
    code, out = ghltt("recipes", "export", "contacts", str(tmp_path))
    assert code == 0, out
    exported = tmp_path / "contacts.yaml"
    text = exported.read_text()
    assert text.startswith("# Exported from the 'contacts' template")
    assert '#   default_country: text, default "1"' in text
    assert ghltt("recipes", "export", "contacts", str(exported))[0] == 2  # no overwrite
    assert "--force" in ghltt("recipes", "export", "contacts", str(exported))[1]

    # Edit: TT gets the email upper-cased.
    edited = text.replace("transforms: [trim, lower]", "transforms: [trim, upper]", 1)
    assert edited != text
    exported.write_text(edited)
    assert ghltt("recipes", "validate", str(exported))[0] == 0

    event = _contact_event(loop, tmp_path / "ev.json", "ada@example.com")
    code, out = ghltt("plan", str(exported), "--event", str(event), "--bridge", "sandbox")
    assert code == 0, out
    assert "contacts: planned" in out and "tt.customers.add" in out
    assert '+ contact_email: "ADA@EXAMPLE.COM"' in out
    assert not [r for r in loop.tt.request_log() if "customers/add" in r["path"]]  # none made
    # An event that arrived, named by a prefix of its id as everywhere.
    stored = Event.model_validate(
        {**json.loads(event.read_text()), "bridge": loop.bridge, "dedup_key": "plan-prefix"}
    )
    with loop.db.begin() as conn:
        insert_new(conn, [stored])
    code, out = ghltt("plan", str(exported), "--event", stored.id[:16])
    assert code == 0 and "tt.customers.add" in out, out

    code, out = ghltt("recipes", "enable", "sandbox", str(exported))
    assert code == 0 and "enabled contacts (version 1) on sandbox" in out, out
    code, out = ghltt("recipes", "enable", "sandbox", str(exported))
    assert "version 1, unchanged" in out, out
    exported.write_text(edited.replace("transforms: [trim, upper]", "transforms: [trim]", 1))
    code, out = ghltt("recipes", "enable", "sandbox", str(exported))
    assert code == 0 and "(version 2)" in out, out
    recipes = BridgeRecipeRepository(loop.db)
    state = recipes.state(loop.bridge, "contacts")
    assert state is not None and state.version == 2
    code, out = ghltt("recipes", "versions", "sandbox", "contacts", "--json")
    listed = json.loads(out)
    assert [(v["version"], v["running"]) for v in listed] == [(1, False), (2, True)]
    code, out = ghltt("recipes", "versions", "sandbox", "contacts", "--show", "1")
    assert "transforms: [trim, upper]" in out

    # Back to the shipped template: no version runs.
    code, out = ghltt("recipes", "enable", "sandbox", "contacts")
    assert "(the shipped template)" in out, out
    state = recipes.state(loop.bridge, "contacts")
    assert state is not None and state.version is None


def test_a_bad_recipe_file_says_file_line_and_field_without_type_names(
    loop: Loop, tmp_path: Path
) -> None:
    code, out = ghltt("recipes", "export", "contacts", str(tmp_path / "c.yaml"))
    text = (tmp_path / "c.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("direction: both", "direction: sideways", 1))
    code, out = ghltt("recipes", "enable", "sandbox", str(bad))
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("direction:"))
    assert code == 2 and f"bad.yaml:{line}:" in out and "direction" in out, out
    for leaked in ("Literal", "ValidationError", "pydantic", "Sync", "str_type"):
        assert leaked not in out, out
    missing = ghltt("recipes", "enable", "sandbox", str(tmp_path / "none.yaml"))
    assert missing[0] == 2 and "none.yaml: no such file" in missing[1]
    unknown = ghltt("recipes", "enable", "sandbox", "nope")
    assert unknown[0] == 2 and "no template named 'nope'" in unknown[1]


def test_params_are_checked_against_the_recipe(loop: Loop) -> None:
    code, out = ghltt("recipes", "params", "sandbox", "contacts", "set", "default_country=44")
    assert code == 0, out
    code, out = ghltt("recipes", "params", "sandbox", "contacts", "--json")
    [param] = json.loads(out)["params"]
    assert param == {
        "name": "default_country",
        "default": "1",
        "type": "text",
        "is_set": True,
        "value": "44",
        "effective": "44",
    }
    settings = bridge_by_id(loop.db, loop.bridge)
    assert settings is not None
    assert settings.settings["recipe_params"]["contacts"] == {"default_country": "44"}

    code, out = ghltt("recipes", "params", "sandbox", "contacts", "set", "country=44")
    assert code == 2 and "country: unknown parameter (this recipe has: default_country)" in out
    code, out = ghltt("recipes", "params", "sandbox", "activity-tags", "set", "active_days=soon")
    assert code == 2 and "active_days: takes whole number, got text" in out, out
    code, out = ghltt(
        "recipes", "params", "sandbox", "activity-tags", "set", "thresholds=[{hours: 5, tg: x}]"
    )
    assert code == 2 and "thresholds[0]: unknown key 'tg'" in out, out
    code, out = ghltt(
        "recipes",
        "params",
        "sandbox",
        "activity-tags",
        "set",
        "active_days=14",
        "thresholds=[{hours: 5, tag: tt-5h}]",
    )
    assert code == 0, out
    code, out = ghltt(
        "recipes", "params", "sandbox", "contacts", "set", "default_country=44", "default_country=1"
    )
    assert code == 2 and "default_country: given twice" in out, out
    code, out = ghltt("recipes", "params", "sandbox", "contacts", "unset", "default_country")
    assert code == 0 and "(default)" in out
    code, out = ghltt("recipes", "params", "sandbox", "tasks")
    assert code == 0 and "declares no parameters" in out, out


def test_bridges_set_checks_zone_interval_and_key(loop: Loop, tmp_path: Path) -> None:
    code, out = ghltt("bridges", "set", "sandbox", "timezone=Europe/Paris", "poll_interval=2m")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["tt_timezone"] == shown["location_timezone"] == "Europe/Paris"
    assert shown["poll_interval_seconds"] == 120

    code, out = ghltt("bridges", "set", "sandbox", "timezone=Mars/Olympus")
    assert code == 2 and "timezone: 'Mars/Olympus' is not an IANA time zone" in out
    code, out = ghltt("bridges", "set", "sandbox", "poll_interval=30s")
    assert code == 2 and "poll_interval: must be at least 1 minute" in out
    code, out = ghltt("bridges", "set", "sandbox", "ghl_webhook_public_key=@nope.pem")
    assert code == 2 and "ghl_webhook_public_key: no such file 'nope.pem'" in out
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello")
    code, out = ghltt("bridges", "set", "sandbox", f"ghl_webhook_public_key=@{garbage}")
    assert code == 2 and "not a PEM public key" in out
    code, out = ghltt("bridges", "set", "sandbox", "colour=blue")
    assert code == 2 and "colour: unknown setting" in out
    code, out = ghltt("bridges", "set", "sandbox", "poll_interval=2m", "poll_interval=5m")
    assert code == 2 and "poll_interval: given twice" in out, out  # not the last one silently

    pem = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    key = tmp_path / "key.pem"
    key.write_bytes(pem)
    code, out = ghltt("bridges", "set", "sandbox", f"ghl_webhook_public_key=@{key}")
    assert code == 0, out
    route = bridge_by_id(loop.db, loop.bridge)
    assert route is not None
    assert route.settings["ghl_public_keys"]["ed25519"] == [pem.decode()]
    assert route.settings["ghl_public_keys"]["rsa"]  # the simulator's RSA key stays
    assert route.settings["reconcile"]["interval_seconds"] == 120
    assert pem.decode() not in out  # fingerprints only


def test_a_new_bridge_starts_in_shadow_and_going_live_tells_what_is_pending(loop: Loop) -> None:
    code, out = ghltt(
        "bridges", "add", "acme", "--ghl", "GHL simulator", "--tt", "TrackingTime simulator"
    )
    assert code == 0, out
    assert json.loads(out)["mode"] == "shadow"
    code, out = ghltt("bridges", "mode", "acme", "live")
    assert code == 0 and "bridge acme is now live" in out
    code, out = ghltt("bridges", "mode", "acme", "shadow", "--apply-planned")
    assert code == 2 and "--apply-planned goes with live" in out
