"""Chaos at scale: ghltt's processes killed, remote APIs failing, webhooks misdelivered, and in
the end every record on both sides the same, none lost, none duplicated.

The scenario, on PostgreSQL: 2 web processes behind a round-robin load balancer and 2 workers;
on SQLite: one `ghltt serve` (web and executor). The contacts recipe syncs GHL contacts and TT
customers both ways. Then:

- `--records` GHL contacts are created, and `--changes` changes in all are made at `--rate`
  per second: the creates, then edits of random records, 70% in GHL and 30% in TrackingTime;
- every webhook is sent 3 times, 10% are dropped and 10% held back and sent out of order;
- 10% of API calls are answered 5xx (and 3% of TT writes fail after they committed), and two
  429 storms of 20 s hit GHL;
- on PostgreSQL a random worker is killed with SIGKILL 5 times and restarted, and one web
  process is killed during intake and restarted; on SQLite the server is killed 5 times.

Then the faults stop, one reconciliation runs, and ghltt must go quiet. The report compares both
simulators' state record by record (converged, duplicated, stale, lost), webhooks acknowledged
against events committed, dead letters, and the time to converge after the load ended.
Target: 0 lost, 0 duplicated, 0 stale, 0 acknowledged events missing.

Usage: python bench/chaos.py [--database postgres|sqlite|both] [--records N] [--changes N]
       [--rate R] [--quick]
Writes bench/results/chaos.json and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _e2e_stack import Stack, _wait_http, free_port
from _lb import LoadBalancer
from ghltt.bridges import build_services
from ghltt.jobs.bridge_schedules import reconcile_request
from ghltt.store import insert_new
from ghltt.store.tables import inbox_events, record_links, runs, sync_cursors

RESULTS = Path(__file__).resolve().parent / "results"
GHL_SHARE = 0.7  # of the edits; the rest are made in TrackingTime


# ---- the processes ---------------------------------------------------------------------------
@dataclass
class ChaosStack(Stack):
    """``Stack`` with N web processes behind a load balancer (PostgreSQL), or one `ghltt serve`
    running web and executor together (SQLite)."""

    webs: int = 2
    lb: LoadBalancer | None = None
    web_ports: list[int] = field(default_factory=list)

    @property
    def single(self) -> bool:
        return self.database == "sqlite"

    def start(self) -> None:
        self.start_simulators()
        self.prepare(GHLTT_RUN_MAX_ATTEMPTS="5")
        # TT pushes no customer changes: its edits arrive by the poll, every minute here.
        assert self.settings is not None and self.db is not None
        build_services(self.settings, self.db).bridges.update_settings(
            self.bridge_id, {"reconcile": {"interval_seconds": 60}}
        )
        if self.single:
            self.start_server()
        else:
            # All of them start at once: their imports overlap instead of adding up.
            self.web_ports = [free_port() for _ in range(self.webs)]
            for i in range(self.webs):
                self.start_web_process(i, wait=False)
            self.start_worker()
            for i, port in enumerate(self.web_ports):
                _wait_http(f"http://127.0.0.1:{port}/healthz", self.procs[f"web-{i}"], f"web-{i}")
            self.lb = LoadBalancer(int(self.url.rsplit(":", 1)[1]), self.web_ports)
            self.lb.start()
        httpx2.post(
            f"{self.ghl_url}/_admin/webhooks/targets", json={"url": f"{self.url}/webhooks"}
        ).raise_for_status()

    def start_server(self, *, wait: bool = True) -> None:
        self._spawn("server", [sys.executable, "-m", "ghltt", "serve"], self._env)
        if wait:
            _wait_http(f"{self.url}/healthz", self.procs["server"], "ghltt serve")

    def start_web_process(self, i: int, *, wait: bool = True) -> None:
        name, port = f"web-{i}", self.web_ports[i]
        env = {**self._env, "GHLTT_PORT": str(port)}
        self._spawn(name, [sys.executable, "-m", "ghltt", "serve", "--no-executor"], env)
        if wait:
            _wait_http(f"http://127.0.0.1:{port}/healthz", self.procs[name], name)

    def close(self) -> None:
        if self.lb is not None:
            self.lb.close()
        super().close()


# ---- the remote sides ------------------------------------------------------------------------
def _ghl(stack: Stack) -> httpx2.AsyncClient:
    headers = {"Authorization": f"Bearer {stack.ghl_token}", "Version": "2021-07-28"}
    return httpx2.AsyncClient(base_url=stack.ghl_url, headers=headers, timeout=30)


def _tt_base(stack: Stack) -> tuple[str, tuple[str, str]]:
    creds = httpx2.get(f"{stack.tt_url}/_admin/credentials").json()
    admin = next(u for u in creds["users"] if u["role"] == "ADMIN")
    return f"{stack.tt_url}/api/v4/{creds['account_id']}", ("API_TOKEN", admin["app_password"])


async def _send(call: Any, what: str, errors: Counter[str]) -> Any:
    """One change, retried through the injected faults as a user's tool would retry it."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            response = await call()
        except httpx2.HTTPError:
            errors[f"{what}: transport"] += 1
            await asyncio.sleep(0.5)
            continue
        if response.status_code < 300:
            body = response.json()
            # TT answers errors inside a 200 envelope.
            if isinstance(body, dict) and body.get("response", {}).get("status", 200) >= 300:
                errors[f"{what}: TT {body['response']['status']}"] += 1
                await asyncio.sleep(0.5)
                continue
            return body
        errors[f"{what}: {response.status_code}"] += 1
        await asyncio.sleep(1.0 if response.status_code == 429 else 0.3)
    raise RuntimeError(f"{what}: still failing after 3 minutes")


