"""The imports pages: the list and its filters, a plan's page with its counts and sample diffs,
steering, what an import set aside, live progress, and clear answers to bad input."""

from __future__ import annotations

from html import unescape
from pathlib import Path
from urllib.parse import unquote

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.imports import ImportRecord, ImportRepository
from ghltt.store.tables import bridges
from ghltt.store.tokens import token_file
from tests.e2e.conftest import Loop, open_loop, wait_for
from tests.engine.imports.conftest import add_contacts, add_customers, email
from tests.web.dashboard.conftest import Served, csrf_of

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SAMPLE = {
    "system": "ghl",
    "record_id": "c-1",
    "outcome": "create",
    "reason": "",
    "writes": [
        {
            "system": "tt",
            "operation": "create",
            "object_type": "customer",
            "object_id": None,
            "fields": {"name": {"from": None, "to": "Ada Lovelace"}},
        }
    ],
}


def _note(location: str) -> str:
    return unquote(location.partition("note=")[2].partition("#")[0])


def _seed(db: sa.Engine) -> ImportRepository:
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            bridges.insert().values(
                id="br_a", name="alpha", mode="live", settings={}, created_at=now, updated_at=now
            )
        )
    repo = ImportRepository(db)
    repo.create(ImportRecord("imp_plan", "br_a", "contacts", ("ghl_to_tt",), {}, True))
    counts = {"create": 3, "update": 1, "unchanged": 5}
    progress = {"ghl_to_tt": {"counts": counts, "total": 9, "done": True}}
    repo.checkpoint("imp_plan", progress, [SAMPLE])
    repo.set_status("imp_plan", "finished")
    repo.create(ImportRecord("imp_run", "br_a", "contacts", ("ghl_to_tt",), {}, False))
    eta = {"seconds": 420, "binds": "ghl rate budget"}
    repo.checkpoint("imp_run", {"ghl_to_tt": {"counts": {"create": 2}, "total": 40, "eta": eta}})
    repo.set_status("imp_run", "running")
    repo.record_failure("imp_run", "ghl", "c-9", "ambiguous", "two TT customers match", {})
    return repo


def test_the_list_shows_imports_with_status_and_progress_and_filters_them(served: Served) -> None:
    _seed(served.db())
    with served.logged_in() as client:
        page = client.get("/imports")
        assert page.status_code == 200
        assert 'href="/imports/imp_plan"' in page.text and 'href="/imports/imp_run"' in page.text
        assert "3 create, 1 update, 5 unchanged" in page.text
        assert '<td class="num">9 of 9</td>' in page.text  # the plan read all 9
        assert '<td class="num">2 of 40</td>' in page.text
        assert 'href="/imports"' in page.text and ">Imports</a>" in page.text  # in the nav
        running = client.get("/imports", params={"status": "running", "bridge": "alpha"})
        assert "imp_run" in running.text and "imp_plan" not in running.text
        for params, says in [
            ({"status": "sideways"}, "status: must be one of pending"),
            ({"bridge": "nope"}, "bridge: no bridge 'nope'"),
            ({"page": "0"}, "page: must be a page number"),
        ]:
            bad = client.get("/imports", params=params)
            assert bad.status_code == 422 and says in unescape(bad.text), (params, bad.text)


@sqlite_only
def test_a_plan_shows_its_counts_and_diffs_then_a_button_to_start_it(served: Served) -> None:
    _seed(served.db())
    with served.logged_in() as client:
        page = client.get("/imports/imp_plan")
        assert page.status_code == 200
        assert "What the import would do" in page.text
        assert "Ada Lovelace" in page.text and 'class="diff"' in page.text
        assert "Start this import" in page.text
        assert "data-progress" not in page.text  # over: nothing to follow
        assert "<script>" not in page.text and "/dashboard/static/imports.js" in page.text


