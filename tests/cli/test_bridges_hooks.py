"""`ghltt bridges hooks NAME`: which way GHL's events come for the bridge's GHL credential."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghltt.cli.main import app
from ghltt.core import utcnow
from ghltt.store import open_database, upgrade
from ghltt.store.bridges import BridgeRepository
from ghltt.store.connections import ConnectionRepository
from tests.support import process


@pytest.mark.parametrize(("ghl_kind", "path"), [("pit", "workflow"), ("oauth", "app")])
def test_bridges_hooks_says_which_path_fits_the_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ghl_kind: str, path: str
) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'ghltt.sqlite'}"
    for key, value in process.ghltt_env(tmp_path / "data", url).items():
        if key.startswith("GHLTT_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("GHLTT_PUBLIC_URL", "https://ghltt.example.com")
    (tmp_path / "data").mkdir()
    db = open_database(url)
    upgrade(db)
    repo = ConnectionRepository(db)
    ghl = repo.insert(system="ghl", label="ghl", auth_kind=ghl_kind)
    tt = repo.insert(system="tt", label="tt", auth_kind="app_password")
    BridgeRepository(db).insert(
        "br_acme",
        name="acme",
        mode="shadow",
        ghl_connection_id=ghl,
        tt_connection_id=tt,
        now=utcnow(),
    )
    db.dispose()

    shown = CliRunner().invoke(app, ["bridges", "hooks", "acme"])
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert "https://ghltt.example.com/hooks/ghl-workflow/br_acme?secret=" in text
    assert "https://ghltt.example.com/hooks/tt/br_acme" in text
    assert "NOT registered" in text  # no TT webhook was subscribed for this bridge
    if path == "workflow":
        assert "only to Marketplace apps" in text and "docs/ghl-workflows.md" in text
        for trigger in ("Contact Created", "Task Added", "Pipeline Stage Changed"):
            assert trigger in text
        assert "Task Added: ghltt_event = task.created; ghltt_id = {{task.id}}" in text
        assert "ghltt_event = opportunity.stage_updated" in text
    else:
        assert "Marketplace app" in text and "https://ghltt.example.com/webhooks" in text
        assert "Task Added" not in text

    as_json = CliRunner().invoke(app, ["bridges", "hooks", "acme", "--json"])
    assert as_json.exit_code == 0, as_json.output
    guide = json.loads(as_json.output)
    assert guide["ghl_path"] == ("workflow_webhooks" if path == "workflow" else "app_webhooks")
    assert len(guide["workflows"]) == (10 if path == "workflow" else 0)