@dataclass
class Load:
    stack: ChaosStack
    records: int
    changes: int
    rate: float
    rng: random.Random
    contacts: list[str] = field(default_factory=list)
    made: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    async def run(self) -> None:
        tt_base, tt_auth = _tt_base(self.stack)
        async with _ghl(self.stack) as ghl, httpx2.AsyncClient(auth=tt_auth, timeout=30) as tt:
            interval = 1 / self.rate
            start = time.monotonic()
            pending: set[asyncio.Task[None]] = set()
            for seq in range(self.changes):
                await asyncio.sleep(max(0.0, start + seq * interval - time.monotonic()))
                task = asyncio.create_task(self._change(seq, ghl, tt, tt_base))
                pending.add(task)
                task.add_done_callback(pending.discard)
                if len(pending) > 200:  # the remote sides are in a storm: don't pile up
                    await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            await asyncio.gather(*pending)

    async def _change(
        self, seq: int, ghl: httpx2.AsyncClient, tt: httpx2.AsyncClient, tt_base: str
    ) -> None:
        if seq < self.records:
            body = {
                "locationId": self.stack.location_id,
                "firstName": f"R{seq:05d}",
                "lastName": "New",
                "email": f"r{seq:05d}@chaos.example.com",
            }
            reply = await _send(
                lambda: ghl.post("/contacts/", json=body), "ghl create", self.errors
            )
            self.contacts.append(str(reply["contact"]["id"]))
            self.made["ghl_create"] += 1
            return
        index = self.rng.randrange(len(self.contacts))
        contact = self.contacts[index]
        tt_id = self._linked(contact) if self.rng.random() >= GHL_SHARE else None
        if tt_id is None:
            body = {"firstName": f"R{index:05d}", "lastName": f"G{seq}"}
            await _send(lambda: ghl.put(f"/contacts/{contact}", json=body), "ghl edit", self.errors)
            self.made["ghl_edit"] += 1
            return
        name = f"R{index:05d} T{seq}"
        data = {"name": name, "contact_name": name}
        await _send(
            lambda: tt.post(f"{tt_base}/customers/update/{tt_id}", data=data),
            "tt edit",
            self.errors,
        )
        self.made["tt_edit"] += 1

    def _linked(self, contact: str) -> str | None:
        assert self.stack.db is not None
        with self.stack.db.connect() as conn:
            found = conn.execute(
                sa.select(record_links.c.tt_id).where(
                    (record_links.c.ghl_id == contact) & (record_links.c.ghl_type == "contact")
                )
            ).scalar_one_or_none()
        return str(found) if found is not None else None


