"""The runs pages: filtered and paged in SQL, searchable by record id, and a run's timeline."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx2
import sqlalchemy as sa
from typer.testing import CliRunner

from ghltt.cli.main import app as cli
from ghltt.core import InvalidInput, utcnow
from ghltt.store.dashboard import DashboardQueries
from ghltt.store.runs import RunFilter
from ghltt.store.tables import inbox_events, record_links, run_steps, runs
from ghltt.web.dashboard.replays import replays
from tests.web.dashboard.conftest import Served, csrf_of


def _seed(db: sa.Engine, count: int = 60) -> datetime:
    """``count`` runs, one a minute back from now: every third failed, every fifth from TT."""
    now = utcnow()
    events, rows = [], []
    for i in range(count):
        at = now - timedelta(minutes=i)
        source = "tt" if i % 5 == 0 else "ghl"
        events.append(
            {
                "id": f"ev{i:03d}",
                "bridge_id": "br_a" if i % 2 else "br_b",
                "dedup_key": f"k{i}",
                "source": source,
                "kind": "contact.updated" if source == "ghl" else "customer.updated",
                "object_type": "contact",
                "object_id": f"rec-{i:03d}",
                "origin": "webhook",
                "occurred_at": at,
                "received_at": at,
                "payload": {},
            }
        )
        rows.append(
            {
                "id": f"run{i:03d}",
                "workflow_id": f"event:ev{i:03d}",
                "event_id": f"ev{i:03d}",
                "bridge_id": "br_a" if i % 2 else "br_b",
                "recipe": "contacts" if i % 4 else "tasks",
                "status": "failed" if i % 3 == 0 else "succeeded",
                "error": "TT: unauthorized" if i % 3 == 0 else None,
                "started_at": at,
                "finished_at": at + timedelta(seconds=2),
            }
        )
    with db.begin() as conn:
        conn.execute(inbox_events.insert(), events)
        conn.execute(runs.insert(), rows)
        conn.execute(
            run_steps.insert().values(
                run_id="run001",
                position=0,
                name="recipe.run",
                status="succeeded",
                input={"recipe": "contacts"},
                output=_report(),
                attempts=1,
                finished_at=now,
            )
        )
    return now


def _report() -> dict[str, Any]:
    return {
        "recipe": "contacts",
        "mode": "live",
        "outcome": "applied",
        "reason": "",
        "writes": [
            {
                "system": "tt",
                "action": "customers.update",
                "object_type": "customer",
                "object_id": "tt-9",
                "fields": {"name": "Ada Lovelace", "email": "ada@example.com"},
            }
        ],
        "provenance": [
            {
                "target_system": "tt",
                "object_type": "customer",
                "object_id": "tt-9",
                "field": "email",
                "source_system": "ghl",
                "source_path": "email",
                "value_hash": "x",
            }
        ],
        "steps": [],
    }


def _ids(html: str) -> list[str]:
    table = html.split('id="runs-table"', 1)[1]
    return re.findall(r'href="/runs/(run\d+)"', table)


def test_filters_apply_in_sql_and_pages_follow_each_other(served: Served) -> None:
    _seed(served.db())
    with served.logged_in() as client:
        first = client.get("/runs", params={"status": "failed"})
        assert first.status_code == 200
        ids = _ids(first.text)
        assert ids == [f"run{i:03d}" for i in range(0, 60, 3)]  # 20 failed, one page
        both = _ids(client.get("/runs", params={"status": "failed", "bridge": "br_a"}).text)
        assert both == [f"run{i:03d}" for i in range(3, 60, 6)]
        tt = _ids(client.get("/runs", params={"source": "tt", "recipe": "tasks"}).text)
        assert tt == [f"run{i:03d}" for i in range(0, 60, 20)]
        recent = _ids(client.get("/runs", params={"window": "1h", "status": "failed"}).text)
        assert recent == [f"run{i:03d}" for i in range(0, 60, 3)]
        page = client.get("/runs")
        newest = _ids(page.text)
        assert len(newest) == 50 and newest[0] == "run000"
        older = re.search(r'href="([^"]+)" rel="next"', page.text)
        assert older is not None
        rest = _ids(client.get(older.group(1).replace("&amp;", "&")).text)
        assert rest == [f"run{i:03d}" for i in range(50, 60)]


def test_search_by_record_id_finds_its_runs_and_its_twins(served: Served) -> None:
    _seed(served.db())
    with served.db().begin() as conn:
        conn.execute(
            record_links.insert().values(
                bridge_id="br_a",
                ghl_type="contact",
                ghl_id="rec-007",
                tt_type="customer",
                tt_id="tt-77",
                updated_at=utcnow(),
            )
        )
    with served.logged_in() as client:
        assert _ids(client.get("/runs", params={"record": "rec-007"}).text) == ["run007"]
        assert _ids(client.get("/runs", params={"record": "tt-77"}).text) == ["run007"]
        assert "No run matches" in client.get("/runs", params={"record": "nope"}).text


def test_bad_filters_say_what_and_where(served: Served) -> None:
    with served.logged_in() as client:
        for params, says in [
            ({"status": "exploded"}, "status: must be one of"),
            ({"since": "yesterday"}, "since: is not a date"),
            ({"before": "garbage"}, "before: is not a page cursor"),
        ]:
            answer = client.get("/runs", params=params)
            assert answer.status_code == 422 and says in answer.text, params


def test_a_run_shows_its_timeline_and_field_level_writes(served: Served) -> None:
    _seed(served.db())
    with served.logged_in() as client:
        page = client.get("/runs/run001")
        assert page.status_code == 200
        text = page.text
        assert "recipe.run" in text and "customers.update" in text
        assert "+ &#34;ada@example.com&#34;" in text and "GHL: email" in text
        assert client.get("/runs/nope").status_code == 404


def test_replaying_needs_the_csrf_token_and_says_why_it_refused(served: Served) -> None:
    _seed(served.db())
    with served.logged_in() as client:
        assert client.post("/runs/run001/replay").status_code == 403
        csrf = csrf_of(client.get("/runs/run001").text)
        answer = client.post("/runs/run001/replay", data={"csrf": csrf})
        assert answer.status_code == 303
        note = client.get(answer.headers["location"]).text
        assert "Replaying as" in note or "Not replayed" in note


def test_the_live_tail_streams_changed_runs(served: Served) -> None:
    with served.logged_in() as client, client.stream("GET", "/runs/tail") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        _seed(served.db(), count=2)
        seen = ""
        for line in stream.iter_lines():
            seen += line
            if "run-run000" in seen:
                break
        assert "event: run" in seen and "run-run001" not in seen  # it started a minute ago


def test_activity_counts_per_bridge(served: Served) -> None:
    now = _seed(served.db())
    queries = DashboardQueries(served.db())
    activity = queries.activity(["br_a", "br_b"], now + timedelta(seconds=1))
    assert activity["br_a"].runs_hour == 30 and activity["br_b"].events_day == 30
    assert activity["br_a"].dead_letters == 10
    page = DashboardQueries(served.db()).runs_page(RunFilter(status="failed"), limit=5)
    assert [item.run.id for item in page] == [f"run{i:03d}" for i in range(0, 15, 3)]


def test_set_password_from_the_cli(served: Served, monkeypatch: Any) -> None:
    monkeypatch.setenv("GHLTT_DATA_DIR", str(served.settings.data_dir))
    monkeypatch.setenv("GHLTT_DATABASE_URL", served.settings.store_url)
    short = CliRunner().invoke(cli, ["dashboard", "set-password", "--password", "short"])
    assert short.exit_code == 2 and "at least 12" in short.output
    done = CliRunner().invoke(cli, ["dashboard", "set-password", "--password", "a long password"])
    assert done.exit_code == 0, done.output
    with served.logged_in("a long password") as client:
        assert client.get("/").status_code == 200
    assert isinstance(client, httpx2.Client)


class _SteppedAdmin:
    """A job admin whose bulk replay advances one dead letter each time the test says so."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.go = threading.Semaphore(0)

    def replay_all(self, where: RunFilter, on_progress: Any) -> tuple[int, int]:
        assert where.status is None or where.status == "failed"
        for position in range(1, self.total + 1):
            assert self.go.acquire(timeout=30)
            letter = SimpleNamespace(short_id=f"run{position:03d}", recipe="contacts")
            outcome = InvalidInput("nothing to replay") if position == 2 else object()
            on_progress(position, self.total, letter, outcome)
        return self.total - 1, 1


