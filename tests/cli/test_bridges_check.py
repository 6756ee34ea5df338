"""The README's real-account setup, through the CLI against the two simulators on loopback:
enabling the contacts template warns about the custom fields the accounts lack, 'bridges check'
reports them, '--fix' creates them through both APIs, and the check is then clean, the test
delivery included once ghltt is running at its public URL."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ghltt.cli import recipes as recipes_cli
from ghltt.cli.main import app
from ghltt.observability import configure_logging
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.settings import load_settings
from ghltt.web import create_app
from tests.support.server import free_port, serve_asgi

GRANTED = [
    "contacts.readonly",
    "contacts.write",
    "locations/customFields.readonly",
    "locations/customFields.write",
]


class Accounts:
    def __init__(self, ghl: GhlSimulator, tt: TrackingTimeSimulator, public_port: int) -> None:
        self.ghl, self.tt, self.public_port = ghl, tt, public_port


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Accounts]:
    ghl_port, tt_port, public_port = free_port(), free_port(), free_port()
    ghl = GhlSimulator(GhlSimulatorConfig(base_url=f"http://127.0.0.1:{ghl_port}"))
    tt = TrackingTimeSimulator()
    admin = next(u for u in tt.seeded if u.role == "ADMIN")
    for name, value in {
        "GHLTT_DATA_DIR": str(tmp_path / "data"),
        "GHLTT_PUBLIC_URL": f"http://127.0.0.1:{public_port}",
        "GHLTT_GHL_BASE_URL": f"http://127.0.0.1:{ghl_port}",
        "GHLTT_TT_BASE_URL": f"http://127.0.0.1:{tt_port}/api/v4",
        "GHL_TOKEN": ghl.create_token(scopes=GRANTED).token,
        "TT_PASSWORD": admin.app_password,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GHLTT_DATABASE_URL", raising=False)
    with serve_asgi(ghl.app, port=ghl_port), serve_asgi(tt.app, port=tt_port):
        yield Accounts(ghl, tt, public_port)


def ghltt(*args: str, code: int = 0, stdin: str | None = None) -> Any:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def findings(*args: str, code: int) -> dict[tuple[str, str], str]:
    report = json.loads(ghltt("bridges", "check", "acme", "--json", *args, code=code).stdout)
    return {(f["check"], f["subject"]): f["status"] for f in report["findings"]}


def add_bridge(accounts: Accounts) -> None:
    location = accounts.ghl.sample_location_id
    scopes = [arg for scope in GRANTED for arg in ("--scope", scope)]
    ghltt("connect", "ghl", "--location", location, "--secret-env", "GHL_TOKEN", *scopes)
    ghltt("connect", "tt", "--secret-env", "TT_PASSWORD")
    ghltt("bridges", "add", "acme", "--ghl", "GHL", "--tt", "TrackingTime", "--mode", "shadow")


def test_enable_warns_check_reports_fix_creates_and_check_is_clean(accounts: Accounts) -> None:
    add_bridge(accounts)

    enabled = ghltt("recipes", "enable", "acme", "contacts")
    assert "enabled contacts (the shipped template) on acme" in enabled.stdout
    warned = " ".join(enabled.stderr.split())  # not a terminal: what is missing, and the fix
    assert "ghl field contact.tt_customer_id: missing (writes to it fail)" in warned
    assert "tt field customer ghl_phone: missing" in warned
    assert "run 'ghltt bridges check acme --fix'" in warned

    before = findings(code=1)
    assert before[("ghl field", "contact.tt_customer_id")] == "missing"
    for key in ("ghl_phone", "ghl_business_id", "ghl_tags", "ghl_contact_id"):
        assert before[("tt field", f"customer {key}")] == "missing"
    assert next(v for (check, _), v in before.items() if check == "scopes") == "ok"
    assert next(v for (check, _), v in before.items() if check == "tt webhook") == "ok"
    assert next(v for (check, _), v in before.items() if check == "delivery") == "not checked"

    fixed = findings("--fix", code=0)
    assert fixed[("ghl field", "contact.tt_customer_id")] == "fixed"
    assert fixed[("tt field", "customer ghl_tags")] == "fixed"
    keys = {f["fieldKey"] for f in accounts.ghl.state.custom_fields.values()}
    assert "contact.tt_customer_id" in keys

    # With ghltt running at GHLTT_PUBLIC_URL, the test delivery reaches it and is accepted.
    configure_logging("WARNING", "console", sys.stderr)  # not the CLI runner's closed stream
    with serve_asgi(create_app(load_settings(), with_executor=False), port=accounts.public_port):
        after = findings(code=0)
    assert set(after.values()) == {"ok"}

    lines = ghltt("bridges", "check", "acme").stdout.splitlines()
    assert lines[0] == "bridge acme (recipes: contacts)"
    assert any(line.split() == ["ok", "ghl", "field", "contact.tt_customer_id"] for line in lines)
    assert lines[-1] == "ready"


def test_enable_in_a_terminal_offers_to_create_what_is_missing(
    accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_bridge(accounts)
    monkeypatch.setattr(recipes_cli, "_interactive", lambda: True)
    enabled = ghltt("recipes", "enable", "acme", "contacts", stdin="y\n")
    said = " ".join(enabled.stderr.split())
    assert "Create what is missing now (ghltt bridges check acme --fix)?" in enabled.stdout + said
    assert "ghl field contact.tt_customer_id: fixed" in said
    assert set(findings(code=0).values()) <= {"ok", "not checked"}
