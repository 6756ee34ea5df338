"""/api/imports: a plan and an import started through the API run in the executor; the
progress stream ends when the import is over; bad requests get a clear 4xx, never a 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from ghltt.store.tokens import token_file
from tests.e2e.conftest import Loop, open_loop, wait_for
from tests.engine.imports.conftest import add_contacts

pytestmark = pytest.mark.slow

QUIET = {"reconcile": {"interval_seconds": 86_400}}


def _api(loop: Loop) -> httpx2.Client:
    token = token_file(loop.settings.data_dir).read_text().strip()
    headers = {"Authorization": f"Bearer {token}"}
    return httpx2.Client(base_url=loop.settings.public_url, headers=headers, timeout=30)


def _stream(api: httpx2.Client, import_id: str) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    with api.stream("GET", f"/api/imports/{import_id}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events


def test_plan_and_import_through_the_api(database_url: str, tmp_path: Path) -> None:
    with open_loop(database_url, tmp_path, bridge_settings=QUIET) as loop, _api(loop) as api:
        loop.ghl.set_rate_limits(burst=1_000_000, window_ms=10_000, daily=100_000_000)
        add_contacts(loop.ghl, range(25))
        body = {"bridge": loop.bridge, "recipe": "contacts", "direction": "ghl_to_tt"}

        planned = api.post("/api/imports", json={**body, "plan": True})
        assert planned.status_code == 202, planned.text
        plan_id = planned.json()["id"]
        events = _stream(api, plan_id)
        assert events[-1] == ("end", {"status": "finished"})
        plan = events[-2][1]
        assert plan["plan_only"] and plan["progress"]["ghl_to_tt"]["counts"]["create"] >= 25

        started = api.post("/api/imports", json=body)
        assert started.status_code == 202, started.text
        import_id = started.json()["id"]

        def finished() -> bool:
            return bool(api.get(f"/api/imports/{import_id}").json()["status"] == "finished")

        wait_for(finished, "the import to finish", 120)
        shown = api.get(f"/api/imports/{import_id}").json()
        assert shown["progress"]["ghl_to_tt"]["counts"] == plan["progress"]["ghl_to_tt"]["counts"]
        assert shown["failures"] == []
        listed = api.get("/api/imports", params={"bridge": loop.bridge}).json()
        assert {i["id"] for i in listed} == {plan_id, import_id}
        again = api.post(f"/api/imports/{import_id}/pause")
        assert again.status_code == 422 and "finished" in again.text


def test_bad_requests_are_refused_clearly(database_url: str, tmp_path: Path) -> None:
    with open_loop(database_url, tmp_path, bridge_settings=QUIET) as loop, _api(loop) as api:
        good = {"bridge": loop.bridge, "recipe": "contacts"}
        cases = [
            ({**good, "recipe": "nope"}, "nope"),
            ({**good, "recipe": "hours"}, "not a sync recipe"),
            ({**good, "bridge": "nope"}, "no bridge"),
            ({**good, "direction": "sideways"}, "direction"),
            ({**good, "limit": 0}, "limit"),
            ({**good, "colour": "red"}, "colour"),
            ({**good, "recipe": "tasks", "tags": ["vip"]}, "GHL contacts only"),
        ]
        for request, message in cases:
            response = api.post("/api/imports", json=request)
            assert 400 <= response.status_code < 500, (request, response.text)
            assert message in response.text, (request, response.text)
        assert api.get("/api/imports/imp_nope").status_code == 404
        assert api.get("/api/imports", params={"limit": 0}).status_code == 422
