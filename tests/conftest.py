"""Shared fixtures: a fresh database per test on SQLite and on the PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

PG_ADMIN_URLS = [
    os.environ.get("GHLTT_TEST_PG_URL", ""),
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
    "postgresql://postgres@/test?host=/var/run/postgresql",
]


def _pg_admin_url() -> str | None:
    for url in filter(None, PG_ADMIN_URLS):
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.Error:
            continue
    return None


_PG_URL = _pg_admin_url()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def pg_admin_url() -> str:
    """The URL of a PostgreSQL database on a server where the tests may create databases."""
    if _PG_URL is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable, and CI must test it")
        pytest.skip("PostgreSQL is not reachable")
    return _PG_URL


@pytest.fixture
def postgres_url(pg_admin_url: str) -> Iterator[str]:
    """A brand-new PostgreSQL database, dropped afterwards."""
    name = f"ghltt_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = pg_admin_url.partition("/test")
    query = pg_admin_url.partition("/test")[2]
    try:
        yield f"{base}/{name}{query}"
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using it runs twice: on a SQLite file and on a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ghltt.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
