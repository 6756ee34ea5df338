"""Run ghltt as a real child process (to SIGKILL it) and wait for it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2

REPO = Path(__file__).resolve().parents[2]


def ghltt_env(
    data_dir: Path, database_url: str, port: int | None = None, **extra: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GHLTT_")}
    env.update(
        GHLTT_DATA_DIR=str(data_dir),
        GHLTT_DATABASE_URL=database_url,
        GHLTT_PLUGINS=json.dumps(["tests.support.plugin"]),
        GHLTT_LOG_FORMAT="json",
        GHLTT_RUN_RETRY_INTERVAL="0.05",
        GHLTT_SANDBOX_WHEN_EMPTY="false",
        PYTHONPATH=str(REPO),
    )
    if port is not None:
        env["GHLTT_PORT"] = str(port)
    env.update(extra)
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "ghltt", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    """Until /readyz says ready: the store is reachable and an executor has sent a heartbeat
    (a new executor process takes seconds to start, tens of them on a loaded machine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"ghltt exited with {proc.returncode} before it was ready")
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("ghltt did not become ready")


def kill9(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill9(proc)
