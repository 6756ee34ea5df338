"""The whole loop over real sockets: GHL simulator → signed webhook → ghltt intake → durable
run of the contacts template → TrackingTime simulator, and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
import sqlalchemy as sa

from ghltt.bridges import build_services
from ghltt.jobs import JobAdmin
from ghltt.store import RunRepository
from ghltt.store.tables import connections, inbox_events
from ghltt.store.tokens import token_file
from tests.e2e.conftest import Loop, open_loop, settled, wait_for

pytestmark = pytest.mark.slow


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


@pytest.fixture
def webhook_loop(database_url: str, tmp_path: Path) -> Iterator[Loop]:
    """A loop whose bridge does not poll: all that happens is the webhooks' doing (the
    sandbox's bridge polls every minute, and a poll may see the contact first)."""
    with open_loop(database_url, tmp_path, bridge_settings={"reconcile": {"enabled": False}}) as lp:
        yield lp


def test_a_ghl_contact_reaches_trackingtime_once_and_its_echo_writes_nothing(
    webhook_loop: Loop,
) -> None:
    loop = webhook_loop
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
    runs = RunRepository(loop.db)
    assert runs.count("failed") == 0 and runs.count("succeeded") >= 2
    c = inbox_events.c
    with loop.db.connect() as conn:
        said = list(
            conn.execute(
                sa.select(c.changed_fields).where(c.source == "ghl", c.outcome == "applied")
            ).scalars()
        )
    # GHL's webhooks do not say what changed; the runs worked it out against the snapshots:
    # the creation changed every mapped field, the echo of our write-back none.
    assert sorted(said, key=len) == [[], sorted(said, key=len)[1]]
    assert "contact_email" in sorted(said, key=len)[1]


def test_a_revoked_token_fails_the_run_visibly_and_a_replay_after_reconnecting_succeeds(
    loop: Loop,
) -> None:
    loop.ghl.revoke_token(loop.ghl.sample_token)  # ghltt still holds this one
    fresh = loop.ghl.create_token(kind="pit", location_id=loop.ghl.sample_location_id).token
    _create_contact(loop, "grace@example.com", token=fresh)
    runs = RunRepository(loop.db)
    wait_for(lambda: runs.count("failed") >= 1, "the run to fail")
    admin = JobAdmin(loop.settings, loop.db)
    try:
        wait_for(lambda: len(admin.dead_letters()) >= 1, "a dead letter")
        token = token_file(loop.settings.data_dir).read_text().strip()
        listed = httpx2.get(
            f"{loop.settings.public_url}/api/dead-letters",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert listed.status_code == 200, listed.text
        [letter] = listed.json()
        assert letter["workflow_id"].startswith("event:") and letter["events"] == 1
        assert letter["event_id"] and letter["cause"], letter
        # The cause is the failing step's own error, classified, not a generic message.
        assert letter["cause_class"] in ("credential", "connection"), letter
        [failed, *_] = runs.list(status="failed")
        assert "401" in (failed.error or "") or "auth" in (failed.error or "").lower()
        with loop.db.connect() as conn:
            status = conn.execute(
                sa.select(connections.c.status).where(connections.c.system == "ghl")
            ).scalar_one()
        assert status != "active", "the connection says it needs attention"
        services = build_services(loop.settings, loop.db)
        ghl_id = (
            loop.db.connect()
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
