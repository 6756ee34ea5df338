"""End-to-end benchmark (issue 5): GHL change -> signed webhook -> ghltt -> TrackingTime.

One command: ``python bench/e2e.py [--quick] [--database sqlite|postgres|both]``. For each
database it starts the GHL and TrackingTime simulators, ghltt's web part and its worker, each
in its own process on loopback (no simulated latency), provisions a bridge with the contacts
template against the simulators over HTTP, points the GHL simulator's webhooks at ghltt, and:

1. creates ``--contacts`` GHL contacts and lets them sync (setup, timed for context);
2. latency: updates contacts at ``--rate`` per second for ``--seconds``; each update carries a
   marker that reaches TT in the customer's name, so TT's request log timestamps the write
   that reflects it -> p50/p99 from the change in GHL to the write in TT;
3. remote calls per synced change, from both simulators' request logs over that window (admin
   calls are not logged; the benchmark's own GHL calls carry ``?bench=1`` and are excluded);
4. sustained runs/s: with the worker stopped, one update per contact piles up in the inbox;
   a fresh worker then drains it, timed from the inbox's ``processed_at``;
5. baseline: the same backlog with the recipe disabled (every run ``no_match``): the
   pipeline's own cost, without remote calls or sync work.

With ``--prefill N`` (issue 12), step 4 runs twice: on the store as the setup left it, then,
after adding N runs with their events, steps, provenance, N links with both snapshots and
DBOS's workflow records (``bench/_e2e_prefill.py``, bulk SQL), on the grown store. Worker CPU
per synced run on both stands side by side (target: within 10%).

Prints and writes ``bench/results/e2e.json``. Targets: p99 <= 1 s, <= 2.0 remote calls per
synced change, >= 150 runs/s on SQLite and >= 300 on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _e2e_prefill import prefill
from _e2e_stack import Stack
from ghltt.store import open_database

RESULTS = Path(__file__).resolve().parent / "results"
MARK = re.compile(r"Q(\d{7})")
RUNS_PER_SECOND = {"sqlite": 150, "postgres": 300}


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 1)


def _dist(values_ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(values_ms),
        "p50_ms": _pct(values_ms, 50),
        "p90_ms": _pct(values_ms, 90),
        "p99_ms": _pct(values_ms, 99),
        "max_ms": round(max(values_ms), 1) if values_ms else None,
    }


def _epoch(value: datetime | str) -> float:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:  # the store hands back UTC
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _shape(path: str) -> str:
    """A path with its ids folded, so calls group by operation."""
    parts = [
        "{id}" if (any(c.isdigit() for c in p) and len(p) >= 4) or len(p) >= 16 else p
        for p in path.split("/")
    ]
    return "/".join(parts)


# ---- the simulators' request logs --------------------------------------------------------
def clear_logs(stack: Stack) -> None:
    httpx2.delete(f"{stack.ghl_url}/_admin/requests").raise_for_status()
    httpx2.delete(f"{stack.tt_url}/_admin/requests").raise_for_status()


def remote_calls(stack: Stack) -> dict[str, Any]:
    ghl = httpx2.get(f"{stack.ghl_url}/_admin/requests", timeout=60).json()["requests"]
    tt = httpx2.get(f"{stack.tt_url}/_admin/requests", timeout=60).json()["requests"]
    ghl = [r for r in ghl if "bench=1" not in (r.get("query") or "")]
    by_op = Counter(f"ghl {r['method']} {_shape(r['path'])}" for r in ghl)
    by_op.update(f"tt {r['method']} {_shape(r['path'])}" for r in tt)
    return {"ghl": len(ghl), "tt": len(tt), "by_operation": dict(by_op.most_common()), "tt_log": tt}


# ---- load on the GHL simulator -----------------------------------------------------------
def _ghl(stack: Stack) -> httpx2.AsyncClient:
    headers = {"Authorization": f"Bearer {stack.ghl_token}", "Version": "2021-07-28"}
    limits = httpx2.Limits(max_connections=32, max_keepalive_connections=32)
    return httpx2.AsyncClient(base_url=stack.ghl_url, headers=headers, timeout=30, limits=limits)


async def create_contacts(stack: Stack, count: int, concurrency: int = 16) -> list[str]:
    ids: list[str | None] = [None] * count
    todo = iter(range(count))

    async def worker(client: httpx2.AsyncClient) -> None:
        for i in todo:
            body = {
                "locationId": stack.location_id,
                "firstName": "Bench",
                "lastName": f"C{i}",
                "email": f"bench{i}@example.com",
            }
            response = await client.post("/contacts/?bench=1", json=body)
            response.raise_for_status()
            ids[i] = str(response.json()["contact"]["id"])

    async with _ghl(stack) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return [i for i in ids if i]


def _update(seq: int) -> dict[str, Any]:
    return {"lastName": f"Q{seq:07d}"}


async def paced_updates(
    stack: Stack, contacts: list[str], rate: float, seconds: float, first_seq: int
) -> tuple[dict[int, tuple[str, float]], Counter[int]]:
    """One update every 1/rate s, round robin over the contacts; returns seq -> (id, sent)."""
    sent: dict[int, tuple[str, float]] = {}
    statuses: Counter[int] = Counter()

    async def put(client: httpx2.AsyncClient, contact: str, seq: int) -> None:
        response = await client.put(f"/contacts/{contact}?bench=1", json=_update(seq))
        statuses[response.status_code] += 1

    async with _ghl(stack) as client:
        tasks = []
        start = time.monotonic()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            seq, contact = first_seq + i, contacts[i % len(contacts)]
            sent[seq] = (contact, time.time())
            tasks.append(asyncio.create_task(put(client, contact, seq)))
        await asyncio.gather(*tasks)
    return sent, statuses


async def burst_updates(
    stack: Stack, contacts: list[str], first_seq: int, concurrency: int = 16
) -> tuple[float, Counter[int]]:
    statuses: Counter[int] = Counter()
    todo = iter(enumerate(contacts))

    async def worker(client: httpx2.AsyncClient) -> None:
        for i, contact in todo:
            response = await client.put(f"/contacts/{contact}?bench=1", json=_update(first_seq + i))
            statuses[response.status_code] += 1

    started = time.perf_counter()
    async with _ghl(stack) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return time.perf_counter() - started, statuses


def drain_webhooks(stack: Stack) -> None:
    httpx2.post(f"{stack.ghl_url}/_admin/webhooks/drain?timeout=300", timeout=330)


# ---- phases ------------------------------------------------------------------------------
def phase_creates(stack: Stack, count: int) -> tuple[list[str], dict[str, Any]]:
    clear_logs(stack)
    since = datetime.now(UTC)
    started = time.perf_counter()
    contacts = asyncio.run(create_contacts(stack, count))
    # Each create is a run that writes the TT customer and the TT id back to GHL, whose
    # ContactUpdate webhook is a second run (an echo).
    settled = stack.wait_settled(since, 2 * count, timeout=60 + count)
    seconds = time.perf_counter() - started
    calls = remote_calls(stack)
    outcomes = Counter(e.outcome for e in stack.events_since(since))
    adds = sum(1 for r in calls["tt_log"] if "customers/add" in r["path"])
    return contacts, {
        "contacts": len(contacts),
        "settled": settled,
        "seconds": round(seconds, 2),
        "tt_customers_added": adds,
        "outcomes": dict(outcomes),
        "remote_calls_per_created_contact": round((calls["ghl"] + calls["tt"]) / max(count, 1), 2),
        "calls_by_operation": calls["by_operation"],
    }


def phase_latency(
    stack: Stack, contacts: list[str], rate: float, seconds: float, first_seq: int
) -> dict[str, Any]:
    clear_logs(stack)
    since = datetime.now(UTC)
    sent, statuses = asyncio.run(paced_updates(stack, contacts, rate, seconds, first_seq))
    send_seconds = max(t for _, t in sent.values()) - min(t for _, t in sent.values())
    settled = stack.wait_settled(since, len(sent), timeout=120 + len(sent))
    calls = remote_calls(stack)
    # The TT write that reflects change `seq` is the first one on that contact carrying `seq`
    # or a later marker: a run reads the contact's current state, so it may write a newer one.
    writes: dict[str, list[tuple[float, int]]] = {}
    for r in calls["tt_log"]:
        found = MARK.search(json.dumps(r.get("params") or {}))
        if r["method"] != "GET" and found and int(found.group(1)) in sent:
            seq = int(found.group(1))
            writes.setdefault(sent[seq][0], []).append((_epoch(r["at"]), seq))
    latencies, superseded, missing = [], 0, 0
    for seq, (contact, at) in sent.items():
        hit = min((w for w in writes.get(contact, []) if w[1] >= seq), default=None)
        if hit is None:
            missing += 1
            continue
        superseded += hit[1] != seq
        latencies.append((hit[0] - at) * 1000)
    # Where the time goes, from ghltt's store: GHL change -> webhook acknowledged -> processed.
    to_intake, to_processed = [], []
    for event in stack.events_since(since):
        found = MARK.search(json.dumps(event.payload))
        if not found or int(found.group(1)) not in sent:
            continue
        at = sent[int(found.group(1))][1]
        to_intake.append((_epoch(event.received_at) - at) * 1000)
        if event.processed_at is not None:
            to_processed.append((_epoch(event.processed_at) - at) * 1000)
    changes = len(sent)
    total_calls = calls["ghl"] + calls["tt"]
    return {
        "changes": changes,
        "rate_per_second": round(changes / send_seconds, 1) if send_seconds else None,
        "ghl_statuses": {str(k): v for k, v in statuses.items()},
        "settled": settled,
        "reflected_in_tt": len(latencies),
        "superseded_by_a_later_change": superseded,
        "missing": missing,
        "change_to_tt_write": _dist(latencies),
        "change_to_ghltt_ack": _dist(to_intake),
        "change_to_run_processed": _dist(to_processed),
        "remote_calls": {"ghl": calls["ghl"], "tt": calls["tt"], "total": total_calls},
        "remote_calls_per_change": round(total_calls / max(changes, 1), 3),
        "calls_by_operation": calls["by_operation"],
    }


def phase_backlog(
    stack: Stack, contacts: list[str], first_seq: int, label: str, profile: Path | None = None
) -> dict[str, Any]:
    """One update per contact piles up with no worker running; a fresh worker drains it."""
    stack.stop_worker()
    clear_logs(stack)
    since = datetime.now(UTC)
    push_seconds, statuses = asyncio.run(burst_updates(stack, contacts, first_seq))
    drain_webhooks(stack)
    arrived = stack.wait_settled_intake(since, len(contacts), timeout=120)
    worker_started = time.time()
    stack.start_worker(profile)
    # CPU per run of each process, counted from the first completion (the worker's start-up,
    # imports and DBOS launch, is not the runs' cost).
    deadline = time.monotonic() + 120
    while stack.processed_count(since) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    cpu_before, first_count = stack.cpu_seconds(), stack.processed_count(since)
    measure_started = time.monotonic()
    settled = stack.wait_settled(since, len(contacts), timeout=60 + len(contacts))
    cpu_after = stack.cpu_seconds()
    measured_seconds = time.monotonic() - measure_started
    runs_measured = max(len(contacts) - first_count, 1)
    cpu_ms_per_run = {
        name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / runs_measured, 2)
        for name in cpu_after
    }
    # The worker's idle polls (DBOS's threads, the dispatcher's safety pass; see
    # docs/operations.md) cost CPU per second, not per run: on a loaded machine, at a few
    # runs a second, they can be much of the figure above. Measured idle right after the
    # drain and taken out, the rest is what the runs cost.
    idle_ms_per_second = _idle_cpu_ms_per_second(stack, IDLE_SECONDS)
    net_ms_per_run = {
        name: round(
            cpu_ms_per_run[name] - idle * measured_seconds / runs_measured,
            2,
        )
        for name, idle in idle_ms_per_second.items()
        if name in cpu_ms_per_run
    }
    events = stack.events_since(since)
    done = sorted(_epoch(e.processed_at) for e in events if e.processed_at is not None)
    span = done[-1] - done[0] if len(done) > 1 else 0.0
    # Steady state: the middle 80% of completions, clear of start-up and the last stragglers.
    first, last = len(done) // 10, (len(done) * 9) // 10
    lo, hi = (done[first], done[last]) if done else (0.0, 0.0)
    calls = remote_calls(stack)
    tt_writes = sum(1 for r in calls["tt_log"] if r["method"] != "GET" and "update" in r["path"])
    return {
        "label": label,
        "changes": len(contacts),
        "pushed_per_second": round(len(contacts) / push_seconds, 1),
        "ghl_statuses": {str(k): v for k, v in statuses.items()},
        "all_in_inbox_before_worker": arrived,
        "settled": settled,
        "processed": len(done),
        "outcomes": dict(Counter(e.outcome for e in events)),
        "seconds_first_to_last": round(span, 2),
        "runs_per_second": round((len(done) - 1) / span, 1) if span else None,
        "runs_per_second_middle_80pct": round((last - first) / (hi - lo), 1) if hi > lo else None,
        "seconds_worker_start_to_first": round(done[0] - worker_started, 2) if done else None,
        "cpu_ms_per_run_by_process": cpu_ms_per_run,
        "idle_cpu_ms_per_second_by_process": idle_ms_per_second,
        "cpu_ms_per_run_net_of_idle_by_process": net_ms_per_run,
        "tt_customer_updates": tt_writes,
        "remote_calls_per_change": round((calls["ghl"] + calls["tt"]) / len(contacts), 3),
        "calls_by_operation": calls["by_operation"],
    }


IDLE_SECONDS = 8.0


def _idle_cpu_ms_per_second(stack: Stack, seconds: float) -> dict[str, float]:
    """CPU per second of each process with nothing left to do."""
    before, started = stack.cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    after, elapsed = stack.cpu_seconds(), time.monotonic() - started
    return {
        name: round((after[name] - before.get(name, 0.0)) * 1000 / elapsed, 1) for name in after
    }


def _worker_cpu_net(phase: dict[str, Any]) -> float:
    """CPU per run of all worker processes together, their idle polling taken out (ms)."""
    cpu = phase["cpu_ms_per_run_net_of_idle_by_process"]
    return round(sum(v for k, v in cpu.items() if k.startswith("worker")), 2)


def _worker_cpu(phase: dict[str, Any]) -> float:
    """CPU per run of all worker processes together (ms)."""
    cpu = phase["cpu_ms_per_run_by_process"]
    return round(sum(v for k, v in cpu.items() if k.startswith("worker")), 2)


def _sims_cpu(phase: dict[str, Any]) -> float:
    """CPU per run of both simulators together (ms): the same requests in every drain."""
    cpu = phase["cpu_ms_per_run_by_process"]
    return round(cpu.get("ghl-sim", 0.0) + cpu.get("tt-sim", 0.0), 2)


def _say(database: str, what: str, phase: dict[str, Any]) -> None:
    print(
        f"[{database}] {what}: {phase['runs_per_second_middle_80pct']} runs/s (middle 80%), "
        f"worker CPU {_worker_cpu(phase)} ms/run ({_worker_cpu_net(phase)} net of its idle "
        f"polling), by process {phase['cpu_ms_per_run_by_process']}",
        file=sys.stderr,
    )


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ghltt-e2e-") as tmp:
        workers = args.pg_workers if database == "postgres" else 1
        stack = Stack(Path(tmp), database, args.bridge_rate_limit, workers)
        try:
            stack.start()
            # The bridge's first reconciliation poll runs at once; let it finish first.
            time.sleep(6)
            stack.wait_settled(datetime.fromtimestamp(0, UTC), 0, timeout=60)
            contacts, creates = phase_creates(stack, args.contacts)
            print(f"[{database}] setup: {json.dumps(creates)[:300]}", file=sys.stderr)
            latency = None
            if args.seconds > 0:
                latency = phase_latency(stack, contacts, args.rate, args.seconds, first_seq=1)
                print(f"[{database}] latency: {latency['change_to_tt_write']}", file=sys.stderr)
            profile = RESULTS / f"e2e-profile-{database}.json" if args.profile else None
            synced = phase_backlog(
                stack, contacts, first_seq=2_000_000, label="contacts recipe", profile=profile
            )
            _say(database, "backlog", synced)
            prefilled = None
            rows = args.prefill_postgres if database == "postgres" else args.prefill
            if rows:
                assert stack.db is not None and stack.settings is not None
                jobs = open_database(stack.settings.jobs_url)
                try:
                    filled = prefill(stack.db, jobs, rows)
                finally:
                    jobs.dispose()
                print(f"[{database}] prefill: {json.dumps(filled)}", file=sys.stderr)
                profile = (
                    RESULTS / f"e2e-profile-{database}-prefilled.json" if args.profile else None
                )
                prefilled = phase_backlog(
                    stack,
                    contacts,
                    first_seq=3_000_000,
                    label=f"contacts recipe, store pre-filled with {rows:,} runs",
                    profile=profile,
                )
                prefilled["prefill"] = filled
                _say(database, "backlog, pre-filled", prefilled)
            stack.disable_recipe()
            profile = RESULTS / f"e2e-profile-{database}-baseline.json" if args.profile else None
            baseline = phase_backlog(
                stack, contacts, first_seq=4_000_000, label="no recipe", profile=profile
            )
            _say(database, "baseline", baseline)
        finally:
            stack.close()
    p99 = latency["change_to_tt_write"]["p99_ms"] if latency else None
    calls = latency["remote_calls_per_change"] if latency else None
    rps = synced["runs_per_second_middle_80pct"] or 0
    target_rps = RUNS_PER_SECOND[database]
    growth = None
    if prefilled is not None:
        empty_cpu = _worker_cpu(synced)
        full_cpu = _worker_cpu(prefilled)
        # The simulators do the same work per run in both drains and never touch the store:
        # their CPU per run moving says the machine got slower or faster in between (load
        # from others, on a shared machine), which the worker's figure carries too.
        sims = [_sims_cpu(synced), _sims_cpu(prefilled)]
        sims_ratio = sims[1] / sims[0] if sims[0] else None
        ratio = full_cpu / empty_cpu if empty_cpu else None
        growth = {
            "prefill_runs": rows,
            "worker_cpu_ms_per_run_empty": empty_cpu,
            "worker_cpu_ms_per_run_prefilled": full_cpu,
            "ratio": None if ratio is None else round(ratio, 3),
            "within_10pct": bool(empty_cpu) and full_cpu <= 1.10 * empty_cpu,
            "simulators_cpu_ms_per_run": sims,
            "ratio_over_simulators_ratio": round(ratio / sims_ratio, 3)
            if ratio and sims_ratio
            else None,
        }
    return {
        "setup_creates": creates,
        "latency": latency,
        "backlog": synced,
        "backlog_prefilled": prefilled,
        "per_run_cost_vs_store_size": growth,
        "baseline_no_recipe": baseline,
        "ratio_runs_per_second_vs_baseline": round(
            rps / baseline["runs_per_second_middle_80pct"], 3
        )
        if baseline["runs_per_second_middle_80pct"]
        else None,
        "targets": {"p99_ms": 1000, "calls_per_change": 2.0, "runs_per_second": target_rps},
        "met": {
            "p99": p99 is not None
            and p99 <= 1000
            and latency is not None
            and not latency["missing"],
            "calls_per_change": calls is not None and calls <= 2.0,
            "runs_per_second": rps >= target_rps,
            "prefilled_within_10pct": None if growth is None else growth["within_10pct"],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rate", type=float, default=50, help="GHL changes per second")
    parser.add_argument(
        "--seconds", type=float, default=60, help="length of the latency run (0: none)"
    )
    parser.add_argument("--contacts", type=int, default=3000, help="contacts = backlog size")
    parser.add_argument(
        "--bridge-rate-limit",
        type=int,
        default=None,
        help="GHLTT_BRIDGE_RATE_LIMIT (default: none, as ghltt's own default)",
    )
    parser.add_argument(
        "--pg-workers",
        type=int,
        default=1,
        help="worker processes on PostgreSQL (SQLite runs one: it has one writer); more "
        "than one pays off only with cores to spare beside the simulators and the database",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the worker's stacks while it drains the synced backlog "
        "(bench/results/e2e-profile-<database>.json)",
    )
    parser.add_argument(
        "--prefill",
        type=int,
        default=0,
        metavar="N",
        help="after draining a backlog on the fresh store, add N runs, links, events, snapshots "
        "and workflow records (bench/_e2e_prefill.py) and drain the same backlog again: worker "
        "CPU per run on a grown store against the empty one, same session (issue 12: 200,000 "
        "on SQLite, 1,000,000 on PostgreSQL, within 10%%)",
    )
    parser.add_argument(
        "--prefill-postgres",
        type=int,
        default=None,
        metavar="N",
        help="--prefill for PostgreSQL alone (default: as --prefill)",
    )
    parser.add_argument(
        "--profile-mode",
        choices=["sample", "cpu", "sql"],
        default="sample",
        help="with --profile: sample stacks (wall time), cProfile every thread (CPU time), "
        "or count the statements and transactions every engine runs (sql)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="100 contacts, 5 s at the rate: a smoke run"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.contacts = 5, 100
    os.environ["GHLTT_BENCH_PROFILE_MODE"] = args.profile_mode
    if args.prefill_postgres is None:
        args.prefill_postgres = args.prefill
    # Provisioning and ghltt's libraries log to stdout; keep stdout for the JSON report alone.
    report_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    report: dict[str, Any] = {
        "benchmark": "e2e",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "quick": args.quick,
        "rate": args.rate,
        "seconds": args.seconds,
        "contacts": args.contacts,
        "bridge_rate_limit": args.bridge_rate_limit,
        "pg_workers": args.pg_workers,
        "prefill": {"sqlite": args.prefill, "postgres": args.prefill_postgres},
        "recipe": "contacts",
        "ghl_simulator": "bench/_e2e_ghl_sim.py (ghltt simulate ghl + the contact custom fields)",
    }
    for database in databases:
        report[database] = run_database(database, args)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "e2e.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2), file=report_out, flush=True)
    print(
        json.dumps({d: report[d]["met"] for d in databases}, indent=None),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
