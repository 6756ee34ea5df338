"""Authentication, account scoping, the envelope and in-band errors."""

from __future__ import annotations

import httpx2
import pytest

from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.sandbox.trackingtime.conftest import ACCOUNT, BASE, basic, call, creds, ok

pytestmark = pytest.mark.anyio


def raw_client(sim: TrackingTimeSimulator) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sim.app), base_url=BASE)


@pytest.mark.parametrize(
    "username",
    ["API_TOKEN", "x", "nobody@nowhere.example"],
    ids=["api-token", "any-username", "unknown-email"],
)
async def test_app_password_authenticates_whatever_the_username(
    sim: TrackingTimeSimulator, username: str
) -> None:
    async with raw_client(sim) as c:
        auth = basic(username, creds(sim)["app_password"])
        r = await c.get("/api/v4/me", headers={"Authorization": auth})
    assert r.status_code == 200
    assert r.json()["data"]["email"] == "ada@example.com"


async def test_email_and_password(sim: TrackingTimeSimulator) -> None:
    async with raw_client(sim) as c:
        r = await c.get("/api/v4/me", auth=("grace@example.com", "grace-password"))
    assert r.json()["data"]["role"] == "PROJECT_MANAGER"


async def test_bearer_token(sim: TrackingTimeSimulator) -> None:
    async with raw_client(sim) as c:
        r = await c.get(
            "/api/v4/me", headers={"Authorization": f"Bearer {creds(sim)['app_password']}"}
        )
    assert r.json()["response"]["status"] == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        basic("ada@example.com", "wrong"),
        basic("API_TOKEN", "ttapp_nope"),
        "Bearer nope",
        "Basic !!!notbase64",
    ],
)
async def test_bad_credentials_are_a_real_401_with_the_envelope(
    sim: TrackingTimeSimulator, header: str | None
) -> None:
    async with raw_client(sim) as c:
        r = await c.get(
            f"/api/v4/{ACCOUNT}/users", headers={"Authorization": header} if header else {}
        )
    assert r.status_code == 401
    assert r.json()["response"] == {
        "status": 401,
        "version": "4.0",
        "message": "Unauthorized",
        "note": None,
        "note_type": None,
    }


async def test_revoked_app_password_stops_working(sim: TrackingTimeSimulator) -> None:
    secret = creds(sim)["app_password"]
    assert sim.revoke_app_password(secret)
    async with raw_client(sim) as c:
        r = await c.get("/api/v4/me", auth=("API_TOKEN", secret))
    assert r.status_code == 401


async def test_success_envelope_shape(client: httpx2.AsyncClient) -> None:
    r = await client.get(f"/api/v4/{ACCOUNT}/customers")
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["response"] == {
        "status": 200,
        "version": "4.0",
        "message": "ok",
        "note": None,
        "note_type": None,
    }
    assert isinstance(body["data"], list)


async def test_unscoped_path_uses_the_default_account(client: httpx2.AsyncClient) -> None:
    scoped = (await client.get(f"/api/v4/{ACCOUNT}/projects")).json()["data"]
    unscoped = (await client.get("/api/v4/projects")).json()["data"]
    assert [p["id"] for p in scoped] == [p["id"] for p in unscoped]


async def test_teams_and_me_list_the_accounts(client: httpx2.AsyncClient) -> None:
    teams = (await client.get("/api/v4/teams")).json()["data"]
    assert {t["account_id"] for t in teams} == {1725, 1726}
    me = (await client.get("/api/v4/me")).json()["data"]
    assert me["account_id"] == ACCOUNT
    assert me["first_name"] == me["name"] == "Ada"
    assert {t["company"] for t in me["teams"]} == {"Acme Studio", "Acme Labs"}


async def test_other_account_is_scoped(client: httpx2.AsyncClient) -> None:
    projects = (await client.get("/api/v4/1726/projects")).json()["data"]
    assert [p["name"] for p in projects] == ["Research"]


async def test_foreign_account_is_an_in_band_403(coworker: httpx2.AsyncClient) -> None:
    r = await coworker.get("/api/v4/1726/projects")
    assert r.status_code == 200
    assert r.json()["response"]["status"] == 403
    assert r.json()["response"]["message"] == "You don't have access to this account"


async def test_unknown_route_is_an_in_band_error(client: httpx2.AsyncClient) -> None:
    body = await call(client, "no/such/thing")
    assert body["response"]["status"] == 404
    assert body["data"] == {}


