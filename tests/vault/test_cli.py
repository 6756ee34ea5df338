"""The CLI: secrets from stdin or the environment (never argv), clear errors, key rotation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ghltt.cli import bridges, connect
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import open_database, upgrade
from tests.support.server import serve_asgi
from tests.vault.conftest import tt_app_password

app = typer.Typer()
app.add_typer(connect.connect_app, name="connect")
app.add_typer(connect.connections_app, name="connections")
app.add_typer(bridges.bridges_app, name="bridges")
app.add_typer(connect.vault_app, name="vault")
runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    tt = TrackingTimeSimulator()
    db = open_database(database_url)
    upgrade(db)
    db.dispose()
    with serve_asgi(tt.app) as tt_url:
        monkeypatch.setenv("GHLTT_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("GHLTT_DATABASE_URL", database_url)
        monkeypatch.setenv("GHLTT_TT_BASE_URL", tt_url + "/api/v4")
        monkeypatch.setenv("GHLTT_LOG_LEVEL", "warning")
        yield tt_app_password(tt)


def test_connect_list_check_rotate_key(env: str, tmp_path: Path) -> None:
    added = runner.invoke(app, ["connect", "tt", "--label", "team", "--stdin"], input=env + "\n")
    assert added.exit_code == 0, added.output
    assert "TT user" in added.output and env not in added.output

    listed = runner.invoke(app, ["connections", "list", "--json"])
    assert listed.exit_code == 0 and '"label": "team"' in listed.output
    assert runner.invoke(app, ["connections", "check", "team"]).exit_code == 0

    key_file = tmp_path / "data" / "master.key"
    before = key_file.read_text()
    rotated = runner.invoke(app, ["vault", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    assert "1 re-encrypted" in rotated.output and key_file.read_text() != before
    assert runner.invoke(app, ["connections", "check", "team"]).exit_code == 0


def test_secrets_come_from_env_or_stdin_and_errors_are_one_line(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    unset = runner.invoke(app, ["connect", "tt", "--secret-env", "TT_SECRET"])
    assert unset.exit_code == 2 and "TT_SECRET is not set" in unset.output
    monkeypatch.setenv("TT_SECRET", "wrong-password")
    refused = runner.invoke(app, ["connect", "tt", "--secret-env", "TT_SECRET"])
    assert refused.exit_code == 2 and "TT refused the credential" in refused.output
    assert "Traceback" not in refused.output and "wrong-password" not in refused.output
    empty = runner.invoke(app, ["connect", "tt", "--stdin"], input="\n")
    assert empty.exit_code == 2 and "standard input was empty" in empty.output
    missing = runner.invoke(app, ["connections", "check", "nope"])
    assert missing.exit_code == 2 and "no connection 'nope'" in missing.output
    no_loc = runner.invoke(app, ["connect", "ghl", "--stdin"], input="pit-x\n")
    assert no_loc.exit_code == 2 and "--location" in no_loc.output
    no_app = runner.invoke(app, ["connect", "ghl", "--oauth"])
    assert no_app.exit_code == 2 and "GHLTT_GHL_CLIENT_ID" in no_app.output


def test_help_teaches_how_to_pass_secrets() -> None:
    text = runner.invoke(app, ["connect", "--help"]).output
    assert "--stdin" in text and "--secret-env" in text and "ps" in text
    assert len(runner.invoke(app, ["vault", "generate-key"]).output.strip()) == 43
