"""``GET /api/catalog`` over a real socket: behind the token, filtered, with typed entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from ghltt.engine.catalog.describe import entries
from ghltt.settings import load_settings
from ghltt.store.tokens import token_file
from ghltt.web import create_app
from tests.support.server import serve_asgi


@pytest.fixture
def api(tmp_path: Path) -> Iterator[httpx2.Client]:
    settings = load_settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/db")
    with serve_asgi(create_app(settings, with_executor=False)) as base:
        token = token_file(settings.data_dir).read_text().strip()
        with httpx2.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ) as client:
            yield client


def test_the_catalog_needs_the_token(api: httpx2.Client) -> None:
    for path in ("/api/catalog", "/api/catalog/tt.tasks.add"):
        assert api.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_lists_every_entry_and_filters(api: httpx2.Client) -> None:
    everything = api.get("/api/catalog").json()
    assert len(everything) == len(entries())
    triggers = api.get("/api/catalog", params={"system": "tt", "kind": "trigger"}).json()
    assert triggers and all(e["kind"] == "trigger" and e["system"] == "tt" for e in triggers)
    found = api.get("/api/catalog", params={"search": "webhook"}).json()
    assert "tt.webhooks.add" in {e["name"] for e in found}


def test_one_entry_and_clear_errors(api: httpx2.Client) -> None:
    entry = api.get("/api/catalog/tt.events.summary").json()
    assert entry["idempotence"] == "safe" and entry["api_version"] == "v4"
    assert entry["example"] == {"from": "2026-01-01", "to": "2026-12-31"}
    assert entry["output_schema"]["type"] == "array"
    missing = api.get("/api/catalog/tt.nope")
    assert missing.status_code == 404 and "tt.nope" in missing.json()["message"]
    bad = api.get("/api/catalog", params={"system": "crm"})
    assert bad.status_code in (400, 422) and "system" in bad.text


def test_the_openapi_document_names_the_response_model(api: httpx2.Client) -> None:
    spec = api.get("/openapi.json").json()
    answer = spec["paths"]["/api/catalog"]["get"]["responses"]["200"]["content"]
    assert "CatalogEntry" in str(answer)
