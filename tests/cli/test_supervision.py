"""The executor child of 'ghltt serve' is supervised: killed, it is started again, and what
arrives afterwards runs."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import httpx2
import pytest

from ghltt.store import InboxRepository, open_database
from ghltt.store.tokens import token_file
from tests.jobs.conftest import wait_for
from tests.support import process
from tests.support.server import free_port

pytestmark = pytest.mark.slow


def _lines(log: Path, event: str) -> list[dict[str, Any]]:
    found = []
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("event") == event:
            found.append(entry)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0: it is gone when its state says so.
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"


def test_a_killed_executor_is_restarted_and_the_next_event_runs(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'ghltt.sqlite'}"
    env = process.ghltt_env(data, url, port)
    log = tmp_path / "serve.log"
    server = process.start(["serve"], env, log)
    try:
        process.wait_healthy(port, server)
        [first] = _lines(log, "executor process started")
        os.kill(first["pid"], signal.SIGKILL)

        def restarted() -> bool:
            return len(_lines(log, "executor process started")) == 2

        wait_for(restarted, timeout=180, what="the executor to be started again")
        [exited] = _lines(log, "executor process exited; restarting it")
        assert exited["pid"] == first["pid"] and exited["exit_code"] == -signal.SIGKILL
        assert exited["level"] == "error"
        second = _lines(log, "executor process started")[1]
        assert second["pid"] != first["pid"] and second["restarts"] == 1

        token = token_file(data).read_text().strip()
        journal = tmp_path / "journal"
        sent = httpx2.post(
            f"http://127.0.0.1:{port}/api/events",
            json={"kind": "test.multistep", "payload": {"journal": str(journal), "steps": 1}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        [accepted] = sent.json()["accepted"]
        db = open_database(url)
        inbox = InboxRepository(db)

        def applied() -> bool:
            stored = inbox.get(accepted["event_id"])
            return stored is not None and stored.outcome == "applied"

        wait_for(applied, timeout=180, what="the event sent after the restart to run")
        db.dispose()
        process.wait_healthy(port, server)
    finally:
        process.stop(server)
    wait_for(lambda: not _alive(second["pid"]), what="the executor to stop with its server")
