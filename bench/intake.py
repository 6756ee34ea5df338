"""Intake benchmark: durable acceptance against a non-persisting twin endpoint of the same app.

One command: ``python bench/intake.py [--events N] [--quick]``. It starts ``ghltt serve`` on
loopback (embedded default: SQLite, executor processing what arrives), posts N distinct events
to ``/bench/baseline/events`` (same parsing and auth, nothing stored) and then N to the durable
``/api/events``, and prints and writes ``bench/results/intake.json``: accepted events/s and
p50/p99 acknowledgement latency for both, their ratio, and whether the count of committed
events equals the count acknowledged. Targets (issue 2): >= 2,000 events/s, p99 <= 100 ms,
nothing lost.

The load comes from wrk when it is installed (``apt-get install wrk``), else from a lean
asyncio client; the report says which. On 2 cores the Python client takes CPU the server
would otherwise use, so its figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _wrk
from _http import LoadResult, post_many

RESULTS = Path(__file__).resolve().parent / "results"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(data_dir: Path, port: int, executor: bool) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GHLTT_")}
    env.update(
        GHLTT_DATA_DIR=str(data_dir),
        GHLTT_PORT=str(port),
        GHLTT_BENCH_BASELINE="true",
        GHLTT_SANDBOX_WHEN_EMPTY="false",
        GHLTT_LOG_LEVEL="warning",
    )
    log = (data_dir.parent / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ghltt", "serve", *([] if executor else ["--no-executor"])],
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx2.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("ghltt did not start; see serve.log")


def _body(prefix: str) -> Any:
    def make(i: int) -> bytes:
        event = {
            "bridge": "default",  # no bridge: /api/events refuses unknown ones
            "source": "ghl",
            "kind": "contact.updated",
            "object_type": "contact",
            "object_id": f"c{i % 5000}",
            "dedup_key": f"{prefix}-{i}",
            "payload": {"type": "ContactUpdate", "id": f"c{i % 5000}", "email": f"u{i}@x.io"},
        }
        return json.dumps(event).encode()

    return make


def _summary(result: LoadResult) -> dict[str, Any]:
    accepted = result.statuses.get(202, 0)
    return {
        "requests": result.sent,
        "accepted": accepted,
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
        "seconds": round(result.seconds, 3),
        "events_per_second": round(accepted / result.seconds, 1) if result.seconds else 0,
        "p50_ms": round(result.percentile(50) * 1000, 2),
        "p99_ms": round(result.percentile(99) * 1000, 2),
        "max_ms": round(max(result.latencies, default=0) * 1000, 2),
    }


def _load(
    generator: str, port: int, path: str, token: str, prefix: str, count: int, connections: int
) -> tuple[dict[str, Any], set[str] | None]:
    """Post ``count`` events; returns the summary and, from the Python client, the acked ids."""
    if generator == "wrk":
        return _wrk.post_count(port, path, token, prefix, count, connections), None
    result = asyncio.run(
        post_many(port, path, token, _body(prefix), count, connections, keep_bodies=True)
    )
    acked = {
        item["event_id"]
        for body in result.bodies
        for item in json.loads(body)["accepted"]
        if not item["duplicate"]
    }
    return _summary(result), acked


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000, help="events per endpoint")
    parser.add_argument("--connections", type=int, default=32, help="concurrent senders")
    parser.add_argument("--quick", action="store_true", help="2,000 events: a smoke run")
    parser.add_argument(
        "--no-executor", action="store_true", help="measure intake with no runs processing"
    )
    parser.add_argument(
        "--generator", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    args = parser.parse_args()
    count = 2_000 if args.quick else args.events
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if _wrk.available() else "python"

    with tempfile.TemporaryDirectory(prefix="ghltt-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        port = _free_port()
        proc = _start(data_dir, port, executor=not args.no_executor)
        try:
            token = (data_dir / "api-token").read_text().strip()
            # Warm both paths so neither pays first-request costs in its figures.
            asyncio.run(post_many(port, "/bench/baseline/events", token, _body("warm-b"), 200, 8))
            asyncio.run(post_many(port, "/api/events", token, _body("warm-d"), 200, 8))
            baseline, _ = _load(
                generator, port, "/bench/baseline/events", token, "b", count, args.connections
            )
            durable, acked_ids = _load(
                generator, port, "/api/events", token, "d", count, args.connections
            )
            with sqlite3.connect(data_dir / "ghltt.sqlite") as db:
                committed = {
                    row[0]
                    for row in db.execute(
                        "SELECT id FROM inbox_events WHERE dedup_key LIKE 'ghl:d-%'"
                    )
                }
                processed = db.execute(
                    "SELECT count(*) FROM inbox_events WHERE processed_at IS NOT NULL"
                ).fetchone()[0]
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    acknowledged = durable["accepted"]
    if acked_ids is not None:  # exact: every acknowledged id must be among the committed
        lost = len(acked_ids - committed)
    else:  # wrk sees counts only; in-flight requests at its stop may be committed unacked
        lost = max(0, acknowledged - len(committed))
    report = {
        "benchmark": "intake",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "generator": generator,
        "events": count,
        "connections": args.connections,
        "executor_running": not args.no_executor,
        "baseline": baseline,
        "durable": durable,
        "ratio_events_per_second": round(
            durable["events_per_second"] / max(baseline["events_per_second"], 1e-9), 3
        ),
        "acknowledged": acknowledged,
        "committed": len(committed),
        "lost": lost,
        "processed_during_run": processed,
        "targets": {"events_per_second": 2000, "p99_ms": 100, "lost": 0},
    }
    report["meets_targets"] = bool(
        durable["events_per_second"] >= 2000 and durable["p99_ms"] <= 100 and lost == 0
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "intake.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