# ---- faults and crashes ----------------------------------------------------------------------
def faults_on(stack: Stack) -> None:
    httpx2.put(
        f"{stack.ghl_url}/_admin/faults",
        json={
            "seed": 7,
            "error_rate": 0.10,
            "webhook_drop_rate": 0.10,
            "webhook_duplicate_rate": 1.0,
            "webhook_duplicate_copies": 3,
            "webhook_reorder_rate": 0.10,
        },
    ).raise_for_status()
    httpx2.put(
        f"{stack.tt_url}/_admin/faults",
        json={
            "seed": 7,
            "http_5xx_rate": 0.10,
            "post_commit_5xx_rate": 0.03,
            "webhook_drop_rate": 0.10,
            "webhook_duplicate_rate": 1.0,
            "webhook_duplicate_copies": 3,
            "webhook_reorder_rate": 0.10,
        },
    ).raise_for_status()


def storm(stack: Stack, seconds: float) -> None:
    httpx2.patch(f"{stack.ghl_url}/_admin/faults", json={"storm_seconds": seconds})


def faults_off(stack: Stack) -> None:
    httpx2.delete(f"{stack.ghl_url}/_admin/faults").raise_for_status()
    httpx2.delete(f"{stack.tt_url}/_admin/faults").raise_for_status()


@dataclass(frozen=True)
class Scenario:
    """How big and how rough one run is; the defaults are the issue's scenario."""

    records: int = 2000
    changes: int = 10_000
    rate: float = 50  # changes per second
    kills: int = 5  # SIGKILLs of ghltt's executors (workers, or the SQLite server)
    storms: int = 2  # GHL 429 storms
    storm_seconds: float = 20
    web_kill: bool = True  # one web process killed during intake (PostgreSQL)
    seed: int = 1
    timeout: float = 900  # seconds to go quiet, each time
    still: float = 10  # seconds with nothing new that make "quiet"

    @property
    def seconds(self) -> float:
        return self.changes / self.rate


class Chaos(threading.Thread):
    """Kills and restarts ghltt's processes at random moments of the load."""

    def __init__(self, stack: ChaosStack, scenario: Scenario, rng: random.Random) -> None:
        super().__init__(name="chaos", daemon=True)
        self.stack, self.rng, self.scenario = stack, rng, scenario
        seconds = scenario.seconds
        self.moments = sorted(rng.uniform(0.1, 0.9) * seconds for _ in range(scenario.kills))
        self.web_kill = rng.uniform(0.2, 0.8) * seconds if scenario.web_kill else None
        self.storms = [(0.25 + 0.35 * i) * seconds for i in range(scenario.storms)]
        self.log: list[dict[str, Any]] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # reported by the benchmark
            self.error = exc

    def _run(self) -> None:
        start = time.monotonic()
        plan: list[tuple[float, str]] = [(t, "kill") for t in self.moments]
        plan += [(t, "storm") for t in self.storms]
        if not self.stack.single and self.web_kill is not None:
            plan.append((self.web_kill, "web"))
        for at, what in sorted(plan):
            time.sleep(max(0.0, start + at - time.monotonic()))
            stamp = round(time.monotonic() - start, 1)
            if what == "storm":
                storm(self.stack, self.scenario.storm_seconds)
                self.log.append(
                    {"at_s": stamp, "what": f"GHL 429 storm, {self.scenario.storm_seconds:g} s"}
                )
            elif what == "web":
                i = self.rng.randrange(self.stack.webs)
                self.stack.kill(f"web-{i}")
                self.log.append({"at_s": stamp, "what": f"SIGKILL web-{i}"})
                time.sleep(2)
                self.stack.start_web_process(i, wait=False)
            elif self.stack.single:
                self.stack.kill("server")
                self.log.append({"at_s": stamp, "what": "SIGKILL server"})
                time.sleep(1)
                self.stack.start_server(wait=False)
            else:
                name = self.rng.choice(self.stack.worker_names())
                self.stack.kill(name)
                self.log.append({"at_s": stamp, "what": f"SIGKILL {name}"})
                time.sleep(1)
                self._restart_worker(name)

    def _restart_worker(self, name: str) -> None:
        i = self.stack.worker_names().index(name)
        env = {**self.stack._env, "GHLTT_EXECUTOR_ID": f"bench-{i}"}
        self.stack._spawn(name, [sys.executable, "-m", "ghltt", "worker"], env)


