"""Soak (issue 12): the embedded default under a steady webhook stream for minutes on end.

One command: ``python bench/soak.py [--minutes 10] [--rate 500] [--quick]``. It starts both
simulators and one ``ghltt serve`` with its executor (SQLite, the embedded default), each in its
own process on loopback, provisions a bridge with the contacts recipe, creates ``--contacts``
GHL contacts and lets them sync, then posts ``--rate`` signed GHL webhooks per second to
``/webhooks`` for ``--minutes``, open loop (each request leaves at its scheduled time, whatever
the previous ones are doing):

- ``--matching`` (10%) are ``ContactUpdate`` deliveries for the synced contacts, which the
  contacts recipe processes (a read of GHL, a write to TrackingTime);
- the rest are ``NoteCreate`` deliveries, which no enabled recipe wants (each still an inbox
  event and a run that ends ``no_match``).

The bench signs them with its own Ed25519 key, added to the bridge's GHL webhook keys, so the
web process verifies every delivery as it does GHL's.

Baseline, in the same run: ``--baseline-rate`` (25/s) more events go to the intake's twin that
stores nothing (``GHLTT_BENCH_BASELINE``, same process, same auth and parsing, see
``bench/intake.py``), interleaved with the soak, so each minute's store-backed p99 stands next
to what the same process answered without the store at the same moment. Resident memory is
compared with the first minute's.

Per minute it reports: acknowledgements (2xx and others), p50/p99/max acknowledgement latency
(from the request's write to its response; ``p99_from_schedule_ms`` also counts time waiting
for a free connection), the baseline's p99, RSS of each process (from /proc), CPU seconds of
each, the inbox backlog (events not processed) and the load average. At the end: the backlog
when the stream stops and how long the executor takes to drain it.

Targets: p99 <= 100 ms in every minute; every ghltt process's RSS within 10% of its first
minute's; the final backlog drained within 60 s. Prints and writes ``bench/results/soak.json``.

``--backlog N`` measures the executor alone, which a loaded machine cannot hide: ``ghltt serve
--no-executor`` and a ``ghltt worker`` instead of the embedded pair, the contacts synced, the
worker stopped, N deliveries of the same mix accepted, then a fresh worker drains them. It
reports events/s and the worker's CPU per event, both from its first processed event on (its
start-up is not the events' cost), and writes ``bench/results/soak-backlog.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _e2e_stack import Stack, _wait_http
from _http import _read_response
from e2e import create_contacts

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_P99_MS = 100.0
TARGET_RSS_GROWTH = 0.10
TARGET_DRAIN_S = 60.0


# ---- the stack: one 'ghltt serve' with its executor ----------------------------------------
class SoakStack(Stack):
    def start_serve(self) -> None:
        """The embedded default: one ``ghltt serve``, its executor child processing runs."""
        env = {**self._env, "GHLTT_BENCH_BASELINE": "true"}
        self._spawn("serve", [sys.executable, "-m", "ghltt", "serve"], env)
        _wait_http(f"{self.url}/readyz", self.procs["serve"], "ghltt serve", timeout=90)
        httpx2.post(
            f"{self.ghl_url}/_admin/webhooks/targets", json={"url": f"{self.url}/webhooks"}
        ).raise_for_status()

    def add_webhook_key(self, public_pem: str) -> None:
        from ghltt.bridges import build_services

        assert self.settings is not None and self.db is not None
        bridges = build_services(self.settings, self.db).bridges
        keys = httpx2.get(f"{self.ghl_url}/_admin/keys").json()
        bridges.update_settings(
            self.bridge_id,
            {
                "ghl_public_keys": {
                    "ed25519": [keys["ed25519PublicKey"], public_pem],
                    "rsa": [keys["rsaPublicKey"]],
                }
            },
        )


# ---- /proc --------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    try:
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [g for c in found for g in _children(c)]


def _label(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    words = [a.decode(errors="replace") for a in argv if a]
    tail = [w for w in words[1:] if not w.startswith("-") or w == "-c"][:3]
    return " ".join(Path(w).name if "/" in w else w for w in tail)[:60]


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def processes(stack: Stack) -> dict[str, int]:
    """Each process of the stack by name; ``serve``'s children as ``serve/<pid> <cmd>``."""
    out: dict[str, int] = {}
    for name, proc in stack.procs.items():
        out[name] = proc.pid
        for child in _children(proc.pid):
            out[f"{name}/{child} {_label(child)}"] = child
    return out


