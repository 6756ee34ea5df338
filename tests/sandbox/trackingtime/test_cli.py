"""``ghltt simulate trackingtime``: help, and a real start that prints usable credentials."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx2
from typer.testing import CliRunner

from ghltt.cli.simulate import app
from tests.support.server import free_port


def test_help_lists_the_options() -> None:
    result = CliRunner().invoke(app, ["trackingtime", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--seed", "--now", "--empty"):
        assert option in result.output


def test_starts_and_prints_account_user_and_app_password() -> None:
    port = free_port()
    code = "from ghltt.cli.simulate import app; app()"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "trackingtime",
            "--port",
            str(port),
            "--now",
            "2026-03-10T15:00:00+00:00",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("try:"):
                break
        banner = "".join(lines)
        assert "account id:   1725" in banner
        admin_line = next(line for line in lines if "ADMIN" in line)
        app_password = admin_line.rsplit("App Password: ", 1)[1].strip()
        assert "ada@example.com" in admin_line
        for _ in range(100):
            try:
                r = httpx2.get(
                    f"http://127.0.0.1:{port}/api/v4/1725/users", auth=("API_TOKEN", app_password)
                )
                break
            except httpx2.ConnectError:
                time.sleep(0.05)
        assert r.json()["response"]["status"] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