# ---- settling and judging --------------------------------------------------------------------
def reconcile(stack: Stack) -> str:
    """What the bridge's schedule does: a reconciliation event in the inbox; its id."""
    assert stack.db is not None
    event = reconcile_request(stack.bridge_id, f"schedule:chaos:{uuid.uuid4().hex}")
    with stack.db.begin() as conn:
        insert_new(conn, [event])
    return event.id


def first_poll(stack: Stack, timeout: float = 180) -> None:
    assert stack.db is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with stack.db.connect() as conn:
            done = conn.execute(
                sa.select(sync_cursors.c.stream).where(
                    (sync_cursors.c.bridge_id == stack.bridge_id)
                    & (sync_cursors.c.stream == "ghl.contacts")
                )
            ).first()
        if done is not None and not stack.pending():
            return
        time.sleep(0.5)
    raise SystemExit("the bridge's first poll did not run")


def _webhooks_busy(stack: Stack) -> bool:
    ghl = httpx2.get(f"{stack.ghl_url}/_admin/webhooks/deliveries").json()
    tt = httpx2.get(f"{stack.tt_url}/_admin/webhooks/deliveries").json()
    ghl_rows = ghl.get("deliveries", ghl) if isinstance(ghl, dict) else ghl
    tt_rows = tt.get("deliveries", tt) if isinstance(tt, dict) else tt
    return any(d.get("outcome") in (None, "pending") for d in ghl_rows) or any(
        d.get("status") == "pending" for d in tt_rows
    )


def _processed(stack: Stack, event_id: str) -> bool:
    assert stack.db is not None
    with stack.db.connect() as conn:
        done = conn.execute(
            sa.select(inbox_events.c.processed_at).where(inbox_events.c.id == event_id)
        ).scalar_one_or_none()
    return done is not None


def quiet(
    stack: Stack, timeout: float, still: float = 10.0, after: str | None = None
) -> float | None:
    """A barrier, not a sleep: until no webhook is pending, no event waits, the event ``after``
    (if given) is processed, and nothing new arrived for ``still`` seconds. The monotonic time
    it was last seen busy, or None at the timeout."""
    assert stack.db is not None
    start = time.monotonic()
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() - start < timeout:
        with stack.db.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(inbox_events)).scalar_one()
        busy = stack.pending() or _webhooks_busy(stack)
        if after is not None and not _processed(stack, after):
            busy = True
        if count != last_count or busy:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change >= still:
            return last_change
        time.sleep(0.5)
    return None


def settle(stack: Stack, timeout: float, still: float) -> float | None:
    """With the faults off: quiet, then one reconciliation and quiet again after it. The
    monotonic time ghltt was last seen busy, or None if it never went quiet."""
    if quiet(stack, timeout, still) is None:
        return None
    return quiet(stack, timeout, still, after=reconcile(stack))


def _tt_field_ids(tt_state: dict[str, Any]) -> dict[str, str]:
    fields = tt_state.get("custom_fields", {})
    rows = fields.values() if isinstance(fields, dict) else fields
    return {str(f["id"]): str(f["name"]) for f in rows}