@sqlite_only
def test_an_import_in_progress_can_be_followed_paused_and_cancelled(served: Served) -> None:
    repo = _seed(served.db())
    with served.logged_in() as client:
        page = client.get("/imports/imp_run")
        assert 'data-progress="/imports/imp_run/progress"' in page.text
        assert 'max="40" value="2"' in page.text  # 2 of 40 read
        assert "ETA 7 min (ghl rate budget binds)" in page.text
        assert "two TT customers match" in page.text and "Replay" in page.text
        csrf = csrf_of(page.text)

        assert client.post("/imports/imp_run/pause").status_code == 403  # no CSRF token
        paused = client.post("/imports/imp_run/pause", data={"csrf": csrf})
        assert paused.status_code == 303 and "Pausing" in _note(paused.headers["location"])
        again = client.post("/imports/imp_run/pause", data={"csrf": csrf})
        assert "import imp_run is paused" in _note(again.headers["location"])
        assert "Resume" in client.get("/imports/imp_run").text

        cancelled = client.post("/imports/imp_run/cancel", data={"csrf": csrf})
        assert "Cancelled" in _note(cancelled.headers["location"])
        record = repo.get("imp_run")
        assert record is not None and record.status == "cancelled"

        with client.stream("GET", "/imports/imp_run/progress") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            body = "".join(stream.iter_text())
        assert "event: progress\ndata: " in body and 'id="import-counts"' in body
        assert body.rstrip().endswith('event: end\ndata: {"status": "cancelled"}')


@sqlite_only
def test_bad_input_is_a_clear_message(served: Served) -> None:
    _seed(served.db())
    with served.logged_in() as client:
        missing = client.get("/imports/imp_nope")
        assert missing.status_code == 404 and "There is no import imp_nope" in missing.text
        assert client.get("/imports/imp_nope/progress").status_code == 404
        csrf = csrf_of(client.get("/imports").text)
        good = {"csrf": csrf, "bridge": "br_a", "recipe": "contacts", "direction": "both"}
        for form, says in [
            ({"bridge": "nope"}, "no bridge"),
            ({"recipe": "hours"}, "not a sync recipe"),
            ({"recipe": "nope"}, "no template named 'nope'"),
            ({"direction": "sideways"}, "direction"),
            ({"limit": "0"}, "limit"),
            ({"limit": "many"}, "limit"),
            ({"since": "yesterday"}, "since: is not a date and time"),
            ({"tags": "vip", "direction": "tt_to_ghl"}, "filters GHL contacts only"),
        ]:
            answer = client.post("/imports", data={**good, **form})
            assert answer.status_code == 422, (form, answer.text)
            text = unescape(answer.text)
            assert "Not planned: " in text and says in text, (form, answer.text)
        for path, form, says in [
            ("/imports/imp_nope/pause", {}, "Not done: no import with id 'imp_nope'"),
            ("/imports/imp_run/start", {}, "imp_run is not a finished plan"),
            ("/imports/imp_run/replay", {"record": "ghl:c-0"}, "set no ghl:c-0 aside"),
            ("/imports/imp_nope/replay", {"record": "x"}, "Not replayed: "),
            ("/imports/schedules", {"cron": "every day"}, "Not scheduled: "),
            ("/imports/schedules", {"cron": "0 3 * * *", "recipe": "hours"}, "not a sync"),
        ]:
            answer = client.post(path, data={"csrf": csrf, **form})
            assert answer.status_code == 303, (path, answer.text)
            assert says in _note(answer.headers["location"]), (path, answer.headers)


