"""Import benchmark (issue 13): GHL contacts -> TT customers, then TT customers -> GHL
contacts, while one real-time GHL edit a second is synced.

One command: ``python bench/import.py [--quick] [--database sqlite|postgres|both]
[--contacts N] [--customers N] [--memory-contacts N --memory-factor K]``. Both simulators run
in this process (ASGI transports, no simulated latency: their CPU is the bench's too) with the
GHL budget shortened to ``--ghl-rate`` requests per second instead of 100 per 10 s, so the
ratios show in about a minute; the store is SQLite in a temporary directory, or a throwaway
PostgreSQL database (dropped after). The import runs through the
engine's ``Importer`` with the default budget share (70 %); the real-time edits go through the
same GHL client (and so the same budget) as a webhook's run would.

Reported:
- wall time of each direction against the minimum the import's budget share allows for the
  GHL calls it made (TT has no published quota: its calls are not limited) -> budget used;
- remote calls per imported record; 429s the simulators answered;
- real-time p50/p99 from an edit in GHL to the end of its run (the TT write) during the import;
- TT -> GHL runs in a fresh TT account of ``--customers`` (TT answers at most 1,000 customers
  per list, active and archived apart: the issue's 2,000 cannot all be read in one account);
- CPU per imported record (this process: the import, both simulators, the real-time edits),
  which bounds the share of the budget a loaded machine lets it use; the load average;
- resident memory the import adds (peak during the import minus the state before it), for a
  plan of ``--memory-contacts`` and of ``--memory-factor`` times as many (the simulator's own
  state is excluded); the issue's figure is 10,000 against 50,000 (the defaults).

Prints and writes ``bench/results/import.json``. Targets: >= 95 % of the budget share used,
0 x 429, real-time p99 <= 2 s, memory at the larger size within 10 % of that at the first.
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
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = Path(__file__).resolve().parent / "results"

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth  # noqa: E402
from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient  # noqa: E402
from ghltt.core import Event  # noqa: E402
from ghltt.engine.catalog import action_catalog  # noqa: E402
from ghltt.engine.context import BridgeContext, Repositories  # noqa: E402
from ghltt.engine.imports import Filters, Importer, create_import  # noqa: E402
from ghltt.engine.recipes import SyncRecipe  # noqa: E402
from ghltt.engine.recipes.templates import load_template  # noqa: E402
from ghltt.engine.sync import run_sync  # noqa: E402
from ghltt.sandbox.ghl import GhlSimulator  # noqa: E402
from ghltt.sandbox.ghl.config import GhlSimulatorConfig  # noqa: E402
from ghltt.sandbox.trackingtime import TrackingTimeSimulator  # noqa: E402
from ghltt.sandbox.trackingtime.state import Customer  # noqa: E402
from ghltt.store import open_database, upgrade  # noqa: E402
from ghltt.store.imports import ImportRepository  # noqa: E402

SHARE = 0.7
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


class World:
    """Both simulators, a store and a bridge context on them."""

    def __init__(self, tmp: Path, ghl_rate: int, store_url: str | None = None) -> None:
        self.ghl = GhlSimulator(GhlSimulatorConfig(rsa_key_size=2048))
        self.tt = TrackingTimeSimulator()
        location = self.ghl.sample_location_id
        for key in ("tt_customer_id", "tt_hours_total", "tt_hours_this_month"):
            self.ghl.state.custom_fields[f"cf_{key}"] = {
                "id": f"cf_{key}",
                "name": key,
                "fieldKey": f"contact.{key}",
                "dataType": "TEXT",
                "locationId": location,
            }
        self.ghl.set_rate_limits(burst=ghl_rate, window_ms=1000, daily=10_000_000)
        self.db = open_database(store_url or f"sqlite:///{tmp / 'bench.sqlite'}")
        upgrade(self.db)
        ghl = GhlClient(
            auth=StaticTokenAuth(self.ghl.sample_token),
            location_id=location,
            base_url="https://services.leadconnectorhq.com",
            transport=httpx2.ASGITransport(app=self.ghl.app),
        )
        # The budget as the location's headers will say (the client learns it from them too).
        ghl.budget.limit, ghl.budget.window = ghl_rate, 1.0
        zone = self.tt.account().timezone
        tt = TrackingTimeClient(
            AppPassword(str(self.tt.credentials()[0]["app_password"])),
            account_id=self.tt.account_id,
            base_url="https://api.trackingtime.co/api/v4",
            transport=httpx2.ASGITransport(app=self.tt.app),
            account_timezone=zone,
        )
        repos = Repositories.of(self.db)
        self.ctx = BridgeContext(BRIDGE, "sandbox", ghl, tt, repos, BASE, tt_timezone=zone)

    async def setup(self) -> None:
        for name in ("ghl_phone", "ghl_business_id", "ghl_tags", "ghl_contact_id"):
            await self.ctx.tt.custom_fields.add(name, "text", "customer")

    def add_contacts(self, n: int, start: int = 0) -> None:
        for i in range(start, start + n):
            stamp = (BASE + timedelta(milliseconds=i)).isoformat(timespec="milliseconds")
            stamp = stamp.replace("+00:00", "Z")
            record = {
                "id": f"bench{i:07d}",
                "locationId": self.ghl.sample_location_id,
                "firstName": f"Person{i}",
                "lastName": "Bench",
                "email": f"person{i}@bench.example",
                "phone": f"+1555{i:07d}",
                "dateAdded": stamp,
                "dateUpdated": stamp,
                "type": "lead",
                "tags": [],
                "customFields": [],
                "followers": [],
                "additionalEmails": [],
            }
            self.ghl.state.contacts[record["id"]] = record

    def add_customers(self, n: int, start: int) -> None:
        for i in range(start, start + n):
            customer = Customer(
                id=self.tt.state.next_id("customer"),
                account_id=self.tt.account_id,
                name=f"Client{i} Bench",
                contact_name=f"Client{i} Bench",
                contact_email=f"client{i}@bench.example",
                created_at=BASE,
                updated_at=BASE + timedelta(seconds=i),
            )
            self.tt.state.customers[customer.id] = customer

    def calls(self) -> tuple[int, int, int]:
        ghl = self.ghl.request_log()
        tt = self.tt.request_log()
        too_many = sum(1 for r in [*ghl, *tt] if r.get("status") == 429)
        return len(ghl), len(tt), too_many


async def _real_time(world: World, stop: asyncio.Event, latencies: list[float]) -> None:
    """One GHL edit a second, each synced as the webhook's run would sync it."""
    recipe, rng = _recipe(), random.Random(13)
    ids = [c for c in world.ghl.state.contacts if c.startswith("bench")]
    n = 0
    while not stop.is_set():
        started = time.monotonic()
        contact = rng.choice(ids)
        n += 1
        await world.ctx.ghl.contacts.update(contact, {"lastName": f"Edit{n}"})
        event = Event(
            bridge=BRIDGE,
            source="ghl",  # type: ignore[arg-type]
            kind="contact.updated",
            object_type="contact",
            object_id=contact,
            dedup_key=f"bench:{n}",
            payload={},
        )
        await run_sync(recipe, event, world.ctx.with_run(None, datetime.now(UTC)))
        latencies.append((time.monotonic() - started) * 1000)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, 1 - (time.monotonic() - started)))


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


