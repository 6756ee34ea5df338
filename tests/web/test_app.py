"""The web app over a real socket: health, auth, intake, and clear errors for bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from ghltt import __version__
from ghltt.settings import load_settings
from ghltt.store import open_database
from ghltt.store.tokens import token_file
from ghltt.web import create_app
from tests.support.server import serve_asgi


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[httpx2.Client]:
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=database_url, max_body_bytes=4096
    )
    with serve_asgi(create_app(settings, with_executor=False)) as base:
        token = token_file(settings.data_dir).read_text().strip()
        with httpx2.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ) as client:
            yield client


def test_health_readiness_and_metrics(api: httpx2.Client) -> None:
    assert api.get("/healthz").json()["status"] == "ok"
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": True}
    api.post("/api/events", json={"kind": "contact.updated"})
    metrics = api.get("/metrics").text
    assert "ghltt_events_accepted_total" in metrics
    # No executor runs here: the event waits, and the backlog says so to whoever scrapes.
    assert "ghltt_inbox_backlog_events 1.0" in metrics
    assert "ghltt_metrics_store_up 1.0" in metrics
    assert "ghltt_dead_letter_runs 0.0" in metrics


def test_submitted_events_are_stored_once_per_dedup_key(api: httpx2.Client) -> None:
    body = {"kind": "contact.updated", "object_type": "contact", "object_id": "c1"}
    first = api.post("/api/events", json=body)
    assert first.status_code == 202
    [item] = first.json()["accepted"]
    assert item["duplicate"] is False
    again = api.post("/api/events", json=body).json()["accepted"][0]
    assert again == {"event_id": item["event_id"], "duplicate": True}
    batch = api.post("/api/events", json=[{"kind": "a.b", "dedup_key": str(i)} for i in range(3)])
    assert [r["duplicate"] for r in batch.json()["accepted"]] == [False, False, False]


def test_every_response_carries_a_request_id(api: httpx2.Client) -> None:
    response = api.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len(api.get("/healthz").headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    ("kwargs", "status", "error", "says"),
    [
        (
            {"content": b'{"kind": ', "headers": {"content-type": "application/json"}},
            422,
            "invalid_input",
            "Invalid JSON",
        ),
        ({"json": {"kind": "contact.updated", "bogus": 1}}, 422, "invalid_input", "bogus"),
        ({"json": {"kind": "not a kind"}}, 422, "invalid_input", "kind"),
        (
            {"json": {"kind": "a.b", "occurred_at": "2026-01-01T00:00:00"}},
            422,
            "invalid_input",
            "occurred_at",
        ),
        ({"json": []}, 422, "invalid_input", "at least one"),
        (
            {"content": b"kind=a", "headers": {"content-type": "text/plain"}},
            415,
            "unsupported_media_type",
            "JSON",
        ),
        ({"json": {"kind": "a.b", "payload": {"x": "y" * 5000}}}, 413, "body_too_large", "4096"),
    ],
)
def test_bad_input_gets_a_clear_json_error(
    api: httpx2.Client, kwargs: dict[str, object], status: int, error: str, says: str
) -> None:
    response = api.post("/api/events", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert says in body["message"]
    assert "Traceback" not in response.text


def test_a_streamed_body_over_the_limit_is_refused(api: httpx2.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"kind": "a.b", "payload": {"x": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}}'

    response = api.post(
        "/api/events", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_the_api_requires_a_valid_token(api: httpx2.Client) -> None:
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic x"},
    ):
        response = api.post("/api/events", json={"kind": "a.b"}, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert api.get("/api/runs", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_unknown_routes_and_methods_answer_json(api: httpx2.Client) -> None:
    missing = api.get("/no/such/thing")
    assert missing.status_code == 404 and "/no/such/thing" in missing.json()["message"]
    wrong = api.delete("/api/events")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    # The Allow header names every method of the path, not only its first route's.
    patch = api.patch("/api/bridges")
    assert patch.status_code == 405 and set(patch.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_events_for_an_unknown_bridge_are_refused(api: httpx2.Client) -> None:
    refused = api.post("/api/events", json={"kind": "contact.updated", "bridge": "br_nope"})
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_input"
    assert "br_nope" in refused.json()["message"]
    assert api.get("/api/events").json() == []


def test_docs_and_every_asset_they_load_come_from_ghltt_itself(api: httpx2.Client) -> None:
    public = httpx2.Client(base_url=api.base_url, timeout=10)  # no token: the docs are public
    page = public.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assets += re.findall(r"""url: ?["']([^"']+)["']""", page.text)  # the OpenAPI document
    assert {a for a in assets if "://" in a or a.startswith("//")} == set()
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        response = public.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100, asset
    assert public.get("/docs/oauth2-redirect").status_code == 200


def test_home_is_the_dashboard_behind_its_login_page(api: httpx2.Client) -> None:
    public = httpx2.Client(base_url=api.base_url, timeout=10, follow_redirects=True)
    home = public.get("/")
    assert home.status_code == 200 and home.url.path == "/login"  # after the redirect
    assert home.headers["content-type"].startswith("text/html")
    assert f"ghltt {__version__}" in home.text and 'href="/docs"' in home.text
    assert "<script>" not in home.text and "<style" not in home.text and " on" not in home.text
    assert "'unsafe-inline'" not in home.headers["content-security-policy"]
    assert "bridge" not in home.text.lower()


def test_runs_api_lists_and_explains_unknown_ids(api: httpx2.Client) -> None:
    assert api.get("/api/runs").json() == []
    assert api.get("/api/runs/nope").status_code == 404
    assert api.get("/api/runs", params={"limit": 0}).status_code == 422


def test_intake_answers_503_with_retry_after_when_the_store_is_gone(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    with serve_asgi(create_app(settings, with_executor=False)) as base:
        token = token_file(settings.data_dir).read_text().strip()
        db = open_database(settings.store_url)
        with db.begin() as conn:  # the store stops taking writes: the table is gone
            conn.exec_driver_sql("DROP TABLE run_steps")
            conn.exec_driver_sql("DROP TABLE runs")
            conn.exec_driver_sql("DROP TABLE inbox_events")
        headers = {"Authorization": f"Bearer {token}"}
        response = httpx2.post(f"{base}/api/events", json={"kind": "a.b"}, headers=headers)
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert response.json()["error"] == "store_unavailable"
        assert httpx2.get(f"{base}/readyz").status_code == 503
