"""The README's "Connecting real accounts" path, followed as a new user follows it: the two
simulators started on their own (``ghltt simulate ...``) stand in for GHL and TrackingTime, the
data directory is fresh, and everything is done through the CLI (in process) and a real
``ghltt serve``. Nothing the sandbox sets up is there to help.

1. connect both accounts, add a bridge (shadow by default), export and edit a recipe, enable
   contacts and tasks, ``bridges check --fix``, build the GHL workflows ``bridges hooks``
   lists, review what shadow planned and go live applying it;
2. create contacts and tasks in GHL; 3. edit them in TrackingTime.
Both sides converge with no dead letter. Then the TT credential is revoked and rotated: what
arrived in between is held, and applies after the rotation.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from ghltt.cli.main import app
from ghltt.cli.sandbox import _all_scopes
from tests.support import process
from tests.support.server import free_port

pytestmark = pytest.mark.slow

# The workflows `bridges hooks` lists, as the GHL simulator names their triggers.
SIMULATED_TRIGGERS = {
    "Contact Created": "contact_created",
    "Contact Changed": "contact_changed",
    "Task Added": "task_added",
    "Task Completed": "task_completed",
}
NOTE = "From GHL, via my recipe"


def wait_for(what: str, check: Callable[[], Any], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


class User:
    """Runs ``ghltt`` commands as the README shows them, with the environment it describes."""

    def __init__(self, runner: CliRunner) -> None:
        self.runner = runner

    def __call__(self, *args: str, stdin: str | None = None, ok: bool = True) -> str:
        result = self.runner.invoke(app, list(args), input=stdin)
        if ok:
            assert result.exit_code == 0, f"ghltt {' '.join(args)}:\n{result.output}"
        return result.output

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json"))


@pytest.fixture
def simulators(tmp_path: Path) -> Iterator[tuple[str, str]]:
    ghl_port, tt_port = free_port(), free_port()
    env = process.ghltt_env(tmp_path / "sims", "sqlite://")
    procs = [
        process.start(["simulate", "ghl", "--port", str(ghl_port)], env, tmp_path / "ghl.log"),
        process.start(
            ["simulate", "trackingtime", "--port", str(tt_port)], env, tmp_path / "tt.log"
        ),
    ]
    ghl, tt = f"http://127.0.0.1:{ghl_port}", f"http://127.0.0.1:{tt_port}"
    try:
        for url in (f"{ghl}/_admin/sample", f"{tt}/_admin/credentials"):
            wait_for(url, functools.partial(_answers, url), timeout=60)
        yield ghl, tt
    finally:
        for proc in procs:
            process.stop(proc)


def _answers(url: str) -> bool:
    try:
        return httpx2.get(url, timeout=1).status_code == 200
    except httpx2.HTTPError:
        return False


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> subprocess.Popen[bytes]:
        proc = process.start(["serve"], env, tmp_path / "serve.log")
        started.append(proc)
        process.wait_healthy(int(env["GHLTT_PORT"]), proc)
        return proc

    yield start
    for proc in started:
        process.stop(proc)


def test_the_readme_path_from_connect_to_live_two_way_sync(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    simulators: tuple[str, str],
    serve: Callable[[dict[str, str]], subprocess.Popen[bytes]],
) -> None:
    ghl_url, tt_url = simulators
    port = free_port()
    env = {
        "GHLTT_DATA_DIR": str(tmp_path / "data"),
        "GHLTT_PORT": str(port),
        "GHLTT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "GHLTT_GHL_BASE_URL": ghl_url,
        "GHLTT_TT_BASE_URL": f"{tt_url}/api/v4",
        "GHLTT_ENV_FILE": str(tmp_path / "no.env"),
        "GHLTT_SANDBOX_WHEN_EMPTY": "false",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    ghltt = User(CliRunner())
    sample = httpx2.get(f"{ghl_url}/_admin/sample").json()
    location, token = sample["locationId"], sample["locationToken"]
    tt_admin = next(
        u
        for u in httpx2.get(f"{tt_url}/_admin/credentials").json()["users"]
        if u["role"] == "ADMIN"
    )

    # ---- 1. setup, as the README lists it -----------------------------------------------------
    scopes = [arg for s in sorted(_all_scopes()) for arg in ("--scope", s)]
    ghltt("connect", "ghl", "--label", "Acme", "--location", location, *scopes, "--stdin",
          stdin=token + "\n")  # fmt: skip
    ghltt("connect", "tt", "--label", "Acme TT", "--stdin", stdin=tt_admin["app_password"] + "\n")
    added = ghltt("bridges", "add", "acme", "--ghl", "Acme", "--tt", "Acme TT")
    assert '"mode": "shadow"' in added
    ghltt("bridges", "set", "acme", "timezone=America/New_York", "poll_interval=1m")

    mine = tmp_path / "my"
    ghltt("recipes", "export", "contacts", str(mine / "contacts.yaml"))
    ghltt("recipes", "export", "tasks", str(mine / "tasks.yaml"))
    text = (mine / "contacts.yaml").read_text()
    edited = re.sub(r"^ghl_to_tt:\n", f"ghl_to_tt:\n  notes: {{value: '{NOTE}'}}\n", text,
                    count=1, flags=re.M)  # fmt: skip
    assert edited != text
    (mine / "contacts.yaml").write_text(edited)
    ghltt("recipes", "validate", str(mine / "contacts.yaml"))
    ghltt("recipes", "enable", "acme", str(mine / "contacts.yaml"))
    ghltt("recipes", "enable", "acme", str(mine / "tasks.yaml"))
    ghltt("bridges", "check", "acme", "--fix", ok=False)  # ghltt is not running yet
    fields = httpx2.get(f"{ghl_url}/_admin/state").json()["customFields"].values()
    assert "contact.tt_customer_id" in {f["fieldKey"] for f in fields}
    ghltt("recipes", "params", "acme", "contacts", "set", "default_country=1")

    guide = ghltt.json("bridges", "hooks", "acme")
    assert guide["ghl_path"] != "app", "a Private Integration token gets the workflows"
    for workflow in guide["workflows"]:
        if workflow["trigger"] in SIMULATED_TRIGGERS:  # built in GHL, as docs/ghl-workflows.md
            httpx2.post(
                f"{ghl_url}/_admin/workflows",
                json={
                    "trigger": SIMULATED_TRIGGERS[workflow["trigger"]],
                    "url": guide["urls"]["ghl_workflow_webhook"],
                    "customData": workflow["custom_data"],
                },
            ).raise_for_status()

    serve(env)
    report = ghltt.json("bridges", "check", "acme")
    assert all(f["status"] in ("ok", "fixed") for f in report["findings"]), report

    # ---- shadow: a change is planned, nothing is written -------------------------------------
    ghl = httpx2.Client(
        base_url=ghl_url,
        headers={"Authorization": f"Bearer {token}", "Version": "2021-07-28"},
        timeout=10,
    )

    def new_contact(first: str) -> str:
        made = ghl.post(
            "/contacts/",
            json={"locationId": location, "firstName": first, "lastName": "Real",
                  "email": f"{first.lower()}@real.example.com"},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        return str(made.json()["contact"]["id"])

    def customers() -> dict[str, dict[str, Any]]:
        state = httpx2.get(f"{tt_url}/_admin/state").json()
        return {str(c["contact_email"]): c for c in state["customers"] if c["contact_email"]}

    shadowed = new_contact("Shadow")
    wait_for("shadow's plan", lambda: ghltt.json("bridges", "planned", "acme"))
    assert "shadow@real.example.com" not in customers()

    ghltt("bridges", "mode", "acme", "live", "--apply-planned", "--yes")
    made = wait_for("the planned customer", lambda: customers().get("shadow@real.example.com"))
    assert made["notes"] == NOTE, "the edited recipe file is what ran"
    wait_for(
        "the customer's id written back to GHL",
        lambda: _custom(ghl, shadowed, "contact.tt_customer_id", ghl_url) == str(made["id"]),
    )

    # ---- 2. live: contacts and tasks made in GHL ---------------------------------------------
    ids = {first: new_contact(first) for first in ("Ada", "Grace")}
    task = ghl.post(
        f"/contacts/{ids['Ada']}/tasks",
        json={"title": "Kick-off call", "dueDate": "2026-12-20T15:00:00Z", "completed": False},
    )
    assert task.status_code == 201, task.text
    ada = wait_for("Ada's customer", lambda: customers().get("ada@real.example.com"))
    wait_for("Grace's customer", lambda: customers().get("grace@real.example.com"))

    def tt_task(name: str) -> dict[str, Any] | None:
        tasks = httpx2.get(f"{tt_url}/_admin/state").json()["tasks"]
        return next((t for t in tasks if t["name"] == name), None)

    made_task = wait_for("Ada's task in her project", lambda: tt_task("Kick-off call"))

    # ---- 3. edits in TrackingTime come back to GHL -------------------------------------------
    tt = httpx2.Client(auth=("API_TOKEN", tt_admin["app_password"]), timeout=10)
    account = httpx2.get(f"{tt_url}/_admin/credentials").json()["account_id"]
    base = f"{tt_url}/api/v4/{account}"
    tt.post(
        f"{base}/customers/update/{ada['id']}",
        data={"name": "Ada Lovelace", "contact_name": "Ada Lovelace"},
    ).raise_for_status()
    tt.post(f"{base}/tasks/update/{made_task['id']}", data={"name": "Kick-off call (moved)"})
    ghltt("bridges", "poll", "acme")  # customers are polled: TT pushes no customer changes
    wait_for(
        "the TT edit in GHL",
        lambda: ghl.get(f"/contacts/{ids['Ada']}").json()["contact"]["lastName"] == "Lovelace",
    )
    wait_for(
        "the task's new title in GHL",
        lambda: any(
            t["title"] == "Kick-off call (moved)"
            for t in ghl.get(f"/contacts/{ids['Ada']}/tasks").json()["tasks"]
        ),
    )
    assert ghltt.json("runs", "dead-letters") == []

    # ---- the TT credential revoked, then rotated: what came in between applies ---------------
    ghltt("connections", "revoke", "Acme TT", "--yes")
    late = new_contact("Late")
    time.sleep(3)  # it arrives while the credential is revoked
    assert "late@real.example.com" not in customers()
    fresh = httpx2.post(f"{tt_url}/_admin/app_passwords", json={"user_id": tt_admin["id"]}).json()[
        "app_password"
    ]
    rotated = ghltt("connections", "rotate", "Acme TT", "--stdin", stdin=fresh + "\n")
    assert "webhook" in rotated.lower()
    wait_for("the held contact's customer", lambda: customers().get("late@real.example.com"))
    assert late
    assert ghltt.json("runs", "dead-letters") == []


def _custom(ghl: httpx2.Client, contact_id: str, key: str, ghl_url: str) -> str | None:
    fields = {
        f["id"]: f["fieldKey"]
        for f in httpx2.get(f"{ghl_url}/_admin/state").json()["customFields"].values()
    }
    contact = ghl.get(f"/contacts/{contact_id}").json()["contact"]
    for field in contact.get("customFields") or []:
        if fields.get(field["id"]) == key:
            return str(field.get("value"))
    return None
