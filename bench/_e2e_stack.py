"""The processes of the end-to-end benchmark: both simulators, ghltt's web part and its worker,
each in its own process on loopback, and a bridge provisioned against the simulators over HTTP.

The web part runs with ``--no-executor`` and the worker as ``ghltt worker`` (niced as ``serve``
does it), so a benchmark can stop the worker, let a backlog build up in the inbox, and time
how fast a fresh worker drains it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import httpx2
import psycopg
import sqlalchemy as sa

from ghltt.bridges import build_services
from ghltt.engine.needs import check_enabled
from ghltt.settings import Settings, load_settings
from ghltt.store import open_database, upgrade
from ghltt.store.tables import inbox_events

HERE = Path(__file__).resolve().parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RECIPE = "contacts"
# The TT custom fields the contacts template maps (as the sandbox creates them).


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}; see its log")
        try:
            if httpx2.get(url, timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{what} did not start within {timeout:.0f} s")


def _prepare_worker() -> None:
    os.nice(5)  # as 'ghltt serve' starts its executor child: intake first when CPU is short


@dataclass
class Stack:
    """Everything one benchmark run needs; ``close()`` ends every process it started."""

    tmp: Path
    database: str  # sqlite | postgres
    bridge_rate_limit: int | None
    workers: int = 1  # worker processes (PostgreSQL only: SQLite has one writer)
    pg_admin_url: str = PG_ADMIN_URL  # a server and database where it may create databases
    keep_database: bool = False  # leave the PostgreSQL database for a post-mortem
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    pg_name: str | None = None
    db: sa.Engine | None = None
    settings: Settings | None = None
    bridge_id: str = ""
    ghl_url: str = ""
    tt_url: str = ""
    url: str = ""
    location_id: str = ""
    ghl_token: str = ""

    # ---- processes -------------------------------------------------------------------------
    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.tmp / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=log,
            preexec_fn=_prepare_worker if name.startswith("worker") else None,
            start_new_session=True,  # its own process group: a kill reaches its children too
        )

    def _stop(self, name: str, timeout: float = 30) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def kill(self, name: str) -> None:
        """SIGKILL a process and everything it started (its process group), as a crash does."""
        proc = self.procs.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def start(self) -> None:
        self.start_simulators()
        self.prepare()
        self.start_web()
        self.start_worker()

    def start_simulators(self, ghl_sim: Path = HERE / "_e2e_ghl_sim.py") -> None:
        ghl_port, tt_port = free_port(), free_port()
        self.ghl_url = f"http://127.0.0.1:{ghl_port}"
        self.tt_url = f"http://127.0.0.1:{tt_port}"
        py = sys.executable
        self._spawn("ghl-sim", [py, str(ghl_sim), str(ghl_port)])
        self._spawn(
            "tt-sim", [py, "-m", "ghltt", "simulate", "trackingtime", "--port", str(tt_port)]
        )
        _wait_http(f"{self.ghl_url}/_admin/sample", self.procs["ghl-sim"], "the GHL simulator")
        _wait_http(f"{self.tt_url}/_admin/credentials", self.procs["tt-sim"], "the TT simulator")

    def prepare(self, **settings: str) -> None:
        """The store, the settings every process shares (``settings``: more GHLTT_* values),
        and the bridge."""
        self.url = f"http://127.0.0.1:{free_port()}"
        database_url = None
        if self.database == "postgres":
            self.pg_name = f"ghltt_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            database_url = (
                sa.make_url(self.pg_admin_url)
                .set(database=self.pg_name)
                .render_as_string(hide_password=False)
            )
        env = {k: v for k, v in os.environ.items() if not k.startswith("GHLTT_")}
        env.update(
            GHLTT_ENV_FILE=str(self.tmp / "no.env"),  # never a developer's .env
            GHLTT_DATA_DIR=str(self.tmp / "data"),
            GHLTT_HOST="127.0.0.1",
            GHLTT_PORT=self.url.rsplit(":", 1)[1],
            GHLTT_PUBLIC_URL=self.url,
            GHLTT_GHL_BASE_URL=self.ghl_url,
            GHLTT_TT_BASE_URL=f"{self.tt_url}/api/v4",
            GHLTT_SANDBOX_WHEN_EMPTY="false",
            GHLTT_LOG_LEVEL="warning",
            **settings,
        )
        if database_url:
            env["GHLTT_DATABASE_URL"] = database_url
        if self.bridge_rate_limit is not None:
            env["GHLTT_BRIDGE_RATE_LIMIT"] = str(self.bridge_rate_limit)
        self._env = env
        os.environ["GHLTT_ENV_FILE"] = env["GHLTT_ENV_FILE"]
        self.settings = load_settings(
            data_dir=self.tmp / "data",
            database_url=database_url,
            public_url=self.url,
            ghl_base_url=self.ghl_url,
            tt_base_url=f"{self.tt_url}/api/v4",
            bridge_rate_limit=self.bridge_rate_limit,
        )
        self.db = open_database(self.settings.store_url)
        upgrade(self.db)
        self.bridge_id = anyio.run(self._provision)

    def start_web(self) -> None:
        self._spawn("web", [sys.executable, "-m", "ghltt", "serve", "--no-executor"], self._env)
        _wait_http(f"{self.url}/readyz", self.procs["web"], "ghltt serve")
        httpx2.post(
            f"{self.ghl_url}/_admin/webhooks/targets", json={"url": f"{self.url}/webhooks"}
        ).raise_for_status()

    def worker_names(self) -> list[str]:
        return ["worker"] + [f"worker-{i}" for i in range(1, self.workers)]

    def start_worker(self, profile: Path | None = None) -> None:
        """Start the worker processes, each its own executor (the first one profiled)."""
        for i, name in enumerate(self.worker_names()):
            env = {**self._env, "GHLTT_EXECUTOR_ID": f"bench-{i}"}
            if profile is not None and i == 0:
                env["GHLTT_BENCH_PROFILE"] = str(profile)
                env["GHLTT_BENCH_PROFILE_MODE"] = os.environ.get("GHLTT_BENCH_PROFILE_MODE", "")
                self._spawn(name, [sys.executable, str(HERE / "_e2e_profile.py")], env)
            else:
                self._spawn(name, [sys.executable, "-m", "ghltt", "worker"], env)

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU of each running process, from /proc (Linux)."""
        tick = os.sysconf("SC_CLK_TCK")
        out = {}
        for name, proc in self.procs.items():
            try:
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[name] = (int(fields[11]) + int(fields[12])) / tick
        return out

    def stop_worker(self) -> None:
        for name in self.worker_names():
            self._stop(name)

    def close(self) -> None:
        for name in reversed(list(self.procs)):  # ghltt first, the simulators last
            with contextlib.suppress(Exception):
                self._stop(name, timeout=15)
        if self.db is not None:
            self.db.dispose()
        if self.pg_name and not self.keep_database:
            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    # ---- provisioning, as ghltt.cli.sandbox._provision but over the simulators' admin API ---
    async def _provision(self) -> str:
        from ghltt.cli.sandbox import _all_scopes

        assert self.settings is not None and self.db is not None
        sample = httpx2.get(f"{self.ghl_url}/_admin/sample").json()
        keys = httpx2.get(f"{self.ghl_url}/_admin/keys").json()
        creds = httpx2.get(f"{self.tt_url}/_admin/credentials").json()
        self.location_id, self.ghl_token = sample["locationId"], sample["locationToken"]
        admin = next(u for u in creds["users"] if u["role"] == "ADMIN")
        services = build_services(self.settings, self.db)
        ghl = await services.connections.add_ghl_token(
            label="GHL simulator",
            token=self.ghl_token,
            location_id=self.location_id,
            granted=sorted(_all_scopes()),
        )
        tt = await services.connections.add_tt(
            label="TrackingTime simulator",
            secret=admin["app_password"],
            account_id=int(creds["account_id"]),
        )
        bridge = await services.bridges.add(
            name="bench",
            ghl_connection=ghl.connection.id,
            tt_connection=tt.connection.id,
            mode="sandbox",
        )
        services.bridges.update_settings(
            bridge.id,
            {
                "ghl_public_keys": {
                    "ed25519": [keys["ed25519PublicKey"]],
                    "rsa": [keys["rsaPublicKey"]],
                },
                "tt_timezone": "America/New_York",
                # Polls add their own events and calls; keep them out of the window.
                "reconcile": {"interval_seconds": 3600},
            },
        )
        services.bridges.enable_recipe(bridge.id, RECIPE, [])
        # The custom fields the recipe maps, made as 'ghltt bridges check --fix' makes them.
        await check_enabled(services, bridge.id, fix=True, deliver=False)
        return bridge.id

    def disable_recipe(self) -> None:
        assert self.settings is not None and self.db is not None
        build_services(self.settings, self.db).bridges.disable_recipe(self.bridge_id, RECIPE)

    # ---- what the store says -----------------------------------------------------------------
    def events_since(self, since: datetime) -> list[Any]:
        assert self.db is not None
        cols = inbox_events.c
        stmt = sa.select(
            cols.kind, cols.received_at, cols.processed_at, cols.outcome, cols.payload
        ).where(cols.received_at >= since, cols.bridge_id == self.bridge_id)
        with self.db.connect() as conn:
            return list(conn.execute(stmt))

    def processed_count(self, since: datetime) -> int:
        assert self.db is not None
        cols = inbox_events.c
        stmt = sa.select(sa.func.count()).where(
            cols.received_at >= since, cols.processed_at.is_not(None)
        )
        with self.db.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def pending(self) -> int:
        assert self.db is not None
        with self.db.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(inbox_events.c.processed_at.is_(None))
                ).scalar_one()
            )

    def wait_settled_intake(self, since: datetime, expected: int, timeout: float) -> bool:
        """Until ``expected`` events arrived since ``since``, processed or not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.events_since(since)) >= expected:
                return True
            time.sleep(0.25)
        return False

    def wait_settled(self, since: datetime, expected: int, timeout: float) -> bool:
        """Until ``expected`` events arrived since ``since`` and nothing waits in the inbox."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.events_since(since)) >= expected and self.pending() == 0:
                return True
            time.sleep(0.25)
        return False