@sqlite_only
def test_a_plan_asked_for_on_the_page_is_stored_with_its_filters(served: Served) -> None:
    _seed(served.db())
    with served.logged_in() as client:
        csrf = csrf_of(client.get("/imports").text)
        form = {
            "csrf": csrf,
            "bridge": "br_a",
            "recipe": "contacts",
            "direction": "ghl_to_tt",
            "tags": "vip, new",
            "limit": "25",
            "since": "2026-01-31T09:00",
            "tz": "-60",  # the viewer is an hour ahead of UTC
        }
        answer = client.post("/imports", data=form)
        assert answer.status_code == 303, answer.text
        import_id = answer.headers["location"].split("?")[0].rsplit("/", 1)[1]
    record = ImportRepository(served.db()).get(import_id)
    assert record is not None and record.plan_only and record.directions == ("ghl_to_tt",)
    assert record.filters == {
        "since": "2026-01-31T08:00:00+00:00",
        "tags": ["vip", "new"],
        "query": None,
        "limit": 25,
    }


def _log_in(loop: Loop, client: httpx2.Client) -> None:
    secret = token_file(loop.settings.data_dir).read_text().strip()
    assert client.post("/login", data={"secret": secret, "next": "/"}).status_code == 303


def _status(repo: ImportRepository, import_id: str) -> str:
    record = repo.get(import_id)
    return record.status if record else "missing"


@pytest.mark.slow
@sqlite_only
def test_plan_start_replay_what_was_set_aside_and_schedule_catch_ups(
    database_url: str, tmp_path: Path
) -> None:
    quiet = {"reconcile": {"interval_seconds": 86_400}}
    with (
        open_loop(database_url, tmp_path, bridge_settings=quiet) as loop,
        httpx2.Client(base_url=loop.settings.public_url, timeout=30) as client,
    ):
        _log_in(loop, client)
        loop.ghl.set_rate_limits(burst=1_000_000, window_ms=10_000, daily=100_000_000)
        add_contacts(loop.ghl, range(8))
        add_customers(loop.tt, range(5, 6))
        (twin,) = add_customers(loop.tt, range(600, 601))
        twin.contact_email = email(5)  # two customers answer contact 5's email: ambiguous
        repo = ImportRepository(loop.db)
        csrf = csrf_of(client.get("/imports").text)

        form = {"csrf": csrf, "bridge": loop.bridge, "recipe": "contacts", "direction": "ghl_to_tt"}
        planned = client.post("/imports", data=form)
        plan_id = planned.headers["location"].split("?")[0].rsplit("/", 1)[1]
        wait_for(lambda: _status(repo, plan_id) == "finished", "the plan", 60)
        started = client.post(f"/imports/{plan_id}/start", data={"csrf": csrf})
        assert "Importing" in _note(started.headers["location"])
        import_id = started.headers["location"].split("?")[0].rsplit("/", 1)[1]
        assert import_id != plan_id
        wait_for(lambda: _status(repo, import_id) == "finished", "the import", 120)

        page = unescape(client.get(f"/imports/{import_id}").text)
        (aside,) = repo.failures(import_id)
        assert aside.status == "ambiguous" and "share contact_email" in page
        twin.contact_email = "someone.else@example.com"  # fixed in TrackingTime
        replayed = client.post(
            f"/imports/{import_id}/replay",
            data={"csrf": csrf, "record": f"ghl:{aside.record_id}"},
        )
        assert _note(replayed.headers["location"]) == f"ghl:{aside.record_id}: update"
        assert [f.status for f in repo.failures(import_id)] == ["replayed"]
        assert 'aria-label="Replay GHL' not in client.get(f"/imports/{import_id}").text

        schedule = {"csrf": csrf, "bridge": loop.bridge, "recipe": "contacts", "cron": "0 3 * * *"}
        added = client.post("/imports/schedules", data={**schedule, "timezone": "Europe/Berlin"})
        assert "contacts on sandbox runs at '0 3 * * *'" in _note(added.headers["location"])
        listed = client.get("/imports").text
        assert "<code>0 3 * * *</code>" in listed and "Europe/Berlin" in listed
        removed = client.post("/imports/schedules/remove", data=schedule)
        assert _note(removed.headers["location"]) == "Removed."
        assert "No schedule." in client.get("/imports").text
