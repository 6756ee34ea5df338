"""Nobody sees or changes anything without logging in; a session is a signed, strict cookie."""

from __future__ import annotations

import re

import pytest
from starlette.routing import BaseRoute, Route

from ghltt.store.dashboard import DashboardAuthRepository
from ghltt.web.dashboard import ROUTERS
from ghltt.web.dashboard.passwords import hash_password
from tests.web.dashboard.conftest import Served, csrf_of

# Public on purpose: the login page (and the dashboard's static files, a mount).
PUBLIC = {"/login"}


def _dashboard_routes(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    found = []
    for route in routes:
        assert isinstance(route, Route)
        if route.path in PUBLIC:
            continue
        path = re.sub(r"\{[^}]+\}", "x1", route.path)
        found += [(method, path) for method in sorted(route.methods or []) if method != "HEAD"]
    return found


ROUTES = _dashboard_routes([route for router in ROUTERS for route in router.routes])


def test_the_walk_covers_the_dashboard() -> None:
    paths = {path for _, path in ROUTES}
    assert {"/", "/runs", "/runs/x1", "/logout"} <= paths
    assert {"/imports", "/imports/x1", "/imports/x1/progress", "/catalog", "/catalog/x1"} <= paths


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_dashboard_route_refuses_anonymous_access(
    served: Served, method: str, path: str
) -> None:
    with served.client() as client:
        answer = client.request(method, path)
        if method == "GET":
            assert answer.status_code == 303, (path, answer.status_code)
            assert answer.headers["location"].startswith("/login?next=")
        else:
            assert answer.status_code == 401, (method, path, answer.status_code)
        # A forged cookie is no session either.
        client.cookies.set("ghltt_session", "e30.forged")
        assert client.request(method, path).status_code in (303, 401)


def test_login_with_the_api_token_gives_a_strict_expiring_cookie(served: Served) -> None:
    with served.client() as client:
        page = client.get("/login")
        assert page.status_code == 200 and 'type="password"' in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "unsafe-inline" not in page.headers["content-security-policy"]
        wrong = client.post("/login", data={"secret": "ghltt_wrong", "next": "/"})
        assert wrong.status_code == 401 and "neither the API token" in wrong.text
        answer = client.post("/login", data={"secret": served.token, "next": "/runs"})
        assert answer.status_code == 303 and answer.headers["location"] == "/runs"
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
        overview = client.get("/")
        assert overview.status_code == 200 and "Overview" in overview.text
        assert served.token not in overview.text
        assert "<script>" not in overview.text  # scripts are files only


def test_login_never_redirects_off_site(served: Served) -> None:
    with served.client() as client:
        answer = client.post(
            "/login", data={"secret": served.token, "next": "//evil.example.com/x"}
        )
        assert answer.headers["location"] == "/"


def test_a_state_change_needs_the_sessions_csrf_token(served: Served) -> None:
    with served.logged_in() as client:
        assert client.post("/logout").status_code == 403
        assert client.post("/logout", data={"csrf": "guess"}).status_code == 403
        token = csrf_of(client.get("/").text)
        out = client.post("/logout", data={"csrf": token})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert client.get("/").status_code == 303  # the cookie is gone


def test_the_dashboard_password_logs_in_too(served: Served) -> None:
    DashboardAuthRepository(served.db()).set_password_hash(hash_password("correct horse 42"))
    with served.logged_in("correct horse 42") as client:
        assert client.get("/runs").status_code == 200
    with served.client() as client:
        assert client.post("/login", data={"secret": "correct horse 4"}).status_code == 401
