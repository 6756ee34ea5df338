"""A fresh install with no account: 'ghltt serve' starts the sandbox, plays its scenario through
every template and says what happened and where to look."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from ghltt.engine.recipes.templates import template_names
from tests.support import process
from tests.support.server import free_port

pytestmark = pytest.mark.slow


def _sandbox_port() -> int:
    """A free port whose +101 and +102 (the simulators' ports under 'serve') are free too."""
    for _ in range(50):
        port = free_port()
        try:
            for other in (port + 101, port + 102):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", other))
        except OSError:
            continue
        return port
    raise AssertionError("no free port with free +101 and +102")


def _wait_for_line(log: Path, server: subprocess.Popen[bytes], *texts: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if any(t in text for t in texts):
            return text
        if server.poll() is not None:
            raise AssertionError(f"ghltt exited with {server.returncode}:\n{text[-3000:]}")
        time.sleep(0.5)
    raise AssertionError(f"none of {texts} within {timeout} s:\n{log.read_text()[-3000:]}")


def test_serve_on_an_empty_store_runs_the_sandbox_and_its_scenario(tmp_path: Path) -> None:
    port = _sandbox_port()
    env = process.ghltt_env(tmp_path / "data", "", port)
    env.pop("GHLTT_DATABASE_URL")
    env["GHLTT_SANDBOX_WHEN_EMPTY"] = "true"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "ghltt", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            process.wait_healthy(port, server)
        except AssertionError as exc:
            raise AssertionError(f"{exc}:\n{log.read_text(errors='replace')[-3000:]}") from None
        text = _wait_for_line(log, server, "scenario done", "scenario stopped", timeout=120)
        assert "starting the sandbox" in text
        assert "scenario done" in text, text[-3000:]
        # One line per step, naming its template: every template took part.
        named = {
            name.strip()
            for line in text.splitlines()
            if line.startswith("scenario [")
            for name in line.removeprefix("scenario [").split("]")[0].split(",")
        }
        assert named == set(template_names())
        text = _wait_for_line(log, server, "Where to look", timeout=10)
        assert "ghltt runs list" in text and "/_admin/state" in text
        # The simulators hold the outcome, as the printed admin URLs say.
        tt = httpx2.get(f"http://127.0.0.1:{port + 102}/_admin/state", timeout=5).json()
        assert [c for c in tt["customers"] if c.get("name") == "Ada Lovelace"]
    finally:
        process.stop(server)
