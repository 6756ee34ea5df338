"""Fault injection switched at run time, reproducible from a seed."""

from __future__ import annotations

import time

import httpx2
import pytest

from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.sandbox.trackingtime.conftest import ACCOUNT, make_client

pytestmark = pytest.mark.anyio


async def statuses(client: httpx2.AsyncClient, n: int) -> list[tuple[int, int | None]]:
    out = []
    for _ in range(n):
        r = await client.get(f"/api/v4/{ACCOUNT}/customers")
        inband = r.json()["response"]["status"] if "json" in r.headers["content-type"] else None
        out.append((r.status_code, inband))
    return out


async def test_429_storm_then_recovery(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    sim.set_faults(storm_429_requests=3, retry_after_s=2)
    r = await client.get(f"/api/v4/{ACCOUNT}/customers")
    assert r.status_code == 429 and r.headers["retry-after"] == "2"
    assert r.json()["response"]["status"] == 429
    assert await statuses(client, 3) == [(429, 429), (429, 429), (200, 200)]


async def test_rates_are_reproducible_from_the_seed() -> None:
    runs = []
    for _ in range(2):
        sim = TrackingTimeSimulator()
        sim.set_faults(seed=7, http_5xx_rate=0.3, inband_500_rate=0.3)
        async with make_client(sim) as client:
            runs.append(await statuses(client, 30))
    assert runs[0] == runs[1]
    kinds = set(runs[0])
    assert {(200, 200), (503, None), (200, 500)} <= kinds


async def test_5xx_is_html_and_in_band_500_is_json(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    sim.set_faults(http_5xx_rate=1.0, http_5xx_status=502)
    r = await client.get(f"/api/v4/{ACCOUNT}/customers")
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
    sim.set_faults(http_5xx_rate=0.0, inband_500_rate=1.0)
    r = await client.get(f"/api/v4/{ACCOUNT}/customers")
    assert r.status_code == 200 and r.json()["response"]["status"] == 500


async def test_faults_can_target_a_path(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    sim.set_faults(http_5xx_rate=1.0, path_contains="/events")
    assert (await client.get(f"/api/v4/{ACCOUNT}/customers")).status_code == 200
    assert (await client.get(f"/api/v4/{ACCOUNT}/events")).status_code == 503


async def test_latency(sim: TrackingTimeSimulator, client: httpx2.AsyncClient) -> None:
    sim.set_faults(latency_ms=120)
    started = time.monotonic()
    await client.get(f"/api/v4/{ACCOUNT}/me")
    assert time.monotonic() - started >= 0.12


async def test_post_commit_failure_keeps_the_write(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    sim.set_faults(post_commit_5xx_rate=1.0)
    r = await client.post(f"/api/v4/{ACCOUNT}/customers/add", data={"name": "Written"})
    assert r.status_code == 503
    sim.clear_faults()
    names = [c["name"] for c in (await client.get(f"/api/v4/{ACCOUNT}/customers")).json()["data"]]
    assert "Written" in names
    again = await client.post(f"/api/v4/{ACCOUNT}/customers/add", data={"name": "Written"})
    assert again.json()["response"]["status"] == 500  # the retry finds the first write


async def test_rate_limit_per_credential(
    sim: TrackingTimeSimulator, client: httpx2.AsyncClient
) -> None:
    sim.configure(rate_limit_per_minute=5)
    got = [(await client.get(f"/api/v4/{ACCOUNT}/me")).status_code for _ in range(7)]
    assert got == [200] * 5 + [429] * 2
    sim.advance_clock(61)
    assert (await client.get(f"/api/v4/{ACCOUNT}/me")).status_code == 200


async def test_faults_are_logged(sim: TrackingTimeSimulator, client: httpx2.AsyncClient) -> None:
    sim.set_faults(storm_429_requests=1)
    await client.get(f"/api/v4/{ACCOUNT}/me")
    await client.get(f"/api/v4/{ACCOUNT}/me")
    log = sim.request_log()
    assert [e["fault"] for e in log] == ["http_429", None]
    assert [e["http_status"] for e in log] == [429, 200]
