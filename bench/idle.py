"""What an idle worker costs, and how fast it wakes for a change that arrives while it idles.

One command: ``python bench/idle.py [--database sqlite|postgres|both] [--seconds 10]``. For each
database it starts the stack of ``bench/e2e.py`` (both simulators, ghltt's web part with
``--no-executor`` and one ``ghltt worker``, each its own process), lets the bridge's first poll
settle, creates a few contacts, and then:

1. wake: one GHL change every ``1/--trickle`` seconds (default: every 2 s) on an otherwise
   idle stack: latency from the change to its TT write and to its run's end in the store,
   and the worker's CPU per second meanwhile (lightly loaded);
2. idle, once the worker is past its first minute (DBOS's scheduler polls faster before):
   CPU per second of every process (and, on PostgreSQL, of the server's backends for the
   bench database, and its transactions per second) over ``--rounds`` windows of
   ``--seconds``, nothing arriving;
3. statements: the worker restarted under ``bench/_e2e_profile.py``'s ``sql`` mode idles
   ``--seconds`` more: every statement of every engine it runs, per second (BEGIN, COMMIT,
   ROLLBACK and a connection's reset on its return to the pool count as one each), between
   two snapshots taken after its first minute.

A worker that polls pays in steps 2 and 3 whether or not anything happens; step 1 says what
its wake-up costs in latency. Prints and writes ``bench/results/idle.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _e2e_stack import Stack
from e2e import create_contacts, phase_latency
from ghltt.store.executors import ExecutorRepository

RESULTS = Path(__file__).resolve().parent / "results"


def _proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server(stack: Stack) -> tuple[dict[int, float], int]:
    """The bench database's backends (pid -> CPU seconds) and its transactions so far."""
    if stack.pg_name is None:
        return {}, 0
    with psycopg.connect(stack.pg_admin_url, autocommit=True) as conn:
        pids = [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (stack.pg_name,)
            )
        ]
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            (stack.pg_name,),
        ).fetchone()
    cpu = {pid: c for pid in pids if (c := _proc_cpu(pid)) is not None}
    return cpu, int(row[0]) if row else 0


def phase_idle(stack: Stack, seconds: float) -> dict[str, Any]:
    before, started = stack.cpu_seconds(), time.monotonic()
    server_before, xacts_before = _server(stack)
    time.sleep(seconds)
    after, elapsed = stack.cpu_seconds(), time.monotonic() - started
    server_after, xacts_after = _server(stack)
    out: dict[str, Any] = {
        "cpu_ms_per_second_by_process": {
            name: round((after[name] - before.get(name, 0.0)) * 1000 / elapsed, 1) for name in after
        }
    }
    if stack.pg_name is not None:
        # Backends that lived through the window (a new one's start-up is not the polls').
        spent = sum(server_after[p] - server_before[p] for p in server_after if p in server_before)
        out["server_cpu_ms_per_second"] = round(spent * 1000 / elapsed, 1)
        # Our own two snapshot reads count as one transaction each.
        out["server_transactions_per_second"] = round((xacts_after - xacts_before - 2) / elapsed, 1)
    return out


def phase_statements(stack: Stack, seconds: float, out: Path) -> dict[str, Any]:
    """The worker restarted under the ``sql`` profile: what it runs per second while idle,
    counted between two snapshots (SIGUSR1) once its start-up is over."""
    os.environ["GHLTT_BENCH_PROFILE_MODE"] = "sql"
    stack.stop_worker()
    stack.start_worker(profile=out)
    _wait_started(stack)
    time.sleep(WARMUP)
    counts = []
    for wait in (0.0, seconds):
        time.sleep(wait)
        out.unlink(missing_ok=True)
        stack.procs["worker"].send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        counts.append(dict(json.loads(out.read_text())["by_text"]))
    stack.stop_worker()
    stack.start_worker()
    first, second = counts
    extra = {text: n - first.get(text, 0) for text, n in second.items()}
    ranked = sorted(((t, n) for t, n in extra.items() if n > 0), key=lambda kv: -kv[1])
    return {
        "seconds": seconds,
        "statements_per_second": round(sum(n for _, n in ranked) / seconds, 1),
        "top": [(text, round(n / seconds, 2)) for text, n in ranked[:25]],
    }


