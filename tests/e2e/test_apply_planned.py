"""Shadow, then live applying what shadow planned: each planned write made once, through the
executor's usual runs, and applying a second time makes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghltt.cli.main import app
from ghltt.store import RunRepository
from tests.e2e.conftest import Loop, barrier, open_loop, settled, wait_for

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def loop(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loop]:
    """The loop with its executor, its bridge not polling (webhooks only); the CLI's settings."""
    with open_loop(
        database_url, tmp_path, bridge_settings={"reconcile": {"enabled": False}}
    ) as opened:
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


def ghltt(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return result.output


def _customers(loop: Loop, email: str) -> list[dict[str, object]]:
    return [
        c for c in loop.tt.snapshot()["customers"] if email in json.dumps(c, default=str).lower()
    ]


def test_going_live_applies_each_planned_write_once(loop: Loop, tmp_path: Path) -> None:
    ghltt("bridges", "mode", "sandbox", "shadow")
    # The bridge runs its own version of contacts: TT gets the email upper-cased.
    mine = tmp_path / "contacts.yaml"
    ghltt("recipes", "export", "contacts", str(mine))
    mine.write_text(mine.read_text().replace("[trim, lower]", "[trim, upper]", 1))
    assert "(version 1)" in ghltt("recipes", "enable", "sandbox", str(mine))
    with loop.ghl_api() as api:
        made = api.post(
            "/contacts/",
            json={
                "locationId": loop.ghl.sample_location_id,
                "firstName": "Grace",
                "lastName": "Hopper",
                "email": "grace@example.com",
            },
        )
        assert made.status_code == 201, made.text
    contact = made.json()["contact"]["id"]
    # Executors read what is enabled every few seconds: until this one has read version 1,
    # touch the contact again (each change is a new plan, superseding the last).
    wait_for(lambda: _planned_with_version(loop, contact), "a plan made by version 1")
    assert _customers(loop, "grace@example.com") == []  # shadow wrote nothing
    plans = _planned(loop)
    assert plans["writes"] >= 1
    assert any(w["action"] == "tt.customers.add" for i in plans["items"] for w in i["writes"])

    told = ghltt("bridges", "mode", "sandbox", "live")
    assert f"{plans['writes']} planned write(s)" in told and "--apply-planned" in told
    ghltt("bridges", "mode", "sandbox", "shadow")

    out = ghltt("bridges", "mode", "sandbox", "live", "--apply-planned", "--yes")
    assert f"applying {plans['writes']} planned write(s)" in out, out
    assert f"queued {plans['plans']} run(s)" in out
    wait_for(lambda: len(_customers(loop, "grace@example.com")) == 1, "the TT customer")
    wait_for(lambda: settled(loop), "every event processed")
    assert _planned(loop)["plans"] == 0

    again = ghltt("bridges", "mode", "sandbox", "live", "--apply-planned", "--yes")
    assert "queued 0 run(s)" in again, again
    adds = loop.tt_writes("customers/add")
    barrier(loop)  # drained, reconciled, drained again: nothing more was added
    assert loop.tt_writes("customers/add") == adds
    [customer] = _customers(loop, "grace@example.com")
    assert "GRACE@EXAMPLE.COM" in json.dumps(customer)
    runs = RunRepository(loop.db)
    assert runs.count("failed") == 0
    applied = [r for r in runs.list(limit=100) if r.recipe.endswith(":contacts")][:1]
    for record in applied:  # the newest run records the version it ran
        full = runs.get(record.id)
        assert full is not None and full.steps[0].input["version"] == 1
        assert full.steps[0].output["recipe_version"] == 1


def _planned_with_version(loop: Loop, contact: str) -> bool:
    if not settled(loop) or not _planned(loop)["plans"]:
        return False
    if "GRACE@EXAMPLE.COM" in json.dumps(_planned(loop)):
        return True
    with loop.ghl_api() as api:
        touched = api.put(f"/contacts/{contact}", json={"lastName": f"Hopper {time.time()}"})
        assert touched.status_code == 200, touched.text
    return False


def _planned(loop: Loop) -> dict[str, object]:
    result = runner.invoke(app, ["bridges", "planned", "sandbox", "--json"])
    assert result.exit_code == 0, result.output
    found: dict[str, object] = json.loads(result.output)
    return found
