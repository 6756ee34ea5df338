"""GHL client benchmark: client overhead vs raw httpx2, and rate-budget use against a limit.

Run: ``.venv/bin/python bench/ghl_client.py [--quick]``. The GHL simulator is served by uvicorn
on loopback in a background thread. Prints a summary, writes ``bench/results/ghl_client.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import uvicorn

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth
from ghltt.connectors.http import RateBudget
from ghltt.sandbox.ghl import GhlSimulator

RESULTS = Path(__file__).parent / "results" / "ghl_client.json"


@contextmanager
def serve(app: Any) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def run_workers(total: int, workers: int, job: Callable[[int], Awaitable[None]]) -> float:
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            await job(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


async def overhead(sim: GhlSimulator, url: str, total: int, workers: int) -> dict[str, Any]:
    sim.set_rate_limits(burst=1_000_000_000, window_ms=10_000, daily=1_000_000_000)
    token, location = sim.sample_token, sim.sample_location_id
    contact_id = next(iter(sim.state.contacts_of(location)))["id"]
    headers = {"Authorization": f"Bearer {token}", "Version": "2021-07-28"}
    raw = httpx2.AsyncClient(base_url=url, headers=headers)
    client = GhlClient(
        auth=StaticTokenAuth(token),
        location_id=location,
        base_url=url,
        budget=RateBudget(1_000_000_000, 10.0),  # budget code runs, never waits
    )

    async def raw_get(_: int) -> None:
        response = await raw.get(f"/contacts/{contact_id}")
        response.raise_for_status()
        response.json()

    async def client_get(_: int) -> None:
        await client.contacts.get(contact_id)

    await run_workers(100, workers, raw_get)  # warm both connection pools
    await run_workers(100, workers, client_get)
    rounds = []
    for _ in range(3):  # interleave so drift in the machine hits both equally
        raw_s = await run_workers(total, workers, raw_get)
        client_s = await run_workers(total, workers, client_get)
        rounds.append((total / raw_s, total / client_s))
    await raw.aclose()
    await client.aclose()
    raw_rps = max(r for r, _ in rounds)
    client_rps = max(c for _, c in rounds)
    return {
        "requests_per_round": total,
        "concurrency": workers,
        "raw_rps": round(raw_rps, 1),
        "client_rps": round(client_rps, 1),
        "ratio": round(client_rps / raw_rps, 3),
        "target_ratio": 0.8,
    }


async def budget_use(sim: GhlSimulator, url: str, total: int, limit: int) -> dict[str, Any]:
    sim.set_rate_limits(burst=limit, window_ms=1000, daily=1_000_000_000)
    sim.clear_requests()
    client = GhlClient(
        auth=StaticTokenAuth(sim.sample_token), location_id=sim.sample_location_id, base_url=url
    )
    run = time.time_ns()

    async def create(i: int) -> None:
        await client.contacts.create({"firstName": f"Bench{i}", "email": f"b{run}-{i}@bench.test"})

    seconds = await run_workers(total, limit, create)
    await client.aclose()
    minimum = total / limit
    return {
        "creates": total,
        "limit_per_second": limit,
        "seconds": round(seconds, 2),
        "theoretical_min_seconds": minimum,
        "over_min_pct": round((seconds / minimum - 1) * 100, 2),
        "responses_429": sim.count_requests(status=429),
        "creates_201": sim.count_requests(method="POST", path="/contacts/", status=201),
        "target_over_min_pct": 5.0,
    }


async def main(quick: bool) -> dict[str, Any]:
    sim = GhlSimulator()
    with serve(sim.app) as url:
        first = await overhead(sim, url, 500 if quick else 3000, 20)
        second = await budget_use(sim, url, 200 if quick else 2000, 50)
    return {"quick": quick, "overhead": first, "budget": second}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    results = asyncio.run(main(parser.parse_args().quick))
    o, b = results["overhead"], results["budget"]
    print(f"client overhead: raw {o['raw_rps']} req/s, client {o['client_rps']} req/s, "
          f"ratio {o['ratio']} (target >= {o['target_ratio']})")  # fmt: skip
    print(f"budget use: {b['creates']} creates at {b['limit_per_second']}/s in {b['seconds']} s "
          f"(min {b['theoretical_min_seconds']} s, +{b['over_min_pct']}%), "
          f"429s: {b['responses_429']}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")
