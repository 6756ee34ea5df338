"""Adding a credential from the connections page: checked against the remote before it is
stored, typed into a password field, and never sent back, not even in an error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import httpx2
import pytest

from ghltt.store.tokens import token_file
from tests.e2e.conftest import Loop, open_loop
from tests.web.dashboard.conftest import csrf_of

pytestmark = pytest.mark.slow


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    """The sandbox loop on SQLite, without its executor: only the vault's checks run."""
    with open_loop(f"sqlite:///{tmp_path / 'ghltt.sqlite'}", tmp_path, executor=False) as lp:
        yield lp


@contextmanager
def _client(loop: Loop) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=loop.settings.public_url, timeout=30) as client:
        token = token_file(loop.settings.data_dir).read_text().strip()
        assert client.post("/login", data={"secret": token, "next": "/"}).status_code == 303
        yield client


def test_a_credential_is_checked_before_it_is_stored_and_never_echoed(loop: Loop) -> None:
    admin = next(u for u in loop.tt.seeded if u.role == "ADMIN")
    with _client(loop) as client:
        page = client.get("/connections")
        assert page.status_code == 200
        assert 'id="tt-secret" name="secret" type="password"' in page.text
        assert 'id="ghl-secret" name="secret" type="password"' in page.text
        csrf = csrf_of(page.text)
        before = page.text.count('class="card" id="')

        wrong = "not-the-password-123"
        refused = client.post(
            "/connections/add",
            data={"csrf": csrf, "system": "tt", "label": "Team", "secret": wrong},
            follow_redirects=False,
        )
        note = unquote(refused.headers["location"])
        assert "Not added: " in note and "refused the credential" in note
        assert wrong not in note
        again = client.get(refused.headers["location"])
        assert wrong not in again.text and again.text.count('class="card" id="') == before

        added = client.post(
            "/connections/add",
            data={"csrf": csrf, "system": "tt", "label": "Team", "secret": admin.app_password},
            follow_redirects=False,
        )
        note = unquote(added.headers["location"])
        assert "Team: added and valid as" in note, note
        shown = client.get(added.headers["location"])
        assert shown.text.count('class="card" id="') == before + 1
        assert admin.app_password not in shown.text and admin.app_password not in note

        ghl = client.post(
            "/connections/add",
            data={
                "csrf": csrf,
                "system": "ghl",
                "label": "Shop",
                "location": loop.ghl.sample_location_id,
                "secret": loop.ghl.sample_token,
            },
            follow_redirects=False,
        )
        assert "Shop: added and valid" in unquote(ghl.headers["location"])
        for form, says in [
            ({"system": "tt", "secret": " "}, "enter the secret"),
            ({"system": "ghl", "secret": "x", "location": ""}, "needs its location id"),
            ({"system": "tt", "secret": "x", "account": "abc"}, "account: must be"),
            ({"system": "nope", "secret": "x"}, "system: must be ghl or tt"),
        ]:
            answer = client.post(
                "/connections/add", data={"csrf": csrf, **form}, follow_redirects=False
            )
            assert says in unquote(answer.headers["location"]), (form, answer.headers)
        assert client.post("/connections/add", data={"system": "tt"}).status_code == 403
