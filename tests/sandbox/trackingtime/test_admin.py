"""``/_admin``: state, request log, reset, clock, config, faults, sign-ups, credentials."""

from __future__ import annotations

import httpx2
import pytest

from ghltt.sandbox.trackingtime import SimulatorError, TrackingTimeSimulator
from tests.sandbox.trackingtime.conftest import ACCOUNT, BASE, ok

pytestmark = pytest.mark.anyio


@pytest.fixture
async def admin(sim: TrackingTimeSimulator) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sim.app), base_url=BASE)


async def test_request_log_counts_and_clears(
    admin: httpx2.AsyncClient, client: httpx2.AsyncClient
) -> None:
    await client.get(f"/api/v4/{ACCOUNT}/events", params={"filter": "COMPANY"})
    await client.post(
        f"/api/v4/{ACCOUNT}/customers/add", data={"name": "Logged", "password": "hidden"}
    )
    log = (await admin.get("/_admin/requests")).json()
    assert log["count"] == 2
    first, second = log["requests"]
    assert first["endpoint"] == "events" and first["auth"] == "app_password"
    assert first["params"] == {"filter": "COMPANY"} and first["status"] == 200
    assert second["method"] == "POST" and "password" not in second["params"]
    only = (await admin.get("/_admin/requests", params={"path_contains": "customers"})).json()
    assert only["count"] == 1
    assert (await admin.delete("/_admin/requests")).json() == {"count": 0}
    assert (await admin.get("/_admin/requests")).json()["count"] == 0


async def test_state_reset_and_seed(admin: httpx2.AsyncClient, client: httpx2.AsyncClient) -> None:
    await client.post(f"/api/v4/{ACCOUNT}/customers/add", data={"name": "Temp"})
    state = (await admin.get("/_admin/state")).json()
    assert "Temp" in [c["name"] for c in state["customers"]]
    assert {"accounts", "users", "events", "webhooks", "counters"} <= set(state)
    assert (await admin.post("/_admin/reset")).json()["account_id"] == ACCOUNT
    state = (await admin.get("/_admin/state")).json()
    assert "Temp" not in [c["name"] for c in state["customers"]]


async def test_same_seed_same_account(sim: TrackingTimeSimulator) -> None:
    other = TrackingTimeSimulator(clock=sim.clock)
    assert other.snapshot() == sim.snapshot()
    other.reset(seed=99)
    assert other.snapshot()["events"] != sim.snapshot()["events"]


async def test_clock(admin: httpx2.AsyncClient, client: httpx2.AsyncClient) -> None:
    r = await admin.post("/_admin/clock", json={"now": "2026-07-01T12:00:00Z"})
    assert r.json()["now"] == "2026-07-01T12:00:00+00:00"
    r = await admin.post("/_admin/clock", json={"advance_seconds": 3600})
    assert r.json()["now"] == "2026-07-01T13:00:00+00:00"
    customer = (
        await client.post(f"/api/v4/{ACCOUNT}/customers/add", data={"name": "July"})
    ).json()["data"]
    assert customer["created_at"] == "2026-07-01 09:00:00"
    assert (await admin.post("/_admin/clock", json={})).status_code == 400


async def test_config_and_faults_over_http(
    admin: httpx2.AsyncClient, client: httpx2.AsyncClient
) -> None:
    r = await admin.patch("/_admin/config", json={"events_default_page_size": 5})
    assert r.json()["events_default_page_size"] == 5
    events = (await client.get(f"/api/v4/{ACCOUNT}/events", params={"filter": "COMPANY"})).json()[
        "data"
    ]
    assert len(events) == 5
    assert (await admin.patch("/_admin/config", json={"nope": 1})).status_code == 400
    r = await admin.put("/_admin/faults", json={"storm_429_requests": 1})
    assert r.json()["storm_429_requests"] == 1
    assert (await client.get(f"/api/v4/{ACCOUNT}/me")).status_code == 429
    assert (await admin.patch("/_admin/faults", json={"http_5xx_rate": 2})).status_code == 400
    await admin.delete("/_admin/faults")
    assert (await client.get(f"/api/v4/{ACCOUNT}/me")).status_code == 200


async def test_signup_appears_as_a_new_user(
    sim: TrackingTimeSimulator, admin: httpx2.AsyncClient, client: httpx2.AsyncClient
) -> None:
    before = {u["id"] for u in await ok(client, "users")}
    r = await admin.post(
        "/_admin/signups", json={"email": "newbie@example.com", "name": "New", "surname": "Bie"}
    )
    assert r.status_code == 201
    signup = r.json()
    users = await ok(client, "users")
    new = [u for u in users if u["id"] not in before]
    assert [(u["email"], u["status"], u["role"]) for u in new] == [
        ("newbie@example.com", "REGISTERED", "CO_WORKER")
    ]
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sim.app), base_url=BASE) as c:
        me = await c.get("/api/v4/me", auth=("API_TOKEN", signup["app_password"]))
        assert me.json()["data"]["email"] == "newbie@example.com"
        me = await c.get("/api/v4/me", auth=("newbie@example.com", signup["password"]))
        assert me.status_code == 200
    again = await admin.post("/_admin/signups", json={"email": "newbie@example.com"})
    assert again.status_code == 400


async def test_python_controls(sim: TrackingTimeSimulator) -> None:
    signup = sim.simulate_signup("py@example.com", name="Py", role="PROJECT_MANAGER")
    assert signup.account_id == ACCOUNT and signup.role == "PROJECT_MANAGER"
    extra = sim.add_app_password(signup.user_id)
    assert extra in sim.state.users[signup.user_id].app_passwords
    with pytest.raises(SimulatorError):
        sim.simulate_signup("not-an-email")
    with pytest.raises(SimulatorError):
        sim.add_app_password(1)


async def test_credentials_and_index(admin: httpx2.AsyncClient) -> None:
    creds = (await admin.get("/_admin/credentials")).json()
    assert creds["account_id"] == ACCOUNT
    assert [u["email"] for u in creds["users"]] == [
        "ada@example.com",
        "grace@example.com",
        "linus@example.com",
    ]
    assert all(u["app_password"].startswith("ttapp_") for u in creds["users"])
    assert "GET /_admin/state" in (await admin.get("/_admin")).json()["endpoints"]
    assert (await admin.get("/_admin/nothing")).status_code == 404
