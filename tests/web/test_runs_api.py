"""The JSON API's runs, events and dead letters: the CLI's fields and filters, bad values
refused with 400; and readiness that follows live executors, wherever they run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from ghltt.core import utcnow
from ghltt.jobs import JobRuntime
from ghltt.settings import Settings, load_settings
from ghltt.store import RunRepository, open_database
from ghltt.store import tables as t
from ghltt.store.tokens import token_file
from ghltt.web import create_app
from tests.jobs.conftest import wait_for
from tests.support.server import serve_asgi


def _settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[httpx2.Client]:
    settings = _settings(database_url, tmp_path)
    with serve_asgi(create_app(settings, with_executor=False)) as base:
        token = token_file(settings.data_dir).read_text().strip()
        db = open_database(settings.store_url)
        now = utcnow()
        with db.begin() as conn:
            conn.execute(
                t.bridges.insert().values(
                    id="br_aaa111", name="acme", settings={}, created_at=now, updated_at=now
                )
            )
        db.dispose()
        with httpx2.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ) as client:
            yield client


def test_events_runs_and_dead_letters_list_with_names_short_ids_and_filters(
    api: httpx2.Client, database_url: str
) -> None:
    sent = api.post(
        "/api/events",
        json=[
            {"kind": "contact.updated", "bridge": "br_aaa111", "dedup_key": "1"},
            {"kind": "task.updated", "source": "tt", "bridge": "br_aaa111", "dedup_key": "2"},
        ],
    )
    first, second = (a["event_id"] for a in sent.json()["accepted"])
    listed = api.get("/api/events", params={"bridge": "acme", "source": "tt"}).json()
    assert [(e["id"], e["bridge"], e["outcome"]) for e in listed] == [(second, "acme", "pending")]
    assert len(api.get("/api/events", params={"since": "1h", "outcome": "pending"}).json()) == 2
    assert api.get("/api/events", params={"kind": "contact.updated"}).json()[0]["id"] == first
    shown = api.get(f"/api/events/{second[:20]}").json()
    assert shown["id"] == second and shown["payload"] == {} and shown["runs"] == []

    db = open_database(database_url)
    RunRepository(db).start(
        run_id="0123456789abcdef", workflow_id="w", event_id=first, bridge="br_aaa111", recipe="c"
    )
    RunRepository(db).finish("0123456789abcdef", "failed", "boom [401]", "credential")
    db.dispose()
    [run] = api.get("/api/runs", params={"status": "failed", "bridge": "acme"}).json()
    assert (run["short_id"], run["bridge"], run["error_class"]) == (
        "01234567",
        "acme",
        "credential",
    )
    assert api.get("/api/runs/0123").json()["error"] == "boom [401]"
    [letter] = api.get("/api/dead-letters", params={"bridge": "acme", "recipe": "c"}).json()
    assert (letter["id"], letter["cause"], letter["cause_class"]) == (
        "0123456789abcdef",
        "boom [401]",
        "credential",
    )
    assert api.get("/api/dead-letters", params={"since": "2099-01-01"}).json() == []


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/api/runs", {"status": "dead"}, "unknown status 'dead'"),
        ("/api/runs", {"bridge": "initech"}, "no bridge 'initech'"),
        ("/api/events", {"outcome": "done"}, "unknown outcome"),
        ("/api/events", {"since": "last week"}, "since"),
        ("/api/dead-letters", {"limit": "99999999999999999999"}, "limit"),
        ("/api/dead-letters", {"limit": "-1"}, "limit"),
        ("/api/runs/zzz", {}, "no run with an id starting 'zzz'"),
        ("/api/events/zzz", {}, "no event"),
    ],
)
def test_bad_filters_and_unknown_ids_are_refused_clearly(
    api: httpx2.Client, path: str, params: dict[str, str], says: str
) -> None:
    response = api.get(path, params=params)
    assert response.status_code in (400, 404, 422), response.text
    assert says in response.json()["message"]


def test_readiness_follows_a_live_executor_wherever_it_runs(
    database_url: str, tmp_path: Path
) -> None:
    settings = _settings(database_url, tmp_path)
    app = create_app(settings, with_executor=False, expects_executor=True)
    with serve_asgi(app) as base:
        ready = httpx2.get(f"{base}/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["executor"] is False
        # A worker of its own, as 'ghltt worker' started by hand would be.
        db = open_database(settings.store_url)
        worker = JobRuntime(settings, db)
        worker.start()
        try:
            wait_for(lambda: httpx2.get(f"{base}/readyz").status_code == 200, what="ready")
            assert httpx2.get(f"{base}/readyz").json()["checks"] == {
                "store": True,
                "executor": True,
            }
        finally:
            worker.stop()
            db.dispose()
        # A worker that stops says so: readiness does not wait for its heartbeat to go stale.
        assert httpx2.get(f"{base}/readyz").status_code == 503
