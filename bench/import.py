"""Import benchmark (issue 13): GHL contacts -> TT customers, then TT customers -> GHL
contacts, while one real-time GHL edit a second is synced.

One command: ``python bench/import.py [--quick] [--database sqlite|postgres|both]
[--contacts N] [--customers N] [--ghl-rate R] [--ghl-window S] [--no-memory]
[--memory-contacts N --memory-factor K]``. Each simulator runs in its own process
(``bench/_import_sim.py``, over loopback HTTP), so that this process is ghltt alone: the
import (the engine's ``Importer`` at the default 70 % share) and the real-time runs (each
through ``run_recipe``, as the dispatcher runs a webhook's event), each on clients of its own
that count their requests, on the same rate budgets. The GHL budget is shortened to R requests
per S seconds (GHL's own: 100 per 10 s). The store is SQLite in a temporary directory, or a
throwaway PostgreSQL database (dropped after).

Reported, per direction:
- wall time against the least time the import's own GHL calls need at its share of the
  budget -> budget share used (TT has no published quota: its calls are not limited);
- remote calls per imported record; 429s; the import's failures;
- real-time p50/p99 from an edit in GHL to the end of its run, during the import and in 30 s
  of edits alone before it (what the machine's load gives them);
- CPU of this process per imported record, and the load average;
- TT -> GHL runs in a fresh TT account of ``--customers``, every other one archived (TT
  answers at most 1,000 customers per list, active and archived apart: 1,980 by default, the
  issue's 2,000 but for room for the real-time edits' customers);
- ``phases``: where the time went (``Probe``): the import's GHL sends that waited for the budget
  (when few did, the import bound, not the budget), their answer times and the ceiling these
  leave the share, seconds under 90 % of the share, page reads, checkpoints, full collections,
  event-loop lag, store writes made on the event loop, and the wall time over the least
  decomposed (``over_least``, see ``Probe``).
Memory: the peak resident memory of a fresh process (simulators in theirs) through a plan of
``--memory-contacts`` and of ``--memory-factor`` times as many (the issue's 10,000 and 50,000).

Prints and writes ``bench/results/import.json``. Targets: >= 95 % of the budget share used,
0 x 429, real-time p99 <= 2 s, peak memory at the larger size within 10 % of the first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = Path(__file__).resolve().parent / "results"

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth  # noqa: E402
from ghltt.connectors.http import RateBudget  # noqa: E402
from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient  # noqa: E402
from ghltt.core import Event  # noqa: E402
from ghltt.engine.catalog import action_catalog  # noqa: E402
from ghltt.engine.context import BridgeContext, Repositories  # noqa: E402
from ghltt.engine.dispatch import run_recipe  # noqa: E402
from ghltt.engine.imports import Filters, Importer, create_import, sources  # noqa: E402
from ghltt.engine.recipes import SyncRecipe  # noqa: E402
from ghltt.engine.recipes.templates import load_template  # noqa: E402
from ghltt.store import open_database, upgrade  # noqa: E402
from ghltt.store.imports import ImportRepository  # noqa: E402

SHARE = 0.7
# Seconds of real-time edits with no import, before each direction.
BASELINE_S = 30
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BRIDGE = "bench"
BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _recipe() -> SyncRecipe:
    recipe = load_template("contacts", action_catalog())
    assert isinstance(recipe, SyncRecipe)
    return recipe


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class PeakRss:
    """The highest resident set size seen while it runs, sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak = _rss_kb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_kb())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