async def test_unknown_id_is_an_in_band_404(client: httpx2.AsyncClient) -> None:
    for path in ("tasks/1", "projects/42", "customers/9", "events/7", "users/5"):
        body = await call(client, path)
        assert body["response"]["status"] == 404, path
        assert body["response"]["message"] == "Object not found"


async def test_missing_required_param_is_an_in_band_500(client: httpx2.AsyncClient) -> None:
    body = await call(client, "customers/add", "POST", json={"notes": "no name"})
    assert body["response"]["status"] == 500
    assert body["response"]["message"] == "The parameter 'name' is required"


async def test_malformed_json_is_an_in_band_500(client: httpx2.AsyncClient) -> None:
    body = await call(
        client,
        "customers/add",
        "POST",
        content=b'{"name": ',
        headers={"Content-Type": "application/json"},
    )
    assert body["response"]["status"] == 500
    assert "JSON" in body["response"]["message"]


async def test_bad_number_is_an_in_band_500(client: httpx2.AsyncClient) -> None:
    body = await call(client, "events", params={"page": "two"})
    assert body["response"]["status"] == 500


async def test_duplicate_customer_message(client: httpx2.AsyncClient) -> None:
    body = await call(client, "customers/add", "POST", data={"name": "initech"})
    assert body["response"] == {
        "status": 500,
        "version": "4.0",
        "note": None,
        "note_type": None,
        "message": "There is already another customer with that name. "
        "Please choose a different one.",
    }


async def test_wrong_method_is_an_html_page(client: httpx2.AsyncClient) -> None:
    r = await client.patch(f"/api/v4/{ACCOUNT}/customers/update/123456", json={"name": "x"})
    assert r.status_code == 405
    assert r.headers["content-type"].startswith("text/html")


async def test_delete_method_only_on_delete_paths(client: httpx2.AsyncClient) -> None:
    r = await client.delete(f"/api/v4/{ACCOUNT}/customers/123456")
    assert r.status_code == 405
    r = await client.delete(f"/api/v4/{ACCOUNT}/customers/delete/123457")
    assert r.json()["response"]["status"] == 200


async def test_strict_methods_reproduces_the_post_close_quirk(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    assert (await call(client, "customers/close/123456", "POST"))["response"]["status"] == 200
    sim.configure(strict_methods=True)
    r = await client.post(f"/api/v4/{ACCOUNT}/customers/open/123456")
    assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")
    assert (await call(client, "customers/open/123456", "PUT"))["response"]["status"] == 200


async def test_user_agent_strict_mode(sim: TrackingTimeSimulator) -> None:
    sim.configure(require_user_agent=True)
    async with raw_client(sim) as c:
        c.headers.pop("User-Agent", None)
        r = await c.get("/api/v4/me", auth=("API_TOKEN", creds(sim)["app_password"]))
    assert r.status_code == 400


async def test_http_status_can_mirror_the_envelope(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    sim.configure(http_status_mirrors_envelope=True)
    r = await client.get(f"/api/v4/{ACCOUNT}/tasks/1")
    assert r.status_code == 404


async def test_coworker_sees_only_themselves(coworker: httpx2.AsyncClient) -> None:
    users = await ok(coworker, "users")
    assert [u["email"] for u in users] == ["linus@example.com"]
    body = await call(coworker, "users/381455")
    assert body["response"]["status"] == 403
    body = await call(coworker, "customers/add", "POST", data={"name": "Nope"})
    assert body["response"]["status"] == 403


async def test_failed_write_leaves_no_half_made_records(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    before = {name: len(rows) for name, rows in sim.snapshot().items() if name != "counters"}
    body = await call(
        client,
        "tasks/add",
        "POST",
        data={"name": "Orphan?", "project_name": "Brand new", "users": '[{"id": 1}]'},
    )
    assert body["response"]["status"] == 500
    after = {name: len(rows) for name, rows in sim.snapshot().items() if name != "counters"}
    assert after == before


async def test_a_handler_crash_is_an_in_band_500(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ghltt.sandbox.trackingtime.render import View

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(View, "customer", boom)
    r = await client.get(f"/api/v4/{ACCOUNT}/customers")
    assert r.status_code == 200
    assert r.json()["response"] == {
        "status": 500,
        "version": "4.0",
        "message": "Internal server error",
        "note": None,
        "note_type": None,
    }
