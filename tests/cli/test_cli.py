"""The command line: every command teaches its use, and works against a real store."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from ghltt.cli.main import app
from ghltt.core import utcnow
from ghltt.store import InboxRepository, migrate, open_database
from ghltt.store.bridges import BridgeRepository
from ghltt.store.connections import ConnectionRepository
from tests.support import process
from tests.support.server import free_port

COMMANDS = [
    [],
    ["serve"],
    ["worker"],
    ["db", "upgrade"],
    ["runs", "list"],
    ["runs", "show"],
    ["runs", "replay"],
    ["runs", "dead-letters"],
    ["import", "run"],
    ["import", "list"],
    ["import", "show"],
    ["import", "pause"],
    ["import", "resume"],
    ["import", "cancel"],
    ["import", "schedule"],
    ["import", "replay"],
    ["events", "send"],
    ["events", "list"],
    ["events", "show"],
    ["token", "show"],
    ["dashboard", "set-password"],
    ["bridges", "poll"],
    ["bridges", "set"],
    ["bridges", "mode"],
    ["bridges", "planned"],
    ["recipes", "export"],
    ["recipes", "enable"],
    ["recipes", "versions"],
    ["recipes", "params"],
    ["plan"],
    ["backup"],
    ["restore"],
    ["version"],
    ["simulate"],
    ["catalog", "list"],
    ["catalog", "show"],
    ["catalog", "docs"],
    ["recipes", "schema"],
]


def ghltt(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ghltt", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "ghltt")
def test_every_command_has_help(command: list[str]) -> None:
    # In process: a new interpreter per command would spend seconds importing ghltt each time.
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and len(result.output) > 200


def test_python_m_ghltt_is_the_cli() -> None:
    result = ghltt("--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and len(result.stdout) > 200


def test_send_list_show_and_token_against_a_running_server(tmp_path: Path) -> None:
    port = free_port()
    env = process.ghltt_env(
        tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'ghltt.sqlite'}", port
    )
    server = process.start(["serve"], env, tmp_path / "serve.log")
    try:
        process.wait_healthy(port, server)
        payload = json.dumps({"journal": str(tmp_path / "journal"), "steps": 1})
        sent = ghltt("events", "send", "--kind", "test.multistep", "--payload", payload, env=env)
        assert sent.returncode == 0, sent.stderr
        assert "accepted as event" in sent.stdout
        again = ghltt("events", "send", "--kind", "test.multistep", "--payload", payload, env=env)
        assert "duplicate of event" in again.stdout

        bad = tmp_path / "bad.json"
        bad.write_text('{"kind": "a.b",\n  oops}')
        refused = ghltt("events", "send", str(bad), env=env)
        assert refused.returncode == 2 and "bad.json:2" in refused.stderr

        def listed() -> list[dict[str, str]]:
            out = ghltt("runs", "list", "--json", env=env)
            return list(json.loads(out.stdout))

        process_wait = 0
        while not listed() and process_wait < 100:
            process_wait += 1
            subprocess.run(["sleep", "0.2"], check=True)
        [run] = listed()
        assert run["recipe"] == "test-multistep"
        shown = ghltt("runs", "show", run["id"], "--json", env=env)
        assert json.loads(shown.stdout)["steps"][0]["name"] == "test.journal"
        missing = ghltt("runs", "show", "nope", env=env)
        assert missing.returncode == 2 and "no run" in missing.stderr
        token = ghltt("token", "show", env=env).stdout.strip()
        assert token.startswith("ghltt_")
        assert ghltt("version").stdout.strip()
    finally:
        process.stop(server)


def test_sending_to_a_server_that_is_not_there_says_so(tmp_path: Path) -> None:
    env = process.ghltt_env(tmp_path / "data", f"sqlite:///{tmp_path / 'g.sqlite'}", free_port())
    result = ghltt("events", "send", "--kind", "a.b", "--token", "x", env=env)
    assert result.returncode == 2
    assert "cannot reach ghltt" in result.stderr and "Traceback" not in result.stderr


def test_a_fresh_data_directory_works_with_every_command_that_reads_the_store(
    tmp_path: Path,
) -> None:
    env = process.ghltt_env(tmp_path / "data", f"sqlite:///{tmp_path / 'g.sqlite'}", free_port())
    for command in (["bridges", "list"], ["runs", "list"], ["token", "show"]):
        result = ghltt(*command, env=env)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert ghltt("token", "show", env=env).stdout.strip().startswith("ghltt_")
    assert ghltt("db", "current", env=env).returncode == 0  # set up at the newest revision


def test_a_store_on_an_older_schema_is_refused_with_the_command_to_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    db = open_database(url)
    revisions = [
        s.revision for s in ScriptDirectory.from_config(migrate._config(db)).walk_revisions()
    ]
    migrate.upgrade(db, revisions[1])  # newest first: the one before the head
    db.dispose()
    env = process.ghltt_env(tmp_path / "data", url, free_port())
    for command in (["bridges", "list"], ["runs", "list"], ["token", "show"]):
        result = ghltt(*command, env=env)
        assert result.returncode == 2, command
        [line] = result.stderr.strip().splitlines()
        assert "older" in line and "run 'ghltt db upgrade'" in line
    assert ghltt("db", "upgrade", env=env).returncode == 0
    assert ghltt("bridges", "list", env=env).returncode == 0


def test_events_send_takes_bridge_names_and_bridges_poll_always_polls(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path / 'data' / 'ghltt.sqlite'}"
    env = process.ghltt_env(tmp_path / "data", url, port)
    server = process.start(["serve"], env, tmp_path / "serve.log")
    try:
        process.wait_healthy(port, server)
        db = open_database(url)
        ids = [
            ConnectionRepository(db).insert(system=system, label=system, auth_kind="token")
            for system in ("ghl", "tt")
        ]
        BridgeRepository(db).insert(
            "br_acme",
            name="acme",
            mode="shadow",
            ghl_connection_id=ids[0],
            tt_connection_id=ids[1],
            now=utcnow(),
        )
        sent = ghltt("events", "send", "--kind", "a.b", "--bridge", "acme", env=env)
        assert sent.returncode == 0, sent.stderr
        [event_id] = re.findall(r"accepted as event (\S+)", sent.stdout)
        stored = InboxRepository(db).get(event_id)
        assert stored is not None and stored.event.bridge == "br_acme"
        for command in (
            ["events", "send", "--kind", "a.b", "--bridge", "nope"],
            ["bridges", "poll", "nope"],
        ):
            unknown = ghltt(*command, env=env)
            assert unknown.returncode == 2 and "no bridge 'nope'" in unknown.stderr, command
        polls = [ghltt("bridges", "poll", "acme", env=env) for _ in range(2)]
        assert [p.returncode for p in polls] == [0, 0], polls[0].stderr
        first, second = (re.findall(r"requested as event (\S+)", p.stdout) for p in polls)
        assert first and second and first != second
        db.dispose()
    finally:
        process.stop(server)