def judge(stack: Stack, contacts: list[str]) -> dict[str, Any]:
    """Both simulators' state, record by record."""
    ghl = httpx2.get(f"{stack.ghl_url}/_admin/state").json()
    tt = httpx2.get(f"{stack.tt_url}/_admin/state").json()
    ghl_contacts: dict[str, Any] = ghl["contacts"]
    ghl_fields = {str(f["id"]): str(f.get("fieldKey")) for f in ghl["customFields"].values()}
    tt_names = _tt_field_ids(tt)
    customers = tt["customers"].values() if isinstance(tt["customers"], dict) else tt["customers"]
    by_contact: dict[str, list[dict[str, Any]]] = {}
    for customer in customers:
        custom = {
            tt_names.get(str(k), str(k)): v
            for k, v in (customer.get("custom_fields") or {}).items()
        }
        if custom.get("ghl_contact_id"):
            by_contact.setdefault(str(custom["ghl_contact_id"]), []).append(customer)
    outcome: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for contact_id in contacts:
        contact = ghl_contacts.get(contact_id)
        found = by_contact.get(contact_id, [])
        if contact is None or not found:
            verdict = "lost"
        elif len(found) > 1:
            verdict = "duplicated"
        else:
            customer = found[0]
            name = " ".join(p for p in (contact.get("firstName"), contact.get("lastName")) if p)
            link = next(
                (
                    str(f.get("value"))
                    for f in contact.get("customFields") or []
                    if ghl_fields.get(str(f.get("id"))) == "contact.tt_customer_id"
                ),
                None,
            )
            same = (
                customer.get("contact_name") == name
                and str(customer.get("contact_email") or "").lower()
                == str(contact.get("email") or "").lower()
                and link == str(customer["id"])
            )
            verdict = "converged" if same else "stale"
        outcome[verdict] += 1
        if verdict == "stale" and len(examples.setdefault(verdict, [])) < 5:
            examples[verdict].append(
                f"{contact_id}: GHL {name!r} {contact.get('email')!r} -> {link!r}; TT "
                f"{customer.get('contact_name')!r} {customer.get('contact_email')!r} "
                f"{customer['id']!r}"
            )
        elif verdict == "duplicated" and len(examples.setdefault(verdict, [])) < 5:
            # Each customer, to tell which run made the extra one (its name, when).
            made = ", ".join(f"{c['id']} {c.get('name')!r} at {c.get('created_at')}" for c in found)
            examples[verdict].append(f"{contact_id}: {made}")
        elif verdict != "converged" and len(examples.setdefault(verdict, [])) < 5:
            examples[verdict].append(contact_id)
    return {
        "records": len(contacts),
        **{k: outcome[k] for k in ("converged", "duplicated", "stale", "lost")},
        "examples": examples,
    }


def acknowledged_vs_committed(stack: Stack) -> dict[str, Any]:
    """Every webhook ghltt acknowledged (2xx) must be an event in the store."""
    assert stack.db is not None
    with stack.db.connect() as conn:
        keys = set(conn.execute(sa.select(inbox_events.c.dedup_key)).scalars())
    ghl = httpx2.get(f"{stack.ghl_url}/_admin/webhooks/deliveries").json()
    ghl_rows = ghl.get("deliveries", ghl) if isinstance(ghl, dict) else ghl
    ghl_acked = {str(d["webhookId"]) for d in ghl_rows if 200 <= int(d.get("status") or 0) < 300}
    tt = httpx2.get(f"{stack.tt_url}/_admin/webhooks/deliveries").json()
    tt_rows = tt.get("deliveries", tt) if isinstance(tt, dict) else tt
    tt_acked = {
        str(d["id"])
        for d in tt_rows
        if any(200 <= int(a.get("status") or 0) < 300 for a in d.get("attempts") or [])
    }
    missing_ghl = [w for w in ghl_acked if f"ghl:{w}" not in keys]
    missing_tt = [
        d
        for d in tt_acked
        if f"tt:{d}" not in keys and not any(k.startswith(f"tt:{d}:") for k in keys)
    ]
    return {
        "ghl_acknowledged": len(ghl_acked),
        "tt_acknowledged": len(tt_acked),
        "events_committed": len(keys),
        "acknowledged_missing": len(missing_ghl) + len(missing_tt),
        "missing_examples": (missing_ghl + missing_tt)[:5],
    }


def dead_letters(stack: Stack) -> int:
    assert stack.db is not None
    with stack.db.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(runs).where(runs.c.status == "failed")
            ).scalar_one()
        )


