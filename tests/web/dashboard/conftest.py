"""A served app with its store, and a browser-like client that logs in to the dashboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.settings import Settings, load_settings
from ghltt.store import open_database
from ghltt.store.tokens import token_file
from ghltt.web import create_app
from tests.support.server import serve_asgi


@dataclass
class Served:
    base: str
    settings: Settings
    token: str

    def db(self) -> sa.Engine:
        return open_database(self.settings.store_url)

    def client(self) -> httpx2.Client:
        return httpx2.Client(base_url=self.base, timeout=10, follow_redirects=False)

    @contextmanager
    def logged_in(self, secret: str | None = None) -> Iterator[httpx2.Client]:
        with self.client() as client:
            answer = client.post("/login", data={"secret": secret or self.token, "next": "/"})
            assert answer.status_code == 303, answer.text
            yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    settings = load_settings(data_dir=tmp_path / "data", database_url=database_url)
    with serve_asgi(create_app(settings, with_executor=False)) as base:
        token = token_file(settings.data_dir).read_text().strip()
        yield Served(base, settings, token)
