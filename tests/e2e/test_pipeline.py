"""The whole loop over real sockets: GHL simulator → signed webhook → ghltt intake → durable
run of the contacts template → TrackingTime simulator, and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx2
import pytest
import sqlalchemy as sa

from ghltt.cli.sandbox import _provision
from ghltt.jobs import JobAdmin
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.settings import Settings, load_settings
from ghltt.store import RunRepository, create_store_engine, upgrade
from ghltt.store.tables import connections
from ghltt.vault import build_services
from ghltt.web import create_app
from tests.support.server import free_port, serve_asgi

pytestmark = pytest.mark.slow


@dataclass
class Loop:
    settings: Settings
    engine: sa.Engine
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


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def settled(loop: Loop) -> bool:
    with loop.engine.connect() as conn:
        pending = conn.exec_driver_sql(
            "SELECT count(*) FROM inbox_events WHERE processed_at IS NULL"
        ).scalar_one()
    return pending == 0


@pytest.fixture
def loop(database_url: str, tmp_path: Path) -> Iterator[Loop]:
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
        run_max_attempts=2,
        run_retry_interval=0.05,
    )
    engine = create_store_engine(settings.store_url)
    upgrade(engine)
    with serve_asgi(ghl.app, port=ghl_port), serve_asgi(tt.app, port=tt_port):
        bridge = anyio.run(_provision, settings, engine, ghl, tt)
        ghl.add_webhook_target(f"{settings.public_url}/webhooks")
        with serve_asgi(create_app(settings, with_executor=True), port=port):
            yield Loop(settings, engine, ghl, tt, bridge)
    engine.dispose()


def _create_contact(loop: Loop, email: str, token: str | None = None) -> str:
    with loop.ghl_api(token) as api:
        response = api.post(
            "/contacts/",
            json={
                "locationId": loop.ghl.sample_location_id,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "email": email,
            },
        )
        assert response.status_code == 201, response.text
        return str(response.json()["contact"]["id"])


def test_a_ghl_contact_reaches_trackingtime_once_and_its_echo_writes_nothing(loop: Loop) -> None:
    _create_contact(loop, "ada@example.com")
    wait_for(lambda: loop.tt_writes("customers/add") == 1, "the TT customer")
    wait_for(lambda: loop.ghl_contact_writes() == 1, "the TT id written back to GHL")
    wait_for(lambda: settled(loop), "every event processed")
    time.sleep(2)  # room for any further echo to arrive and be processed
    wait_for(lambda: settled(loop), "every echo processed")
    assert loop.tt_writes("customers/add") == 1
    assert loop.tt_writes("customers/update") == 0
    assert loop.ghl_contact_writes() == 1
    customers = [c for c in loop.tt.snapshot()["customers"] if c.get("name") == "Ada Lovelace"]
    assert len(customers) == 1
    runs = RunRepository(loop.engine)
    assert runs.count("failed") == 0 and runs.count("succeeded") >= 2


def test_a_revoked_token_fails_the_run_visibly_and_a_replay_after_reconnecting_succeeds(
    loop: Loop,
) -> None:
    loop.ghl.revoke_token(loop.ghl.sample_token)  # ghltt still holds this one
    fresh = loop.ghl.create_token(kind="pit", location_id=loop.ghl.sample_location_id).token
    _create_contact(loop, "grace@example.com", token=fresh)
    runs = RunRepository(loop.engine)
    wait_for(lambda: runs.count("failed") >= 1, "the run to fail")
    admin = JobAdmin(loop.settings, loop.engine)
    try:
        wait_for(lambda: len(admin.dead_letters()) >= 1, "a dead letter")
        [failed, *_] = runs.list(status="failed")
        assert "401" in (failed.error or "") or "auth" in (failed.error or "").lower()
        with loop.engine.connect() as conn:
            status = conn.execute(
                sa.select(connections.c.status).where(connections.c.system == "ghl")
            ).scalar_one()
        assert status != "active", "the connection says it needs attention"
        services = build_services(loop.settings, loop.engine)
        ghl_id = (
            loop.engine.connect()
            .execute(sa.select(connections.c.id).where(connections.c.system == "ghl"))
            .scalar_one()
        )
        anyio.run(services.connections.rotate, ghl_id, fresh)  # as 'ghltt connections rotate'

        for letter in admin.dead_letters():
            admin.replay(letter.workflow_id)
    finally:
        admin.close()
    wait_for(lambda: loop.tt_writes("customers/add") >= 1, "the replayed run to write")
    wait_for(lambda: runs.count("failed") == 0, "no failed run left")