def _loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# ---- the load -----------------------------------------------------------------------------
@dataclass
class Sample:
    minute: int
    baseline: bool
    status: int
    from_write: float
    from_schedule: float


@dataclass
class Load:
    port: int
    token: str
    location_id: str
    contacts: list[str]
    key: ed25519.Ed25519PrivateKey
    rate: float
    baseline_rate: float
    matching: float
    seconds: float
    connections: int
    samples: list[Sample] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    started: float = 0.0

    def webhook(self, seq: int) -> tuple[str, dict[str, str], bytes]:
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        # Every 1/matching-th delivery is one the contacts recipe wants.
        every = max(1, round(1 / self.matching)) if self.matching > 0 else 0
        payload: dict[str, Any]
        if every and seq % every == 0:
            i = (seq // every) % len(self.contacts)
            payload = {
                "type": "ContactUpdate",
                "locationId": self.location_id,
                "id": self.contacts[i],
                "firstName": "Bench",
                "lastName": f"C{i}",
                "email": f"bench{i}@example.com",
            }
            self.kinds["ContactUpdate"] += 1
        else:
            payload = {
                "type": "NoteCreate",
                "locationId": self.location_id,
                "id": f"note{seq}",
                "contactId": self.contacts[seq % len(self.contacts)],
                "body": f"soak note {seq}",
            }
            self.kinds["NoteCreate"] += 1
        payload.update(timestamp=now, webhookId=str(uuid.uuid4()))
        body = json.dumps(payload, separators=(",", ":")).encode()
        signature = base64.b64encode(self.key.sign(body)).decode()
        return "/webhooks", {"x-ghl-signature": signature}, body

    def baseline(self, seq: int) -> tuple[str, dict[str, str], bytes]:
        event = {
            "bridge": "default",  # no bridge: the API refuses one that does not exist
            "source": "ghl",
            "kind": "note.created",
            "object_type": "note",
            "object_id": f"b{seq}",
            "dedup_key": f"soak-baseline-{seq}",
            "payload": {"type": "NoteCreate", "id": f"b{seq}", "body": f"soak note {seq}"},
        }
        headers = {"Authorization": f"Bearer {self.token}"}
        return "/bench/baseline/events", headers, json.dumps(event).encode()

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def _send(
        self,
        pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None],
        make: Callable[[], tuple[str, dict[str, str], bytes]],
        scheduled: float,
        is_baseline: bool,
    ) -> None:
        conn = await pool.get()
        # Made and signed once a connection is free, as GHL signs at delivery: a request
        # queued behind a slow server still carries a fresh timestamp.
        path, headers, body = make()
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        raw = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        written = time.perf_counter()
        try:
            if conn is None:
                conn = await self._connection()
            reader, writer = conn
            writer.write(raw)
            status, _ = await asyncio.wait_for(_read_response(reader), timeout=30)
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            self.errors[type(exc).__name__] += 1
            if conn is not None:
                conn[1].close()
            pool.put_nowait(None)  # reconnect on next use
            return
        done = time.perf_counter()
        pool.put_nowait(conn)
        self.samples.append(
            Sample(
                minute=int((scheduled - self.started) // 60),
                baseline=is_baseline,
                status=status,
                from_write=done - written,
                from_schedule=done - scheduled,
            )
        )

    async def run(self) -> None:
        pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None]
        pool = asyncio.Queue()
        for _ in range(self.connections):
            pool.put_nowait(await self._connection())
        total = int(self.rate * self.seconds)
        baseline_every = round(self.rate / self.baseline_rate) if self.baseline_rate else 0
        tasks: set[asyncio.Task[None]] = set()
        self.started = time.perf_counter()
        for seq in range(total):
            scheduled = self.started + seq / self.rate
            delay = scheduled - time.perf_counter()
            if delay > 0.002:
                await asyncio.sleep(delay)
            batch = [(partial(self.webhook, seq), False)]
            if baseline_every and seq % baseline_every == 0:
                batch.append((partial(self.baseline, seq), True))
            for make, is_baseline in batch:
                task = asyncio.create_task(self._send(pool, make, scheduled, is_baseline))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        while not pool.empty():
            conn = pool.get_nowait()
            if conn is not None:
                conn[1].close()