def _progress(client: httpx2.Client, replay_id: str) -> str:
    answer = client.get(f"/runs/replays/{replay_id}/progress")
    assert answer.status_code == 200
    return answer.text


def _wait_until(check: Any) -> None:
    for _ in range(300):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("the replay did not get there")


def test_a_bulk_replay_shows_its_progress_until_done(served: Served) -> None:
    admin = _SteppedAdmin(total=3)
    started = replays.start(admin, RunFilter(status="failed"))  # type: ignore[arg-type]
    with served.logged_in() as client:
        page = client.get(f"/runs/replays/{started.id}")
        assert page.status_code == 200 and "Replaying dead letters" in page.text
        assert f'hx-get="/runs/replays/{started.id}/progress"' in page.text
        admin.go.release()
        _wait_until(lambda: started.done == 1)
        one = _progress(client, started.id)
        assert "1 of 3" in one and 'hx-trigger="every 1s"' in one and "Done" not in one
        admin.go.release(2)
        _wait_until(lambda: started.finished)
        done = _progress(client, started.id)
        assert "3 of 3" in done and "2 replayed" in done and "1 refused" in done
        assert "run002: nothing to replay" in done and "Done: 2 of 3 replayed" in done
        assert "hx-trigger" not in done  # the page stops polling
        assert client.get("/runs/replays/nope").status_code == 404


def test_replaying_dead_letters_by_filter_leads_to_its_progress(served: Served) -> None:
    _seed(served.db())
    with served.logged_in() as client:
        csrf = csrf_of(client.get("/runs").text)
        assert client.post("/runs/replay-dead", data={"bridge": "br_a"}).status_code == 403
        answer = client.post("/runs/replay-dead", data={"csrf": csrf, "bridge": "br_a"})
        assert answer.status_code == 303
        replay_id = answer.headers["location"].split("/runs/replays/", 1)[1].split("?")[0]
        found = replays.get(replay_id)
        assert found is not None and found.filter.bridge_id == "br_a"
        _wait_until(lambda: found.finished)
        text = _progress(client, replay_id)
        # No executor runs here: each of br_a's 10 dead letters is refused with its reason,
        # or the whole replay says why it stopped.
        assert "of 10" in text or "Stopped after 0: the durable executor" in text, text
        assert "Finding" not in text
        bad = client.post("/runs/replay-dead", data={"csrf": csrf, "status": "exploded"})
        assert "Nothing%20replayed" in bad.headers["location"]
