"""A run's timeline shows the remote requests each step made: status, timing, attempt, and
bodies with no secret in them, neither on the page nor in the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.store import RunRepository
from ghltt.store.tables import run_steps
from ghltt.store.tokens import token_file
from tests.e2e.conftest import Loop, open_loop, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def loop(database_url: str, tmp_path: Path) -> Iterator[Loop]:
    """The sandbox loop without polls: the runs are the webhook's."""
    with open_loop(database_url, tmp_path, bridge_settings={"reconcile": {"enabled": False}}) as lp:
        yield lp


def _secrets(loop: Loop) -> list[str]:
    admin = next(u for u in loop.tt.seeded if u.role == "ADMIN")
    return [loop.ghl.sample_token, admin.app_password]


def _run_that_added_the_customer(loop: Loop) -> str | None:
    runs = RunRepository(loop.db)
    for listed in runs.list(status="succeeded", limit=20):
        record = runs.get(listed.id)
        assert record is not None
        if any("customers/add" in r.get("path", "") for s in record.steps for r in s.requests):
            return record.id
    return None


def test_a_run_shows_its_requests_with_status_and_timing_and_no_secret(loop: Loop) -> None:
    with loop.ghl_api() as api:
        created = api.post(
            "/contacts/",
            json={
                "locationId": loop.ghl.sample_location_id,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "email": "ada@example.com",
            },
        )
        assert created.status_code == 201, created.text
    wait_for(lambda: _run_that_added_the_customer(loop) is not None, "the run adding the customer")
    run_id = _run_that_added_the_customer(loop)
    assert run_id is not None

    [step] = RunRepository(loop.db).get(run_id).steps  # type: ignore[union-attr]
    added = next(r for r in step.requests if "customers/add" in r["path"])
    assert added["method"] in ("GET", "POST")
    assert added["status"] == 200 and added["attempt"] == 1 and added["ms"] >= 0
    assert "Ada" in (added["request_body"] or "") + added["path"]
    read = next(r for r in step.requests if r["host"].endswith(loop.ghl.config.base_url[-5:]))
    assert read["method"] == "GET" and read["status"] == 200

    token = token_file(loop.settings.data_dir).read_text().strip()
    with httpx2.Client(base_url=loop.settings.public_url, timeout=10) as client:
        assert client.post("/login", data={"secret": token, "next": "/"}).status_code == 303
        page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200
    assert 'aria-label="Requests of step 1"' in page.text
    assert "customers/add" in page.text and f"{added['ms']} ms" in page.text

    with loop.db.connect() as conn:
        stored = " ".join(str(r) for r in conn.execute(sa.select(run_steps.c.requests)).scalars())
    assert "customers/add" in stored
    for secret in _secrets(loop):
        assert secret not in page.text
        assert secret not in stored
