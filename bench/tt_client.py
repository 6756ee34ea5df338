"""TrackingTime client overhead against raw httpx2, on the same simulator endpoints, same run.

    .venv/bin/python bench/tt_client.py [--quick]

The simulator runs in a child process under uvicorn on loopback, so its CPU does not compete with
the measured loop for the GIL. Each scenario alternates raw and client rounds (so drift hits
both) and reports the median throughput of each; ``ratio`` = client / raw (target >= 0.8).
Raw means what a careful caller must do at minimum: send with auth and User-Agent, parse the
JSON and check ``response.status``. The client adds the catalog, budget hook, retry wrappers,
envelope checks and pydantic models.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx2

from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "tt_client.json"
ACCOUNT = 1725

# Started in the child: the simulator app, served by uvicorn; prints the App Password first.
SERVER = """
import sys, uvicorn
from ghltt.sandbox.trackingtime.simulator import TrackingTimeSimulator
sim = TrackingTimeSimulator()
print(sim.seeded[0].app_password, flush=True)
uvicorn.run(sim.app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[str], str, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    app_password = proc.stdout.readline().strip()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, base, app_password
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the simulator did not start")


Op = Callable[[], Awaitable[int]]


async def timed(op: Op, count: int, concurrency: int) -> float:
    """Requests per second for ``count`` calls of ``op``, ``concurrency`` at a time."""
    per_worker = max(1, count // concurrency)

    async def worker() -> None:
        for _ in range(per_worker):
            await op()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return per_worker * concurrency / (time.perf_counter() - started)


async def scenario(
    name: str, raw: Op, client: Op, *, count: int, rounds: int, concurrency: int
) -> dict[str, Any]:
    await raw(), await client()  # warm connections and caches
    raw_rps: list[float] = []
    client_rps: list[float] = []
    for _ in range(rounds):
        raw_rps.append(await timed(raw, count, concurrency))
        client_rps.append(await timed(client, count, concurrency))
    raw_med, client_med = statistics.median(raw_rps), statistics.median(client_rps)
    return {
        "name": name,
        "concurrency": concurrency,
        "requests_per_round": count,
        "rounds": rounds,
        "raw_rps": round(raw_med, 1),
        "client_rps": round(client_med, 1),
        "ratio": round(client_med / raw_med, 3),
        "raw_ms": round(1000 * concurrency / raw_med, 3),
        "client_ms": round(1000 * concurrency / client_med, 3),
    }


def ok(response: httpx2.Response) -> Any:
    body = response.json()
    if response.status_code != 200 or body["response"]["status"] != 200:
        raise RuntimeError(f"raw call failed: {body['response']}")
    return body["data"]


async def run(quick: bool) -> dict[str, Any]:
    proc, base, app_password = start_server()
    try:
        creds = AppPassword(app_password)
        api = f"{base}/api/v4"
        headers = {"Authorization": creds.authorization(), "User-Agent": "bench-raw/1.0"}
        async with (
            httpx2.AsyncClient(base_url=api, headers=headers) as raw,
            TrackingTimeClient(
                creds, account_id=ACCOUNT, base_url=api, account_timezone="America/New_York"
            ) as tt,
        ):
            customer_id = ok(await raw.get(f"/{ACCOUNT}/customers"))[0]["id"]
            page = {"filter": "COMPANY", "from": "2000-01-01", "to": "2100-01-01"}
            page |= {"page": 0, "page_size": 100}

            async def raw_customer() -> int:
                return len(ok(await raw.get(f"/{ACCOUNT}/customers/{customer_id}")))

            async def client_customer() -> int:
                return (await tt.customers.get(customer_id)).id

            async def raw_events() -> int:
                return len(ok(await raw.get(f"/{ACCOUNT}/events", params=page)))

            async def client_events() -> int:
                entries = tt.events.iterate(
                    filter="COMPANY", from_=date(2000, 1, 1), to=date(2100, 1, 1), page_size=100
                )
                count = 0
                async for _ in entries:
                    count += 1
                    if count == 100:
                        break
                return count

            count, rounds = (60, 3) if quick else (400, 7)
            results = [
                await scenario(
                    "customers.get",
                    raw_customer,
                    client_customer,
                    count=count,
                    rounds=rounds,
                    concurrency=1,
                ),
                await scenario(
                    "customers.get x8",
                    raw_customer,
                    client_customer,
                    count=count,
                    rounds=rounds,
                    concurrency=8,
                ),
                await scenario(
                    "events.list page of 100",
                    raw_events,
                    client_events,
                    count=max(20, count // 4),
                    rounds=rounds,
                    concurrency=1,
                ),
            ]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {
        "benchmark": "tt_client",
        "quick": quick,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "target_ratio": 0.8,
        "scenarios": results,
        "min_ratio": min(r["ratio"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run")
    args = parser.parse_args()
    report = asyncio.run(run(args.quick))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"TrackingTime client vs raw httpx2 ({'quick' if args.quick else 'full'} run)")
    print(f"{'scenario':28} {'raw req/s':>10} {'client req/s':>13} {'ratio':>7}")
    for r in report["scenarios"]:
        print(f"{r['name']:28} {r['raw_rps']:>10} {r['client_rps']:>13} {r['ratio']:>7}")
    verdict = "meets" if report["min_ratio"] >= 0.8 else "misses"
    print(f"min ratio {report['min_ratio']} {verdict} the 0.8 target; wrote {RESULTS}")


if __name__ == "__main__":
    main()
