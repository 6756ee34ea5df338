"""Admin endpoints, request log, reset and fault injection."""

from __future__ import annotations

import time

import httpx2
import pytest

from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from tests.sandbox.ghl.conftest import auth
from tests.support.server import serve_asgi

pytestmark = pytest.mark.anyio


async def test_state_requests_and_reset(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    r = await client.get("/_admin/state")
    state = r.json()
    assert state["counts"]["contacts"] == 22 and state["counts"]["users"] == 3
    loc = state["sample"]["locationId"]
    assert state["sample"]["locationToken"].startswith("pit-")
    business_ids = list(state["businesses"])
    assert all(len(b) == 24 and int(b, 16) >= 0 for b in business_ids)

    await client.post("/contacts/", json={"locationId": loc, "firstName": "A"}, headers=headers)
    await client.get("/contacts/", params={"locationId": loc}, headers=headers)
    log = (await client.get("/_admin/requests")).json()
    assert log["count"] == 2
    assert log["requests"][0]["method"] == "POST" and log["requests"][0]["status"] == 201
    assert log["requests"][0]["locationId"] == loc
    assert (await client.get("/_admin/requests", params={"method": "GET"})).json()["count"] == 1
    assert sim.count_requests(path="/contacts*") == 2
    await client.delete("/_admin/requests")
    assert sim.count_requests() == 0

    await client.post("/_admin/reset")
    assert len(sim.state.contacts) == 22
    assert sim.sample.location_id == loc  # same seed, same ids


async def test_admin_controls_over_http(client: httpx2.AsyncClient, sim: GhlSimulator) -> None:
    r = await client.put("/_admin/rate-limits", json={"burst": 5, "windowMs": 2000})
    assert r.json()["burst"] == 5 and sim.ratelimit.window_ms == 2000
    r = await client.post("/_admin/tokens", json={"scopes": ["contacts.readonly"]})
    assert r.status_code == 201 and r.json()["token"].startswith("pit-")
    r = await client.post(
        "/_admin/oauth/clients", json={"redirectUris": ["http://x.test/cb"], "name": "t"}
    )
    assert r.status_code == 201 and "-" in r.json()["clientId"]
    assert (await client.get("/_admin/oauth/token-calls")).json() == {"count": 0}
    keys = (await client.get("/_admin/keys")).json()
    assert "BEGIN PUBLIC KEY" in keys["ed25519PublicKey"] and keys["rsaPublicKey"]
    r = await client.put("/_admin/faults", json={"errorRate": 2})
    assert r.status_code == 400
    r = await client.put("/_admin/faults", json={"latencyMs": 1})
    assert r.json()["latency_ms"] == 1
    r = await client.post("/_admin/webhooks/targets", json={"url": "http://127.0.0.1:9/h"})
    assert r.status_code == 201
    assert len((await client.get("/_admin/webhooks/targets")).json()["targets"]) == 1
    await client.delete(f"/_admin/webhooks/targets/{r.json()['id']}")
    assert sim.webhooks.targets == {}


async def test_5xx_rate_is_deterministic(sim: GhlSimulator, headers: dict[str, str]) -> None:
    async def run() -> list[int]:
        sim.reset()
        sim.set_faults(error_rate=0.5, seed=3)
        token = auth(sim.sample_token)
        transport = httpx2.ASGITransport(app=sim.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as http:
            cid = next(iter(sim.state.contacts))
            return [
                (await http.get(f"/contacts/{cid}", headers=token)).status_code for _ in range(20)
            ]

    first, second = await run(), await run()
    assert first == second
    assert 500 in first and 200 in first
    assert sim.count_requests(status=500) == first.count(500)


async def test_429_storm_by_requests_and_seconds(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    cid = next(iter(sim.state.contacts))
    sim.set_faults(storm_requests=3)
    codes = [(await client.get(f"/contacts/{cid}", headers=headers)).status_code for _ in range(4)]
    assert codes == [429, 429, 429, 200]
    sim.set_faults(storm_seconds=30)
    r = await client.get(f"/contacts/{cid}", headers=headers)
    assert r.status_code == 429 and r.headers["X-RateLimit-Remaining"] == "0"
    sim.clear_faults()
    assert (await client.get(f"/contacts/{cid}", headers=headers)).status_code == 200


async def test_latency(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    sim.set_faults(latency_ms=120)
    started = time.perf_counter()
    await client.get(f"/contacts/{next(iter(sim.state.contacts))}", headers=headers)
    assert time.perf_counter() - started >= 0.1


def test_timeout_over_a_real_socket() -> None:
    sim = GhlSimulator(GhlSimulatorConfig(seed=2))
    sim.set_faults(timeout_rate=1.0, timeout_s=2.0)
    with serve_asgi(sim.app) as base, httpx2.Client(base_url=base, timeout=0.3) as http:
        cid = next(iter(sim.state.contacts))
        with pytest.raises(httpx2.TimeoutException):
            http.get(f"/contacts/{cid}", headers=auth(sim.sample_token))
        sim.clear_faults()
        r = http.get(f"/contacts/{cid}", headers=auth(sim.sample_token))
        assert r.status_code == 200
        assert http.get("/_admin/requests").json()["count"] >= 1