# ---- one database ----------------------------------------------------------------------------
def run_database(
    database: str,
    scenario: Scenario,
    *,
    keep: bool = False,
    pg_admin_url: str | None = None,
) -> dict[str, Any]:
    """One run of ``scenario`` on ``database`` (sqlite | postgres), every process it started
    ended before it returns; the report, with ``met`` for the target."""
    rng = random.Random(scenario.seed)
    tmp = tempfile.mkdtemp(prefix="ghltt-chaos-")
    print(f"[{database}] working in {tmp}", file=sys.stderr)
    try:
        workers = 2 if database == "postgres" else 1
        stack = ChaosStack(Path(tmp), database, None, workers)
        if pg_admin_url is not None:
            stack.pg_admin_url = pg_admin_url
        stack.keep_database = keep
        try:
            phases: dict[str, float] = {}
            mark = time.monotonic()
            stack.start()
            if keep and stack.pg_name:
                print(f"[{database}] database {stack.pg_name} (kept)", file=sys.stderr)
            phases["start_s"] = round(time.monotonic() - mark, 1)
            # A new bridge's first poll sets its cursors: what changed before it is the
            # business of an import, not of reconciliation. Start the load after it.
            first_poll(stack)
            phases["first_poll_s"] = round(time.monotonic() - mark - phases["start_s"], 1)
            faults_on(stack)
            load = Load(stack, scenario.records, scenario.changes, scenario.rate, rng)
            chaos = Chaos(stack, scenario, rng)
            chaos.start()
            started = time.monotonic()
            asyncio.run(load.run())
            load_seconds = round(time.monotonic() - started, 1)
            chaos.join()
            if chaos.error is not None:
                raise chaos.error
            ended = time.monotonic()
            faults_off(stack)
            settled = settle(stack, scenario.timeout, scenario.still)
            converge_s = round(settled - ended, 1) if settled is not None else None
            result = {
                "processes": "2 web + load balancer, 2 workers"
                if database == "postgres"
                else "1 server (web + executor)",
                "load_seconds": load_seconds,
                "changes_made": dict(load.made),
                "client_retries": dict(load.errors.most_common(10)),
                "crashes": chaos.log,
                "records": judge(stack, load.contacts),
                "webhooks": acknowledged_vs_committed(stack),
                "dead_letters": dead_letters(stack),
                "seconds_to_converge_after_load": converge_s,
                "lb_refused_connections": stack.lb.refused if stack.lb else 0,
                "phases": {**phases, "settle_s": round(time.monotonic() - ended, 1)},
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        finally:
            stack.close()
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    records = result["records"]
    result["met"] = (
        records["lost"] == 0
        and records["duplicated"] == 0
        and records["stale"] == 0
        and result["webhooks"]["acknowledged_missing"] == 0
        and result["dead_letters"] == 0
        and result["seconds_to_converge_after_load"] is not None
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    full = Scenario()
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--records", type=int, default=full.records)
    parser.add_argument("--changes", type=int, default=full.changes)
    parser.add_argument("--rate", type=float, default=full.rate, help="changes per second")
    parser.add_argument("--kills", type=int, default=full.kills, help="SIGKILLs of executors")
    parser.add_argument("--timeout", type=float, default=full.timeout, help="s to go quiet")
    parser.add_argument("--seed", type=int, default=full.seed)
    parser.add_argument("--keep", action="store_true", help="keep the logs and the store")
    parser.add_argument(
        "--quick", action="store_true", help="200 records, 600 changes at 20/s, 2 kills"
    )
    args = parser.parse_args()
    if args.quick:
        args.records, args.changes, args.rate, args.kills = 200, 600, 20, 2
    scenario = Scenario(
        records=args.records,
        changes=args.changes,
        rate=args.rate,
        kills=args.kills,
        seed=args.seed,
        timeout=args.timeout,
    )
    report_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # libraries log to stdout; keep it for the JSON report
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    report: dict[str, Any] = {
        "benchmark": "chaos",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "quick": args.quick,
        "records": scenario.records,
        "changes": scenario.changes,
        "rate": scenario.rate,
        "kills": scenario.kills,
        "recipe": "contacts",
    }
    for database in databases:
        report[database] = run_database(database, scenario, keep=args.keep)
        print(f"[{database}] {json.dumps(report[database])[:600]}", file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "chaos.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2), file=report_out, flush=True)
    if not all(report[d]["met"] for d in databases):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