class Counting(httpx2.AsyncBaseTransport):
    """The requests one client sent and the 429s it was answered."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.calls = 0
        self.too_many = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        self.calls += 1
        self.too_many += response.status_code == 429
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _simulator(*args: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``bench/_import_sim.py`` in its own process: its base URL and connection details."""
    port = _free_port()
    command = [sys.executable, str(Path(__file__).parent / "_import_sim.py"), args[0], str(port)]
    proc = subprocess.Popen([*command, *args[1:]], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        connect = json.loads(proc.stdout.readline())
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"simulator {args[0]} did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", connect
    finally:
        proc.terminate()
        proc.wait(10)


class World:
    """A store and bridge contexts on both simulators (each in its own process): one for the
    import, one for real-time runs, on the same rate budgets as a worker's runs share them;
    each client counts its own requests."""

    def __init__(
        self,
        tmp: Path,
        ghl_limit: tuple[int, float],
        ghl: tuple[str, dict[str, Any]],
        tt: tuple[str, dict[str, Any]],
        store_url: str | None = None,
    ) -> None:
        self.db = open_database(store_url or f"sqlite:///{tmp / 'bench.sqlite'}")
        upgrade(self.db)
        repos = Repositories.of(self.db)
        (ghl_url, ghl_connect), (tt_url, tt_connect) = ghl, tt
        zone = str(tt_connect["timezone"])
        self.counters: dict[str, Counting] = {}
        contexts = []
        budgets: dict[str, Any] = {}
        for use in ("import", "real_time"):
            self.counters[f"{use}_ghl"] = ghl_transport = Counting()
            self.counters[f"{use}_tt"] = tt_transport = Counting()
            ghl_client = GhlClient(
                auth=StaticTokenAuth(str(ghl_connect["token"])),
                location_id=str(ghl_connect["location_id"]),
                base_url=ghl_url,
                transport=ghl_transport,
                budget=budgets.get("ghl"),
            )
            tt_client = TrackingTimeClient(
                AppPassword(str(tt_connect["app_password"])),
                account_id=int(tt_connect["account_id"]),
                base_url=f"{tt_url}/api/v4",
                transport=tt_transport,
                account_timezone=zone,
                budget=budgets.get("tt"),
            )
            budgets = {"ghl": ghl_client.budget, "tt": tt_client.api.budget}
            contexts.append(
                BridgeContext(
                    BRIDGE, "sandbox", ghl_client, tt_client, repos, BASE, tt_timezone=zone
                )
            )
        # The budget as the location's headers will say (the client learns it from them too).
        budgets["ghl"].limit, budgets["ghl"].window = ghl_limit
        self.ctx, self.real_time = contexts

    async def setup(self) -> None:
        for name in ("ghl_phone", "ghl_business_id", "ghl_tags", "ghl_contact_id"):
            await self.ctx.tt.custom_fields.add(name, "text", "customer")

    def calls(self) -> dict[str, int]:
        counts = {name: c.calls for name, c in self.counters.items()}
        counts["http_429"] = sum(c.too_many for c in self.counters.values())
        return counts

    async def aclose(self) -> None:
        await self.ctx.aclose()
        await self.real_time.aclose()
        self.db.dispose()


async def _real_time(
    world: World, ids: list[str], stop: asyncio.Event, latencies: list[float]
) -> None:
    """One GHL edit a second, each synced as the webhook's run would sync it (its own
    clients, on the import's rate budgets, as a worker's real-time run is)."""
    recipe, rng = _recipe(), random.Random(13)
    n = 0
    while not stop.is_set():
        started = time.monotonic()
        contact = rng.choice(ids)
        n += 1
        await world.real_time.ghl.contacts.update(contact, {"lastName": f"Edit{n}"})
        event = Event(
            bridge=BRIDGE,
            source="ghl",  # type: ignore[arg-type]
            kind="contact.updated",
            object_type="contact",
            object_id=contact,
            dedup_key=f"bench:{n}",
            payload={},
        )
        await run_recipe(recipe, event, world.real_time.with_run(None, datetime.now(UTC)))
        latencies.append((time.monotonic() - started) * 1000)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, 1 - (time.monotonic() - started)))