# DBOS's scheduler polls its schedules every second for its first minute, then every 5 s.
WARMUP = 62.0


def _wait_started(stack: Stack, timeout: float = 120) -> float:
    """Until the worker's first heartbeat: its executor is up (DBOS launched, loops started)."""
    assert stack.db is not None
    pid = stack.procs["worker"].pid
    deadline = time.monotonic() + timeout
    while True:
        for beat in ExecutorRepository(stack.db).alive(within=60):
            if beat.pid == pid:
                return beat.started_at.timestamp()
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not start; see its log")
        time.sleep(0.1)


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ghltt-idle-") as tmp:
        stack = Stack(Path(tmp), database, None, 1)
        try:
            stack.start()
            started = _wait_started(stack)
            time.sleep(6)  # the bridge's first reconciliation poll
            stack.wait_settled(datetime.fromtimestamp(0, UTC), 0, timeout=60)
            since = datetime.now(UTC)
            contacts = asyncio.run(create_contacts(stack, args.contacts))
            stack.wait_settled(since, 2 * len(contacts), timeout=120)
            cpu_before, trickle_started = stack.cpu_seconds(), time.monotonic()
            wake = phase_latency(
                stack, contacts, args.trickle, args.trickle_seconds, first_seq=5_000_000
            )
            # Lightly loaded: the worker's CPU per second over the trickle (and its drain).
            trickle_cpu = round(
                (stack.cpu_seconds()["worker"] - cpu_before["worker"])
                * 1000
                / (time.monotonic() - trickle_started),
                1,
            )
            print(
                f"[{database}] wake: change->TT write {wake['change_to_tt_write']}, "
                f"change->run processed {wake['change_to_run_processed']}, "
                f"worker CPU {trickle_cpu} ms/s",
                file=sys.stderr,
            )
            time.sleep(max(2.0, started + WARMUP - time.time()))
            idle = [phase_idle(stack, args.seconds) for _ in range(args.rounds)]
            worker = [r["cpu_ms_per_second_by_process"].get("worker", 0.0) for r in idle]
            print(f"[{database}] idle worker CPU ms/s per round: {worker}", file=sys.stderr)
            if stack.pg_name is not None:
                print(
                    f"[{database}] server CPU ms/s per round "
                    f"{[r['server_cpu_ms_per_second'] for r in idle]}, transactions/s "
                    f"{[r['server_transactions_per_second'] for r in idle]}",
                    file=sys.stderr,
                )
            statements = phase_statements(
                stack, args.seconds, Path(tmp) / f"idle-sql-{database}.json"
            )
            print(
                f"[{database}] idle worker statements/s: {statements['statements_per_second']}",
                file=sys.stderr,
            )
        finally:
            stack.close()
    return {
        "idle_rounds": idle,
        "idle_worker_cpu_ms_per_second": worker,
        "wake": {
            "rate_per_second": args.trickle,
            "change_to_tt_write": wake["change_to_tt_write"],
            "change_to_run_processed": wake["change_to_run_processed"],
            "missing": wake["missing"],
            "worker_cpu_ms_per_second": trickle_cpu,
        },
        "idle_worker_statements": statements,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10, help="length of an idle window")
    parser.add_argument("--rounds", type=int, default=3, help="idle windows measured")
    parser.add_argument("--contacts", type=int, default=5)
    parser.add_argument("--trickle", type=float, default=0.5, help="changes per second (wake)")
    parser.add_argument("--trickle-seconds", type=float, default=20)
    args = parser.parse_args()
    report_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # provisioning logs to stdout; keep it for the JSON report
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    report: dict[str, Any] = {
        "benchmark": "idle",
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
    }
    for database in databases:
        report[database] = run_database(database, args)
    report["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "idle.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2), file=report_out, flush=True)


if __name__ == "__main__":
    main()