# ---- the monitor: once a minute ------------------------------------------------------------
def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000, 1)


async def monitor(stack: Stack, minutes: int, started: list[float]) -> list[dict[str, Any]]:
    """At each minute's end: RSS and CPU of each process, the backlog and the load average."""
    snapshots = []
    while not started[0]:
        await asyncio.sleep(0.01)
    for minute in range(1, minutes + 1):
        await asyncio.sleep(max(0.0, started[0] + 60 * minute - time.perf_counter()))
        pids = processes(stack)
        backlog = await asyncio.to_thread(stack.pending)
        snapshots.append(
            {
                "rss_mb": {name: _rss_mb(pid) for name, pid in pids.items()},
                "cpu_s": {name: _cpu_s(pid) for name, pid in pids.items()},
                "backlog": backlog,
                "loadavg": _loadavg(),
            }
        )
    return snapshots


async def soak(stack: Stack, load: Load, minutes: int) -> list[dict[str, Any]]:
    started = [0.0]

    async def drive() -> None:
        task = asyncio.create_task(load.run())
        while not load.started:
            await asyncio.sleep(0.001)
        started[0] = load.started
        await task

    _, snapshots = await asyncio.gather(drive(), monitor(stack, minutes, started))
    return snapshots


def per_minute(load: Load, snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    previous_cpu: dict[str, float | None] = {}
    for minute, snap in enumerate(snapshots):
        soak_samples = [s for s in load.samples if s.minute == minute and not s.baseline]
        base = [s for s in load.samples if s.minute == minute and s.baseline]
        statuses = Counter(s.status for s in soak_samples)
        cpu = {
            name: round(value - (previous_cpu.get(name) or 0.0), 2)
            for name, value in snap["cpu_s"].items()
            if value is not None
        }
        previous_cpu = snap["cpu_s"]
        rows.append(
            {
                "minute": minute + 1,
                "sent": len(soak_samples),
                "statuses": {str(k): v for k, v in sorted(statuses.items())},
                "p50_ms": _pct([s.from_write for s in soak_samples], 50),
                "p99_ms": _pct([s.from_write for s in soak_samples], 99),
                "max_ms": _pct([s.from_write for s in soak_samples], 100),
                "p99_from_schedule_ms": _pct([s.from_schedule for s in soak_samples], 99),
                "baseline_p50_ms": _pct([s.from_write for s in base], 50),
                "baseline_p99_ms": _pct([s.from_write for s in base], 99),
                "rss_mb": snap["rss_mb"],
                "cpu_s": cpu,
                "backlog": snap["backlog"],
                "loadavg": snap["loadavg"],
            }
        )
    return rows


def memory_growth(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Per process: the largest RSS after the first minute against the first minute's."""
    out: dict[str, float | None] = {}
    if not rows:
        return out
    for name, first in rows[0]["rss_mb"].items():
        later = [r["rss_mb"].get(name) for r in rows[1:]]
        later_known = [v for v in later if v is not None]
        if first is None or not later_known:
            out[name] = None
            continue
        out[name] = round(max(later_known) / first - 1, 3)
    return out


def drain(stack: Stack, timeout: float) -> dict[str, Any]:
    """The backlog when the stream stops, the seconds until nothing waits in the inbox (None
    past ``timeout``), what is left then, and the rate it drained at."""
    started = time.monotonic()
    backlog = left = stack.pending()
    seconds = None
    while time.monotonic() - started <= timeout:
        left = stack.pending()
        if left == 0:
            seconds = round(time.monotonic() - started, 1)
            break
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    return {
        "backlog_at_end": backlog,
        "drain_seconds": seconds,
        "left_after_timeout": left,
        "drained_per_second": round((backlog - left) / elapsed, 1) if elapsed else None,
    }


def backlog(stack: SoakStack, load: Load, events: int) -> dict[str, Any]:
    """``events`` deliveries pile up with no executor; a fresh worker drains them."""
    stack.stop_worker()
    since = datetime.now(UTC)
    pushed = time.monotonic()
    asyncio.run(load.run())
    push_s = time.monotonic() - pushed
    if not stack.wait_settled_intake(since, events, timeout=300):
        raise SystemExit("the deliveries did not all reach the inbox within 300 s")
    started = time.monotonic()
    stack.start_worker()
    while stack.processed_count(since) == 0:
        time.sleep(0.05)
    first_s = time.monotonic() - started
    cpu_before, done_before = stack.cpu_seconds(), stack.processed_count(since)
    t0 = time.monotonic()
    while stack.pending() > 0:
        time.sleep(0.25)
    seconds = time.monotonic() - t0
    cpu_s = stack.cpu_seconds()["worker"] - cpu_before["worker"]
    measured = events - done_before
    outcomes = Counter(e.outcome for e in stack.events_since(since))
    return {
        "events": events,
        "push_seconds": round(push_s, 1),
        "statuses": {str(k): v for k, v in Counter(s.status for s in load.samples).items()},
        "outcomes": dict(outcomes),
        "worker_start_to_first_s": round(first_s, 1),
        "drain_seconds": round(seconds, 1),
        "events_per_second": round(measured / seconds, 1) if seconds else None,
        "worker_cpu_ms_per_event": round(cpu_s * 1000 / measured, 3) if measured else None,
        "loadavg": _loadavg(),
    }


def main_backlog(args: argparse.Namespace, key: ed25519.Ed25519PrivateKey, pem: str) -> None:
    with tempfile.TemporaryDirectory(prefix="ghltt-soak-") as tmp:
        stack = SoakStack(Path(tmp), "sqlite", bridge_rate_limit=None)
        try:
            stack.start_simulators()
            stack.prepare()
            stack.add_webhook_key(pem)
            stack.start_web()
            stack.start_worker()
            since = datetime.now(UTC)
            contacts = asyncio.run(create_contacts(stack, args.contacts))
            if not stack.wait_settled(since, len(contacts), timeout=300):
                raise SystemExit("the contacts did not sync within 300 s; see worker.log")
            load = Load(
                port=int(stack.url.rsplit(":", 1)[1]),
                token="",
                location_id=stack.location_id,
                contacts=contacts,
                key=key,
                rate=args.rate,
                baseline_rate=0,
                matching=args.matching,
                seconds=args.backlog / args.rate,
                connections=args.connections,
            )
            loadavg_before = _loadavg()
            drained = backlog(stack, load, args.backlog)
        finally:
            stack.close()
    report = {
        "benchmark": "soak-backlog",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": loadavg_before,
        },
        "database": "sqlite",
        "matching": args.matching,
        "sent": dict(load.kinds),
        **drained,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak-backlog.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def _ghltt(name: str) -> bool:
    return name.startswith("serve")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--minutes", type=int, default=10, help="length of the stream")
    parser.add_argument("--rate", type=float, default=500, help="webhooks per second")
    parser.add_argument("--matching", type=float, default=0.10, help="share the recipe wants")
    parser.add_argument(
        "--baseline-rate", type=float, default=25, help="events/s to the non-storing twin"
    )
    parser.add_argument("--contacts", type=int, default=200, help="GHL contacts synced first")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument("--drain-timeout", type=float, default=300, help="seconds to wait")
    parser.add_argument("--quick", action="store_true", help="1 minute: a smoke run")
    parser.add_argument(
        "--backlog", type=int, default=0, help="instead: N deliveries piled up, then drained"
    )
    args = parser.parse_args()
    minutes = 1 if args.quick else args.minutes
    if minutes < 1 or args.rate <= 0 or not 0 <= args.matching <= 1 or args.contacts < 1:
        parser.error("--minutes, --rate and --contacts must be positive, --matching in 0..1")
    if args.backlog < 0:
        parser.error("--backlog must be positive (or 0: the stream)")

    key = ed25519.Ed25519PrivateKey.generate()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    if args.backlog:
        main_backlog(args, key, public_pem)
        return
    with tempfile.TemporaryDirectory(prefix="ghltt-soak-") as tmp:
        stack = SoakStack(Path(tmp), "sqlite", bridge_rate_limit=None)
        try:
            stack.start_simulators()
            stack.prepare()
            stack.add_webhook_key(public_pem)
            stack.start_serve()
            setup_started = time.monotonic()
            since = datetime.now(UTC)
            contacts = asyncio.run(create_contacts(stack, args.contacts))
            if not stack.wait_settled(since, len(contacts), timeout=300):
                raise SystemExit("the contacts did not sync within 300 s; see serve.log")
            setup_s = round(time.monotonic() - setup_started, 1)
            token = (Path(tmp) / "data" / "api-token").read_text().strip()
            load = Load(
                port=int(stack.url.rsplit(":", 1)[1]),
                token=token,
                location_id=stack.location_id,
                contacts=contacts,
                key=key,
                rate=args.rate,
                baseline_rate=args.baseline_rate,
                matching=args.matching,
                seconds=60 * minutes,
                connections=args.connections,
            )
            loadavg_before = _loadavg()
            snapshots = asyncio.run(soak(stack, load, minutes))
            stream_s = round(time.perf_counter() - load.started, 1)
            drained = drain(stack, args.drain_timeout)
            rows = per_minute(load, snapshots)
            processed = stack.processed_count(since)
        finally:
            stack.close()

    growth = memory_growth(rows)
    ghltt_growth = [v for k, v in growth.items() if _ghltt(k) and v is not None]
    p99s = [r["p99_ms"] for r in rows if r["p99_ms"] is not None]
    statuses = Counter()
    for r in rows:
        statuses.update(r["statuses"])
    report = {
        "benchmark": "soak",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": loadavg_before,
        },
        "database": "sqlite",
        "minutes": minutes,
        "rate": args.rate,
        "matching": args.matching,
        "baseline_rate": args.baseline_rate,
        "connections": args.connections,
        "setup": {"contacts": len(contacts), "seconds": setup_s},
        "stream_seconds": stream_s,
        "sent": dict(load.kinds),
        "statuses": dict(statuses),
        "client_errors": dict(load.errors),
        "per_minute": rows,
        "rss_growth_after_first_minute": growth,
        "achieved_rate": round(len(load.samples) / stream_s, 1) if stream_s else None,
        "bench_client_cpu_s": _cpu_s(os.getpid()),
        **drained,
        "processed_events": processed,
        "targets": {
            "p99_ms_every_minute": TARGET_P99_MS,
            "rss_growth": TARGET_RSS_GROWTH,
            "drain_seconds": TARGET_DRAIN_S,
        },
    }
    report["meets_targets"] = bool(
        p99s
        and len(p99s) == len(rows)
        and max(p99s) <= TARGET_P99_MS
        and all(v <= TARGET_RSS_GROWTH for v in ghltt_growth)
        and drained["drain_seconds"] is not None
        and drained["drain_seconds"] <= TARGET_DRAIN_S
        and not load.errors
        and set(statuses) == {"200"}
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