async def _direction(world: World, direction: str, ghl_rate: int) -> dict[str, Any]:
    repo = ImportRepository(world.db)
    recipe = _recipe()
    ctx = world.ctx.with_run(None, datetime.now(UTC))
    record = create_import(repo, BRIDGE, recipe, (direction,), Filters())
    before = world.calls()
    latencies: list[float] = []
    stop = asyncio.Event()
    edits = asyncio.create_task(_real_time(world, stop, latencies))
    started, cpu = time.monotonic(), time.process_time()
    done = await Importer(ctx, recipe, repo, record, share=SHARE).run()
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    stop.set()
    await edits
    after = world.calls()
    ghl_calls, tt_calls = after[0] - before[0], after[1] - before[1]
    counts = done.progress[direction]["counts"]
    records = sum(counts.values())
    # The edits' own calls are not the import's: about 3 GHL calls each (update, read, write-back).
    import_ghl = max(0, ghl_calls - 3 * len(latencies))
    minimum = import_ghl / (ghl_rate * SHARE)
    return {
        "records": records,
        "counts": counts,
        "wall_s": round(wall, 1),
        "min_s_for_ghl_calls_at_share": round(minimum, 1),
        "budget_share_used": round(minimum / wall, 3) if wall else None,
        "ghl_calls": ghl_calls,
        "tt_calls": tt_calls,
        "calls_per_record": round((ghl_calls + tt_calls) / records, 2) if records else None,
        "cpu_ms_per_record": round(cpu * 1000 / records, 1) if records else None,
        "load_average_1m": round(os.getloadavg()[0], 1),
        "http_429": after[2] - before[2],
        "real_time_edits": len(latencies),
        "real_time_p50_ms": _pct(latencies, 50),
        "real_time_p99_ms": _pct(latencies, 99),
    }


