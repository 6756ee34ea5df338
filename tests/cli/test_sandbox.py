"""A fresh install with no account: 'ghltt serve' starts the sandbox, and it syncs."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from tests.support import process
from tests.support.server import free_port

pytestmark = pytest.mark.slow


def test_serve_on_an_empty_store_runs_the_sandbox_and_syncs_its_scenario(tmp_path: Path) -> None:
    port = free_port()
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
        process.wait_healthy(port, server)
        tt = f"http://127.0.0.1:{port + 102}"
        deadline = time.monotonic() + 60
        found: list[dict[str, object]] = []
        while time.monotonic() < deadline and not found:
            state = httpx2.get(f"{tt}/_admin/state", timeout=5).json()
            customers = state.get("customers", {})
            rows = customers.values() if isinstance(customers, dict) else customers
            found = [c for c in rows if c.get("name") == "Ada Lovelace"]
            time.sleep(0.5)
        assert found, log.read_text()[-3000:]
        assert "starting the sandbox" in log.read_text()
    finally:
        process.stop(server)
