"""The whole loop over real sockets: GHL simulator → signed webhook → ghltt intake → durable
run of the contacts template → TrackingTime simulator, and back, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
import sqlalchemy as sa

from ghltt.bridges import build_services
from ghltt.jobs import JobAdmin
from ghltt.store import RunRepository
from ghltt.store.tables import connections, inbox_events
from tests.e2e.conftest import Loop, barrier, open_loop, wait_for

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
    barrier(loop)  # every echo delivered and processed, and a reconciliation found nothing new
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


def _event_outcome(loop: Loop, email: str) -> str | None:
    c = inbox_events.c
    with loop.db.connect() as conn:
        outcomes = [
            row.outcome
            for row in conn.execute(sa.select(c.outcome, c.payload).where(c.source == "ghl"))
            if email in str(row.payload)
        ]
    return outcomes[0] if outcomes else None


def _connection_id(loop: Loop, system: str) -> str:
    with loop.db.connect() as conn:
        found: str = conn.execute(
            sa.select(connections.c.id).where(connections.c.system == system)
        ).scalar_one()
    return found


def test_a_refused_token_holds_the_event_without_retrying_and_rotating_runs_it(
    webhook_loop: Loop,
) -> None:
    loop = webhook_loop
    loop.ghl.revoke_token(loop.ghl.sample_token)  # ghltt still holds this one
    fresh = loop.ghl.create_token(kind="pit", location_id=loop.ghl.sample_location_id).token
    _create_contact(loop, "grace@example.com", token=fresh)
    runs = RunRepository(loop.db)
    wait_for(lambda: _event_outcome(loop, "grace@example.com") == "held", "the event held")
    # One refused request: a 401 is not tried again, neither by the client nor by the run.
    assert loop.ghl.count_requests(status=401) == 1
    [held] = runs.list(status="held")
    assert "401" in (held.error or "") and "runs once it works" in (held.error or "")
    assert runs.count("failed") == 0
    admin = JobAdmin(loop.settings, loop.db)
    try:
        assert admin.dead_letters() == []
    finally:
        admin.close()
    with loop.db.connect() as conn:
        status = conn.execute(
            sa.select(connections.c.status).where(connections.c.system == "ghl")
        ).scalar_one()
    assert status == "needs_reauth", "the connection says it needs attention"

    services = build_services(loop.settings, loop.db)
    rotated = anyio.run(services.connections.rotate, _connection_id(loop, "ghl"), fresh)
    assert "released 1 held event(s): they run again" in rotated.notes
    wait_for(lambda: loop.tt_writes("customers/add") == 1, "the held event to run")
    wait_for(lambda: _event_outcome(loop, "grace@example.com") == "applied", "it applied")
    assert runs.count("failed") == 0


def test_events_while_the_tt_connection_is_revoked_wait_and_run_after_rotating(
    webhook_loop: Loop,
) -> None:
    loop = webhook_loop
    services = build_services(loop.settings, loop.db)
    tt_id = _connection_id(loop, "tt")
    [before] = loop.tt.snapshot()["webhooks"]
    user = loop.tt.credentials()[0]
    anyio.run(services.connections.revoke, tt_id)  # as 'ghltt connections revoke'
    loop.tt.revoke_app_password(user["app_password"])
    assert loop.tt.snapshot()["webhooks"] == []
    _create_contact(loop, "hedy@example.com")
    wait_for(lambda: _event_outcome(loop, "hedy@example.com") == "held", "the event held")
    assert loop.tt_writes("customers/add") == 0

    new_password = loop.tt.add_app_password(user["id"])
    rotated = anyio.run(services.connections.rotate, tt_id, new_password)
    notes = "\n".join(rotated.notes)
    assert "re-enabled" in notes and "released 1 held event(s)" in notes
    assert "re-registered the TrackingTime webhook of bridge" in notes
    [after] = loop.tt.snapshot()["webhooks"]
    assert after["id"] != before["id"] and after["url"] == before["url"]
    wait_for(lambda: loop.tt_writes("customers/add") == 1, "the held event to run")
    wait_for(lambda: _event_outcome(loop, "hedy@example.com") == "applied", "it applied")


def test_a_linked_contact_deleted_while_its_webhook_is_lost_archives_its_customer(
    webhook_loop: Loop,
) -> None:
    loop = webhook_loop
    contact_id = _create_contact(loop, "ada@example.com")
    wait_for(lambda: _customer(loop, "Ada Lovelace") is not None, "the TT customer")
    barrier(loop)
    loop.ghl.set_faults(webhook_drop_rate=1.0)  # GHL's ContactDelete never arrives
    with loop.ghl_api() as api:
        assert api.delete(f"/contacts/{contact_id}").status_code == 200
    barrier(loop)  # the reconciliation's id scan sees the linked contact gone
    customer = _customer(loop, "Ada Lovelace")
    assert customer is not None and customer["is_archived"] is True
    c = inbox_events.c
    with loop.db.connect() as conn:
        [outcome] = conn.execute(
            sa.select(c.outcome).where(c.kind == "contact.deleted", c.object_id == contact_id)
        ).scalars()
    assert outcome == "applied"
    assert RunRepository(loop.db).count("failed") == 0


def _customer(loop: Loop, name: str) -> dict[str, object] | None:
    found = [c for c in loop.tt.snapshot()["customers"] if c.get("name") == name]
    return found[0] if found else None
