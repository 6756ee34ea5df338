"""The command line: every command teaches its use, and works against a real store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    ["events", "send"],
    ["token", "show"],
    ["backup"],
    ["restore"],
    ["version"],
    ["simulate"],
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
    result = ghltt(*command, "--help")
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
        shown = ghltt("runs", "show", run["id"], env=env)
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