async def _memory(contacts: int) -> dict[str, Any]:
    """The resident memory of a plan of ``contacts`` GHL contacts (no budget limit), in this
    process: its peak, and what the import added to the state before it (the simulator's
    contacts excluded)."""
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp), 1_000_000)
        await world.setup()
        world.add_contacts(contacts)
        repo = ImportRepository(world.db)
        recipe = _recipe()
        record = create_import(repo, BRIDGE, recipe, ("ghl_to_tt",), Filters(), plan_only=True)
        gc.collect()
        before = _rss_kb()
        with PeakRss() as peak:
            await Importer(world.ctx, recipe, repo, record).run()
        await world.ctx.aclose()
    return {
        "contacts": contacts,
        "rss_before_mb": round(before / 1024, 1),
        "peak_rss_mb": round(peak.peak / 1024, 1),
        "added_rss_mb": round((peak.peak - before) / 1024, 1),
    }


def _memory_in_child(contacts: int) -> dict[str, Any]:
    """``_memory`` in a fresh process: one that ran other imports before keeps their heap."""
    command = [sys.executable, __file__, "--memory-only", str(contacts)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def _directions(args: argparse.Namespace, database: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, _store(database) as url:
        world = World(Path(tmp), args.ghl_rate, url)
        await world.setup()
        world.add_contacts(args.contacts)
        ghl_to_tt = await _direction(world, "ghl_to_tt", args.ghl_rate)
        print(f"{database} ghl_to_tt: {json.dumps(ghl_to_tt)}", file=sys.stderr)
        await world.ctx.aclose()
        world.db.dispose()
    with tempfile.TemporaryDirectory() as tmp, _store(database) as url:
        # A fresh TT account: TT lists at most 1,000 customers per call (active and archived
        # apart), so the ones just made would hide the ones to import.
        world = World(Path(tmp), args.ghl_rate, url)
        await world.setup()
        world.add_customers(args.customers, start=10_000_000)
        world.add_contacts(100)  # what the real-time edits change meanwhile
        tt_to_ghl = await _direction(world, "tt_to_ghl", args.ghl_rate)
        print(f"{database} tt_to_ghl: {json.dumps(tt_to_ghl)}", file=sys.stderr)
        await world.ctx.aclose()
        world.db.dispose()
    return {"ghl_to_tt": ghl_to_tt, "tt_to_ghl": tt_to_ghl}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {database: await _directions(args, database) for database in databases}
    memory = []
    for size in (args.memory_contacts, args.memory_contacts * args.memory_factor):
        memory.append(_memory_in_child(size))
        print(f"memory: {json.dumps(memory[-1])}", file=sys.stderr)
    small, large = memory[0]["added_rss_mb"], memory[1]["added_rss_mb"]
    peaks = memory[0]["peak_rss_mb"], memory[1]["peak_rss_mb"]
    both = [d for result in results.values() for d in result.values()]
    p99s = [d["real_time_p99_ms"] for d in both if d["real_time_p99_ms"] is not None]
    met = {
        "budget_share_used_95pct": all((d["budget_share_used"] or 0) >= 0.95 for d in both),
        "no_429": all(d["http_429"] == 0 for d in both),
        "real_time_p99_le_2s": bool(p99s) and max(p99s) <= 2000,
        # What the import adds: the simulator's own contacts grow with the account.
        "memory_flat_within_10pct": large <= max(small * 1.1, small + 5),
    }
    ratio = round(peaks[1] / peaks[0], 3) if peaks[0] else None
    return {**results, "memory": memory, "memory_peak_ratio": ratio, "met": met}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=10_000, help="GHL contacts to import")
    parser.add_argument(
        "--customers", type=int, default=990, help="TT customers to import (TT lists 1,000)"
    )
    parser.add_argument("--ghl-rate", type=int, default=100, help="GHL requests per second")
    parser.add_argument(
        "--memory-contacts", type=int, default=10_000, help="plan size for memory (and xK)"
    )
    parser.add_argument(
        "--memory-factor", type=int, default=5, help="K: the larger plan's size over the first"
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 500/200/2,000")
    parser.add_argument("--memory-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_only:
        print(json.dumps(asyncio.run(_memory(args.memory_only))), flush=True)
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