class Probe:
    """Where an import's time goes, measured in this process while it runs (the budget's own
    bookkeeping, the page reads and checkpoints, the collector, the event loop), for the
    report's ``phases``: what keeps the budget share from being used.

    The budget counts a send from its response (the server may have received it any time
    before), so a send holds its slot for a window plus the margin plus its answer time: at
    most ``window / (window + margin + answer time)`` of the share can be used, whatever the
    import does (``budget_share_ceiling``).

    ``over_least``: the wall time over the least its sends need, in parts that add up to it
    (from the import's bulk sends; L of them per window at its share, n of them): the start
    (to its first send: the source's first page, the index of the other side), the ramp (to
    send k = (n - 1) mod L, the first of the chain k, k + L, ... that ends with the last
    send: send k + L cannot go before send k's slot is free), the budget's own slack on that
    chain ((n - 1) div L times the margin and the mean answer time), the chain's delay (its
    sends made later than their slot allowed: no send ready, or the event loop busy) and the
    tail (after the last send: its answer, the read of what changed meanwhile, the last
    checkpoint)."""

    def __init__(self, budget: RateBudget) -> None:
        self.budget = budget
        self.bulk: list[tuple[float, float]] = []  # (granted at, waited) of bulk sends
        self.answers: list[float] = []  # bulk send -> settle, seconds
        self.reads: list[float] = []
        self.checkpoints: list[float] = []
        self.gc_pauses: list[float] = []
        self.lags: list[float] = []
        # Store writes made on the event loop's thread (a run's links, held or not).
        self.loop_writes: list[float] = []
        self._undo: list[Any] = []
        self._gc_started = 0.0

    def __enter__(self) -> Probe:
        budget, probe = self.budget, self
        acquire, settle = budget.acquire, budget.settle

        async def timed_acquire() -> Any:
            began = time.monotonic()
            slot = await acquire()
            if slot.bulk:
                probe.bulk.append((time.monotonic(), time.monotonic() - began))
            return slot

        def timed_settle(slot: Any) -> None:
            if slot.bulk:
                probe.answers.append(time.monotonic() - slot.at)
            settle(slot)

        budget.acquire, budget.settle = timed_acquire, timed_settle  # type: ignore[method-assign]
        self._undo.append(lambda: [vars(budget).pop(name) for name in ("acquire", "settle")])
        readers = dict(sources.READERS)
        for name, read in readers.items():
            sources.READERS[name] = self._timed(read, self.reads)
        self._undo.append(lambda: sources.READERS.update(readers))
        checkpoint = ImportRepository.checkpoint

        def timed_checkpoint(repo: ImportRepository, *args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return checkpoint(repo, *args, **kwargs)
            finally:
                probe.checkpoints.append(time.perf_counter() - began)

        ImportRepository.checkpoint = timed_checkpoint  # type: ignore[method-assign,assignment]
        self._undo.append(lambda: setattr(ImportRepository, "checkpoint", checkpoint))
        write = Repositories.write
        loop_thread = threading.get_ident()

        def timed_write(repos: Repositories, *args: Any, **kwargs: Any) -> None:
            began = time.perf_counter()
            try:
                write(repos, *args, **kwargs)
            finally:
                if threading.get_ident() == loop_thread:
                    probe.loop_writes.append(time.perf_counter() - began)

        Repositories.write = timed_write  # type: ignore[method-assign]
        self._undo.append(lambda: setattr(Repositories, "write", write))
        gc.callbacks.append(self._on_gc)
        self._undo.append(lambda: gc.callbacks.remove(self._on_gc))
        return self

    def __exit__(self, *_: object) -> None:
        for undo in reversed(self._undo):
            undo()

    @staticmethod
    def _timed(read: Any, into: list[float]) -> Any:
        async def timed(*args: Any) -> Any:
            began = time.perf_counter()
            try:
                return await read(*args)
            finally:
                into.append(time.perf_counter() - began)

        return timed

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_pauses.append(time.perf_counter() - self._gc_started)

    async def watch_loop(self, stop: asyncio.Event) -> None:
        """How late a 10 ms sleep wakes: what any step waits for the event loop."""
        while not stop.is_set():
            began = time.perf_counter()
            await asyncio.sleep(0.01)
            self.lags.append(time.perf_counter() - began - 0.01)

    def over_least(self, share: float, started: float, ended: float) -> dict[str, Any]:
        """The wall time over the least the bulk sends need, decomposed (see the class)."""
        granted = [at for at, _ in self.bulk]
        per_window = int(self.budget.limit * share)
        if not granted:
            return {}
        n = len(granted)
        windows, first = (n - 1) // per_window, (n - 1) % per_window
        answer = sum(self.answers) / len(self.answers) if self.answers else 0.0
        slack = windows * (self.budget.margin + answer)
        chain = granted[-1] - granted[first] - windows * self.budget.window - slack
        return {
            "start_s": round(granted[0] - started, 3),
            "ramp_s": round(granted[first] - granted[0], 3),
            "budget_slack_s": round(slack, 3),
            "chain_delay_s": round(chain, 3),
            "tail_s": round(ended - granted[-1], 3),
        }

    def report(self, share: float, started: float, ended: float) -> dict[str, Any]:
        limit, window = self.budget.limit, self.budget.window
        ours = int(limit * share)
        granted = [at for at, _ in self.bulk]
        seconds: list[int] = []
        if granted:
            first = granted[0]
            seconds = [0] * (int(granted[-1] - first) + 1)
            for at in granted:
                seconds[int(at - first)] += 1
        answer = sum(self.answers) / len(self.answers) if self.answers else 0.0
        waited = [w for _, w in self.bulk]
        ms = 1000.0
        return {
            "bulk_sends": len(self.bulk),
            # Sends that found no room in the share and waited: the budget bound then, not
            # the import.
            "bulk_sends_waited_pct": round(
                100 * sum(1 for w in waited if w > 0.002) / len(waited), 1
            )
            if waited
            else None,
            "bulk_answer_mean_ms": round(answer * ms, 1),
            "bulk_answer_p99_ms": _pct([a * ms for a in self.answers], 99),
            "budget_share_ceiling": round(window / (window + self.budget.margin + answer), 3),
            # Whole seconds (from the first bulk send) in which the import sent less than 90 %
            # of its share of a window's worth.
            "seconds": len(seconds),
            "seconds_below_90pct": sum(1 for n in seconds if n < 0.9 * ours * 1 / window),
            "last_5_seconds_sends": seconds[-5:],
            "page_reads": len(self.reads),
            "page_reads_s": round(sum(self.reads), 2),
            "page_read_p50_ms": _pct([r * ms for r in self.reads], 50),
            "checkpoints": len(self.checkpoints),
            "checkpoints_s": round(sum(self.checkpoints), 2),
            "gc_full_pauses": len(self.gc_pauses),
            "gc_full_pauses_s": round(sum(self.gc_pauses), 2),
            "loop_lag_p99_ms": _pct([lag * ms for lag in self.lags], 99),
            "loop_lag_over_50ms_s": round(sum(lag for lag in self.lags if lag > 0.05), 2),
            "store_writes_on_loop": len(self.loop_writes),
            "store_writes_on_loop_s": round(sum(self.loop_writes), 2),
            "over_least": self.over_least(share, started, ended),
        }


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 1)


