"""The end-to-end loop shared by the e2e tests: both simulators on real sockets, a sandbox
bridge provisioned as `ghltt sandbox` does (every template enabled), and ghltt's web app with
or without its executor in-process."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import sqlalchemy as sa

from ghltt.cli.sandbox import _provision, scenario_endpoints
from ghltt.jobs.bridge_schedules import reconcile_request
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.sandbox.scenario import Endpoints
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.settings import Settings, load_settings
from ghltt.store import InboxRepository, insert_new, open_database, upgrade
from ghltt.store.tables import bridges, inbox_events
from ghltt.web import create_app
from tests.support.server import free_port, serve_asgi


@dataclass
class Loop:
    settings: Settings
    db: sa.Engine
    ghl: GhlSimulator
    tt: TrackingTimeSimulator
    bridge: str

    def ghl_api(self, token: str | None = None) -> httpx2.Client:
        token = token or self.ghl.sample_token
        headers = {"Authorization": f"Bearer {token}", "Version": "2021-07-28"}
        return httpx2.Client(base_url=self.ghl.config.base_url, headers=headers, timeout=10)

    def tt_writes(self, verb: str) -> int:
        return len([r for r in self.tt.request_log() if verb in r["path"]])

    def ghl_contact_writes(self) -> int:
        return self.ghl.count_requests(method="PUT", path="/contacts/*")

    def endpoints(self) -> Endpoints:
        """Where the sample scenario acts and looks, as `ghltt sandbox` gives it."""
        return scenario_endpoints(self.settings, self.db, self.ghl, self.tt, self.bridge)

    def writes(self) -> tuple[int, int]:
        """Remote writes so far (GHL, TT), counted from the simulators' request logs."""
        ghl = sum(
            1
            for r in self.ghl.request_log()
            if r["method"] in ("POST", "PUT", "DELETE") and not r["path"].endswith("/search")
        )
        verbs = ("/add", "/update", "/close", "/open", "/delete")
        tt = sum(
            1
            for r in self.tt.request_log()
            if any(v in r["path"] for v in verbs) and "custom_fields" not in r["path"]
        )
        return ghl, tt


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def reconcile_now(loop: Loop) -> str:
    """What the schedule's tick does: a `bridge.reconcile` event in the inbox; its id."""
    event = reconcile_request(loop.bridge, f"schedule:test:{uuid.uuid4().hex}")
    with loop.db.begin() as conn:
        insert_new(conn, [event])
    return event.id


def processed(loop: Loop, event_id: str) -> bool:
    found = InboxRepository(loop.db).get(event_id)
    return found is not None and found.processed_at is not None


def idle(loop: Loop) -> bool:
    """No GHL webhook on its way and nothing waiting in the inbox."""
    return loop.ghl.webhooks.busy == 0 and settled(loop)


def barrier(loop: Loop, timeout: float = 60) -> None:
    """Everything in flight is behind us: webhooks delivered and the inbox drained, then one
    reconciliation run and whatever it found drained too. A write after this is not a race
    the test lost but something that should not happen (use before asserting quiet)."""
    wait_for(lambda: idle(loop), "every webhook delivered and every event processed", timeout)
    event_id = reconcile_now(loop)
    wait_for(lambda: processed(loop, event_id), "the reconciliation to run", timeout)
    wait_for(lambda: idle(loop), "what the reconciliation found processed", timeout)


def settled(loop: Loop) -> bool:
    with loop.db.connect() as conn:
        pending: int = conn.exec_driver_sql(
            "SELECT count(*) FROM inbox_events WHERE processed_at IS NULL"
        ).scalar_one()
    return pending == 0


@contextmanager
def open_loop(
    database_url: str,
    tmp_path: Path,
    *,
    executor: bool = True,
    bridge_settings: dict[str, Any] | None = None,
    **settings_extra: Any,
) -> Iterator[Loop]:
    """The loop; ``bridge_settings`` are merged into the bridge's settings before ghltt starts,
    ``executor=False`` leaves the runs to a worker the test starts itself."""
    ghl_port, tt_port, port = free_port(), free_port(), free_port()
    ghl = GhlSimulator(
        GhlSimulatorConfig(base_url=f"http://127.0.0.1:{ghl_port}", rsa_key_size=2048)
    )
    tt = TrackingTimeSimulator()
    settings = load_settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url=f"http://127.0.0.1:{port}",
        ghl_base_url=f"http://127.0.0.1:{ghl_port}",
        tt_base_url=f"http://127.0.0.1:{tt_port}/api/v4",
        **{"run_max_attempts": 2, "run_retry_interval": 0.05, **settings_extra},
    )
    db = open_database(settings.store_url)
    upgrade(db)
    with serve_asgi(ghl.app, port=ghl_port), serve_asgi(tt.app, port=tt_port):
        bridge = anyio.run(_provision, settings, db, ghl, tt)
        if bridge_settings:
            with db.begin() as conn:
                current: dict[str, Any] | None = conn.execute(
                    sa.select(bridges.c.settings).where(bridges.c.id == bridge)
                ).scalar_one()
                conn.execute(
                    bridges.update()
                    .where(bridges.c.id == bridge)
                    .values(settings={**(current or {}), **bridge_settings})
                )
        ghl.add_webhook_target(f"{settings.public_url}/webhooks")
        with serve_asgi(create_app(settings, with_executor=executor), port=port):
            polls = (bridge_settings or {}).get("reconcile", {}).get("enabled", True)
            if executor and polls:
                # A change made while the bridge's first poll runs may be seen by both the
                # webhook and the poll: start from a bridge whose first poll is behind it.
                wait_for(lambda: _first_poll_done(db, bridge), "the bridge's first poll")
            yield Loop(settings, db, ghl, tt, bridge)
    db.dispose()


def _first_poll_done(db: Any, bridge: str) -> bool:
    c = inbox_events.c
    with db.connect() as conn:
        done = conn.execute(
            sa.select(sa.func.count()).where(
                c.dedup_key == f"schedule:first-poll:{bridge}", c.processed_at.is_not(None)
            )
        ).scalar_one()
    return bool(done)


@pytest.fixture
def loop(database_url: str, tmp_path: Path) -> Iterator[Loop]:
    with open_loop(database_url, tmp_path) as opened:
        yield opened
