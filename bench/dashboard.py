"""Dashboard benchmark: every page's server time with 1,000,000 runs in the store.

One command: ``python bench/dashboard.py [--runs N] [--samples K] [--database-url URL]``.
It fills a fresh store (SQLite in a temporary directory unless a URL is given) with N runs
and their events in bulk, spread over 30 days across three bridges, then serves the app on
loopback (no executor), logs in, and requests each page K times. It prints and writes
``bench/results/dashboard.json``: p50/p95/max milliseconds per page at the server (from the
request's arrival to the response's last byte, timed by an ASGI wrapper around the app) and
p95 at the client (loopback round trip included). Target (issue 14): server p95 under 200 ms
for every page.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import sqlalchemy as sa
import uvicorn

from ghltt.settings import load_settings
from ghltt.store import open_database, upgrade
from ghltt.store.tables import bridges, inbox_events, runs
from ghltt.store.tokens import token_file
from ghltt.web import create_app

RESULTS = Path(__file__).resolve().parent / "results"
BRIDGES = ["br_bench_a", "br_bench_b", "br_bench_c"]
RECIPES = ["contacts", "tasks", "notes", "hours"]
CHUNK = 20_000


def _fill(db: sa.Engine, count: int) -> dict[str, str]:
    """``count`` runs with their events, newest now, in bulk inserts; a few ids to look up."""
    now = datetime.now(UTC)
    rng = random.Random(14)
    with db.begin() as conn:
        for b in BRIDGES:
            conn.execute(
                bridges.insert().values(
                    id=b,
                    name=b.removeprefix("br_"),
                    mode="live",
                    settings={},
                    created_at=now,
                    updated_at=now,
                )
            )
    step = timedelta(days=30) / count
    sample: dict[str, str] = {}
    for start in range(0, count, CHUNK):
        events, rows = [], []
        for i in range(start, min(start + CHUNK, count)):
            at = now - step * i
            bridge = BRIDGES[i % 3]
            source = "tt" if i % 5 == 0 else "ghl"
            status = "failed" if i % 50 == 0 else "running" if i < 20 else "succeeded"
            events.append(
                {
                    "id": f"ev{i:09d}",
                    "bridge_id": bridge,
                    "dedup_key": f"bench:{i}",
                    "source": source,
                    "kind": "contact.updated",
                    "object_type": "contact",
                    "object_id": f"rec{rng.randrange(10**12):012d}",
                    "origin": "webhook",
                    "occurred_at": at,
                    "received_at": at,
                    "payload": {},
                }
            )
            rows.append(
                {
                    "id": f"run{i:09d}",
                    "workflow_id": f"event:ev{i:09d}",
                    "event_id": f"ev{i:09d}",
                    "bridge_id": bridge,
                    "recipe": f"{bridge}:{RECIPES[i % 4]}",
                    "status": status,
                    "error": "TT: 401" if status == "failed" else None,
                    "started_at": at,
                    "finished_at": None if status == "running" else at + timedelta(seconds=1),
                }
            )
        with db.begin() as conn:
            conn.execute(inbox_events.insert(), events)
            conn.execute(runs.insert(), rows)
        if start == 0:
            sample = {"run": rows[100]["id"], "record": events[777]["object_id"]}
        print(f"\r  filled {min(start + CHUNK, count):,} runs", end="", flush=True)
    print()
    # Fresh statistics (and, on PostgreSQL, a visibility map for index-only scans), as a
    # long-running store has them from autovacuum.
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if db.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:
            for table in ("runs", "inbox_events", "record_links"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    return sample


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerTimer:
    """ASGI wrapper: how long the app took for each request, by path and query."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: dict[str, list[float]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        await self.app(scope, receive, send)
        key = scope["path"] + (
            "?" + scope["query_string"].decode() if scope["query_string"] else ""
        )
        self.times.setdefault(key, []).append((time.perf_counter() - began) * 1000)


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1)


def _pages(sample: dict[str, str], older: str) -> dict[str, str]:
    return {
        "overview": "/",
        "runs": "/runs",
        "runs: failed": "/runs?status=failed",
        "runs: running": "/runs?status=running",
        "runs: bridge": f"/runs?bridge={BRIDGES[1]}",
        "runs: recipe": f"/runs?recipe={BRIDGES[0]}:tasks",
        "runs: source tt, 24h": "/runs?source=tt&window=24h",
        "runs: bridge+status+7d": f"/runs?bridge={BRIDGES[2]}&status=failed&window=7d",
        "runs: record id": f"/runs?record={sample['record']}",
        "runs: older page": older,
        "run detail": f"/runs/{sample['run']}",
        "connections": "/connections",
        "bridges": "/bridges",
        "plan preview": "/preview",
        "imports": "/imports",
        "catalog": "/catalog",
        "catalog: search tt": "/catalog?system=tt&q=customer",
        "catalog entry": "/catalog/ghl.contacts.create",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ghltt-bench-dashboard-") as tmp:
        settings = load_settings(
            data_dir=Path(tmp) / "data", database_url=args.database_url, log_level="warning"
        )
        db = open_database(settings.store_url)
        upgrade(db)
        began = time.monotonic()
        sample = _fill(db, args.runs)
        fill_seconds = time.monotonic() - began
        db.dispose()

        port = _free_port()
        app = ServerTimer(create_app(settings, with_executor=False))
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        results: dict[str, Any] = {}
        with httpx2.Client(base_url=base, timeout=30) as client:
            token = token_file(settings.data_dir).read_text().strip()
            assert client.post("/login", data={"secret": token}).status_code == 303
            deep = client.get("/runs").text
            older = deep.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
            for name, path in _pages(sample, older.replace("&amp;", "&")).items():
                client.get(path)  # warm
                app.times.clear()
                seen = []
                for _ in range(args.samples):
                    t0 = time.perf_counter()
                    answer = client.get(path)
                    seen.append((time.perf_counter() - t0) * 1000)
                    assert answer.status_code == 200, (path, answer.status_code)
                [at_server] = app.times.values()
                results[name] = {
                    "path": path,
                    "p50_ms": round(statistics.median(at_server), 1),
                    "p95_ms": _p95(at_server),
                    "max_ms": round(max(at_server), 1),
                    "client_p95_ms": _p95(seen),
                }
                print(
                    f"  {name:26} server p50 {results[name]['p50_ms']:7.1f} ms"
                    f"   p95 {results[name]['p95_ms']:7.1f} ms"
                    f"   (client p95 {results[name]['client_p95_ms']:7.1f} ms)"
                )
        server.should_exit = True

    worst = max(r["p95_ms"] for r in results.values())
    report = {
        "benchmark": "dashboard",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "database": "postgresql" if args.database_url else "sqlite",
        "runs": args.runs,
        "fill_seconds": round(fill_seconds, 1),
        "samples_per_page": args.samples,
        "pages": results,
        "worst_p95_ms": worst,
        "target_p95_ms": 200,
        "meets_target": worst < 200,
    }
    RESULTS.mkdir(exist_ok=True)
    name = "dashboard.json" if not args.database_url else "dashboard-postgresql.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n")
    print(f"worst p95: {worst} ms (target < 200 ms) -> {RESULTS / name}")
    sys.exit(0 if worst < 200 else 1)


if __name__ == "__main__":
    main()