@contextlib.contextmanager
def _store(database: str) -> Iterator[str | None]:
    """None: SQLite in the world's directory; else a fresh PostgreSQL database, dropped after."""
    if database == "sqlite":
        yield None
        return
    import psycopg  # only the PostgreSQL run needs it

    name = f"ghltt_bench_import_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _direction(
    world: World, direction: str, ghl_limit: tuple[int, float], edited: list[str]
) -> dict[str, Any]:
    # The real-time edits alone first, at the same machine load: what the import adds to
    # their latency is the difference.
    alone: list[float] = []
    stop = asyncio.Event()
    edits = asyncio.create_task(_real_time(world, edited, stop, alone))
    await asyncio.sleep(BASELINE_S)
    stop.set()
    await edits
    repo = ImportRepository(world.db)
    recipe = _recipe()
    ctx = world.ctx.with_run(None, datetime.now(UTC))
    record = create_import(repo, BRIDGE, recipe, (direction,), Filters())
    before = world.calls()
    latencies: list[float] = []
    stop = asyncio.Event()
    edits = asyncio.create_task(_real_time(world, edited, stop, latencies))
    loads = [os.getloadavg()[0]]
    assert world.ctx.ghl.budget is not None
    with Probe(world.ctx.ghl.budget) as probe:
        watching = asyncio.create_task(probe.watch_loop(stop))
        started, cpu = time.monotonic(), time.process_time()
        done = await Importer(ctx, recipe, repo, record, share=SHARE).run()
        ended = time.monotonic()
        wall, cpu = ended - started, time.process_time() - cpu
        loads.append(os.getloadavg()[0])
        stop.set()
        await edits
        await watching
    after = world.calls()
    made = {name: after[name] - before[name] for name in after}
    counts = done.progress[direction]["counts"]
    records = sum(counts.values())
    # What the import's own GHL calls need at its share of the budget, at the least: the
    # k-th call goes floor(k / share of a window) windows after the first.
    limit, window = ghl_limit
    minimum = (max(0, made["import_ghl"] - 1) // int(limit * SHARE)) * window
    import_calls = made["import_ghl"] + made["import_tt"]
    return {
        "records": records,
        "counts": counts,
        "wall_s": round(wall, 1),
        "min_s_for_ghl_calls_at_share": round(minimum, 1),
        "budget_share_used": round(minimum / wall, 3) if wall else None,
        "import_ghl_calls": made["import_ghl"],
        "import_tt_calls": made["import_tt"],
        "real_time_ghl_calls": made["real_time_ghl"],
        "real_time_tt_calls": made["real_time_tt"],
        "calls_per_record": round(import_calls / records, 2) if records else None,
        "cpu_ms_per_record": round(cpu * 1000 / records, 1) if records else None,
        "load_average_1m": [round(x, 1) for x in loads],
        "http_429": made["http_429"],
        "failures": [f"{f.record_id}: {f.reason}"[:300] for f in repo.failures(record.id)],
        "real_time_edits": len(latencies),
        "real_time_p50_ms": _pct(latencies, 50),
        "real_time_p99_ms": _pct(latencies, 99),
        "real_time_max_ms": round(max(latencies), 1) if latencies else None,
        "real_time_alone_edits": len(alone),
        "real_time_alone_p50_ms": _pct(alone, 50),
        "real_time_alone_p99_ms": _pct(alone, 99),
        "phases": probe.report(SHARE, started, ended),
    }


def _memory(contacts: int) -> dict[str, Any]:
    """The resident memory of this process (the simulators are in theirs) through a plan of
    ``contacts`` GHL contacts with no budget limit: before the import, and its peak."""

    async def plan(world: World) -> None:
        await world.setup()
        repo = ImportRepository(world.db)
        recipe = _recipe()
        record = create_import(repo, BRIDGE, recipe, ("ghl_to_tt",), Filters(), plan_only=True)
        gc.collect()
        before.append(_rss_kb())
        with peak:
            await Importer(world.ctx, recipe, repo, record).run()
        await world.aclose()

    before: list[int] = []
    peak = PeakRss()
    with (
        tempfile.TemporaryDirectory() as tmp,
        _simulator("ghl", str(contacts), "1000000", "1000") as ghl,
        _simulator("tt", "0") as tt,
    ):
        asyncio.run(plan(World(Path(tmp), (1_000_000, 1.0), ghl, tt)))
    return {
        "contacts": contacts,
        "rss_before_mb": round(before[0] / 1024, 1),
        "peak_rss_mb": round(peak.peak / 1024, 1),
        "added_rss_mb": round((peak.peak - before[0]) / 1024, 1),
    }


def _memory_in_child(contacts: int) -> dict[str, Any]:
    """``_memory`` in a fresh process: one that ran other imports before keeps their heap."""
    command = [sys.executable, __file__, "--memory-only", str(contacts)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def _one_direction(args: argparse.Namespace, database: str, direction: str) -> dict[str, Any]:
    if direction == "ghl_to_tt":
        contacts, customers = args.contacts, 0
    else:
        # A fresh TT account: TT lists at most 1,000 customers per call (active and archived
        # apart), so the ones just made would hide the ones to import. 100 contacts for the
        # real-time edits to change meanwhile.
        contacts, customers = 100, args.customers
    limit = (args.ghl_rate * args.ghl_window, float(args.ghl_window))
    with (
        tempfile.TemporaryDirectory() as tmp,
        _store(database) as url,
        _simulator("ghl", str(contacts), str(limit[0]), str(args.ghl_window * 1000)) as ghl,
        _simulator("tt", str(customers)) as tt,
    ):
        world = World(Path(tmp), limit, ghl, tt, url)
        await world.setup()
        # As ``ghltt worker`` does once started (cli.running.freeze_startup_heap; not
        # imported here: it brings the web app, whose memory would count in the plan's).
        gc.collect()
        gc.freeze()
        edited = [f"bench{i:07d}" for i in range(contacts)]
        result = await _direction(world, direction, limit, edited)
        print(f"{database} {direction}: {json.dumps(result)}", file=sys.stderr)
        await world.aclose()
    return result


async def _directions(args: argparse.Namespace, database: str) -> dict[str, Any]:
    return {d: await _one_direction(args, database, d) for d in ("ghl_to_tt", "tt_to_ghl")}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {database: await _directions(args, database) for database in databases}
    memory: list[dict[str, Any]] = []
    sizes = (
        () if args.no_memory else (args.memory_contacts, args.memory_contacts * args.memory_factor)
    )
    for size in sizes:
        memory.append(_memory_in_child(size))
        print(f"memory: {json.dumps(memory[-1])}", file=sys.stderr)
    peaks = [m["peak_rss_mb"] for m in memory]
    ratio = round(peaks[1] / peaks[0], 3) if len(peaks) == 2 and peaks[0] else None
    both = [d for result in results.values() for d in result.values()]
    p99s = [d["real_time_p99_ms"] for d in both if d["real_time_p99_ms"] is not None]
    met = {
        "budget_share_used_95pct": all((d["budget_share_used"] or 0) >= 0.95 for d in both),
        "no_429": all(d["http_429"] == 0 for d in both),
        "real_time_p99_le_2s": bool(p99s) and max(p99s) <= 2000,
        # ghltt's own process: the simulators hold the accounts in theirs.
        "memory_peak_within_10pct": ratio is not None and ratio <= 1.1,
    }
    return {**results, "memory": memory, "memory_peak_ratio": ratio, "met": met}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=10_000, help="GHL contacts to import")
    parser.add_argument(
        "--customers",
        type=int,
        default=1_980,
        help="TT customers to import, every other one archived (TT lists 1,000 of each)",
    )
    parser.add_argument("--ghl-rate", type=int, default=100, help="GHL requests per second")
    parser.add_argument(
        "--ghl-window", type=int, default=1, help="GHL's window in seconds (GHL's own: 10)"
    )
    parser.add_argument(
        "--memory-contacts", type=int, default=10_000, help="plan size for memory (and xK)"
    )
    parser.add_argument(
        "--memory-factor", type=int, default=5, help="K: the larger plan's size over the first"
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 500/200/2,000")
    parser.add_argument("--no-memory", action="store_true", help="the directions only")
    parser.add_argument("--memory-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_only:
        print(json.dumps(_memory(args.memory_only)), flush=True)
        return
    if args.quick:
        args.contacts, args.customers, args.memory_contacts = 500, 200, 2_000
    report: dict[str, Any] = {
        "benchmark": "import",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "quick": args.quick,
        "contacts": args.contacts,
        "customers": args.customers,
        "ghl_rate_per_s": args.ghl_rate,
        "ghl_window_s": args.ghl_window,
        "budget_share": SHARE,
        "database": args.database,
        "memory_factor": args.memory_factor,
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        **asyncio.run(run(args)),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2), flush=True)


if __name__ == "__main__":
    main()
