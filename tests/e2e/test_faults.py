"""Issue 5: what a user relies on when webhooks misbehave and workers die, end to end on
SQLite and PostgreSQL.

- a webhook delivered three times changes nothing more than one delivery does;
- dropped and reordered webhooks are recovered by one reconciliation, with no duplicates;
- a worker killed with SIGKILL mid-way through 500 events loses none and duplicates none.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.sandbox.ghl.webhooks import encode
from ghltt.store import InboxRepository, RunRepository
from ghltt.store.cursors import CursorRepository
from tests.e2e.conftest import Loop, open_loop, reconcile_now, settled, wait_for
from tests.support import process

pytestmark = pytest.mark.slow

# A daily poll: the only reconciliations are the one at start and the one a test triggers.
QUIET_SCHEDULE = {"reconcile": {"interval_seconds": 86_400}}
# Budgets out of the way: these tests are about faults, not rate limits.
UNLIMITED = {"burst": 1_000_000, "window_ms": 10_000, "daily": 100_000_000}
TT_WRITE_VERBS = {"add", "update", "delete", "close", "open", "save", "values", "archive"}


# ---- helpers -------------------------------------------------------------------------------
def _tt_writes(loop: Loop) -> int:
    return sum(
        1 for r in loop.tt.request_log() if TT_WRITE_VERBS & set(r["path"].strip("/").split("/"))
    )


def _ghl_writes(loop: Loop) -> int:
    """Every GHL request that changes state (a search is a POST that only reads)."""
    return sum(
        1
        for r in loop.ghl.request_log()
        if r["method"] in {"POST", "PUT", "PATCH", "DELETE"} and not r["path"].endswith("/search")
    )


def _idle(loop: Loop) -> bool:
    return loop.ghl.webhooks.busy == 0 and settled(loop)


def _quiesce(loop: Loop, timeout: float = 60) -> None:
    """Wait until nothing is pending and nothing new arrives for a while: a run's write-back
    to GHL comes back as a webhook, whose run must be processed too."""
    deadline = time.monotonic() + timeout
    while True:
        wait_for(
            lambda: _idle(loop),
            "every webhook delivered and every event processed",
            timeout=max(deadline - time.monotonic(), 1),
        )
        before = InboxRepository(loop.db).count()
        time.sleep(0.5)
        if _idle(loop) and InboxRepository(loop.db).count() == before:
            return
        if time.monotonic() > deadline:
            raise AssertionError("the loop never went quiet")


def _wait_for_first_poll(loop: Loop) -> None:
    # Documented (docs/architecture.md): a new bridge is polled at once, which sets the
    # cursors; changes made after it are what later polls recover.
    cursors = CursorRepository(loop.db)
    wait_for(
        lambda: cursors.get(loop.bridge, "ghl.contacts") is not None,
        "the bridge's first poll to set its cursors",
        timeout=30,
    )


def _create_contacts(api: httpx2.Client, loop: Loop, prefix: str, n: int) -> dict[str, str]:
    """n new GHL contacts; returns email → contact id."""
    made = {}
    for i in range(n):
        email = f"{prefix}{i:03d}@example.com"
        response = api.post(
            "/contacts/",
            json={
                "locationId": loop.ghl.sample_location_id,
                "firstName": f"First{i:03d}",
                "lastName": "Original",
                "email": email,
            },
        )
        assert response.status_code == 201, response.text
        made[email] = str(response.json()["contact"]["id"])
    return made


def _rename(api: httpx2.Client, contact_id: str, last_name: str) -> None:
    response = api.put(f"/contacts/{contact_id}", json={"lastName": last_name})
    assert response.status_code == 200, response.text


def _sync_problems(loop: Loop, contacts: dict[str, str]) -> list[str]:
    """Where the sides disagree. In sync: each contact has exactly one TT customer with its
    email and name, which the contact points at, and no record is duplicated on either side."""
    ghl_state = loop.ghl.snapshot()
    ghl_contacts: dict[str, Any] = ghl_state["contacts"]
    ghl_emails = Counter(str(c.get("email")) for c in ghl_contacts.values())
    customers = loop.tt.snapshot()["customers"]
    by_email: dict[str, list[dict[str, Any]]] = {}
    for customer in customers:
        by_email.setdefault(str(customer.get("contact_email")), []).append(customer)
    problems = []
    for email, contact_id in contacts.items():
        contact = ghl_contacts[contact_id]
        if ghl_emails[email] != 1:
            problems.append(f"{email}: {ghl_emails[email]} GHL contacts")
        found = by_email.get(email, [])
        name = f"{contact['firstName']} {contact['lastName']}"
        if len(found) != 1:
            problems.append(f"{email}: {len(found)} TT customers")
        elif found[0]["name"] != name:
            problems.append(f"{email}: TT says {found[0]['name']!r}, GHL says {name!r}")
        elif _tt_id_on(contact, ghl_state) != str(found[0]["id"]):
            problems.append(f"{email}: the contact does not point at its customer")
    return problems


def _assert_one_customer_each(loop: Loop, contacts: dict[str, str]) -> None:
    problems = _sync_problems(loop, contacts)
    assert not problems, f"{len(problems)} contacts out of sync: {problems[:10]}"


def _tt_id_on(contact: dict[str, Any], ghl_state: dict[str, Any]) -> str | None:
    field_ids = {
        f["id"] for f in ghl_state["customFields"].values() if f.get("name") == "tt_customer_id"
    }
    for value in contact.get("customFields") or []:
        if value.get("id") in field_ids:
            return str(value.get("value"))
    return None


@pytest.fixture
def faulty(database_url: str, tmp_path: Path) -> Iterator[Loop]:
    with open_loop(database_url, tmp_path, bridge_settings=QUIET_SCHEDULE) as loop:
        loop.ghl.set_rate_limits(**UNLIMITED)
        yield loop


# ---- 1. duplicates -------------------------------------------------------------------------
def test_every_webhook_delivered_three_times_writes_no_more_than_once(faulty: Loop) -> None:
    loop = faulty
    _quiesce(loop)
    tt_before, ghl_before = _tt_writes(loop), _ghl_writes(loop)
    # Two copies of every webhook from the simulator, a third re-posted below.
    loop.ghl.set_faults(webhook_duplicate_rate=1.0, seed=5)
    n, renamed = 10, 4
    with loop.ghl_api() as api:
        contacts = _create_contacts(api, loop, "dup", n)
        _quiesce(loop)
        for contact_id in list(contacts.values())[:renamed]:
            _rename(api, contact_id, "Renamed")
        _quiesce(loop)
    # The third delivery of each, late: the same signed bytes, as a GHL retry would send.
    emitted = loop.ghl.emitted_events
    with httpx2.Client(base_url=loop.settings.public_url, timeout=10) as ghltt:
        for payload in emitted:
            body = encode(payload)
            headers = {"content-type": "application/json", **loop.ghl.webhooks.sign(body)}
            response = ghltt.post("/webhooks", content=body, headers=headers)
            assert response.status_code == 200, response.text
            assert all(a["duplicate"] for a in response.json()["accepted"]), response.text
    _quiesce(loop)

    copies = Counter(
        d["webhookId"] for d in loop.ghl.webhooks.deliveries if d["outcome"] == "delivered"
    )
    assert emitted and all(copies[p["webhookId"]] == 2 for p in emitted)
    # One delivery's worth: a first sync writes once on each side (the customer, then its id
    # back on the contact); a rename writes the customer once. My own writes are n + renamed.
    assert _tt_writes(loop) - tt_before == n + renamed
    assert _ghl_writes(loop) - ghl_before == (n + renamed) + n
    _assert_one_customer_each(loop, contacts)
    assert RunRepository(loop.db).count("failed") == 0


# ---- 2. drops and reordering ---------------------------------------------------------------
def test_dropped_and_reordered_webhooks_converge_after_one_reconciliation(faulty: Loop) -> None:
    loop = faulty
    _wait_for_first_poll(loop)
    # Seed 5 drops 5 of the first 30 webhooks (mostly creates) and 3 later, and holds some back.
    loop.ghl.set_faults(webhook_drop_rate=0.1, webhook_reorder_rate=0.1, seed=5)
    with loop.ghl_api() as api:
        contacts = _create_contacts(api, loop, "drop", 30)
        # Edits right behind the creates, so reordering can put an update before its create.
        for i, contact_id in enumerate(contacts.values()):
            if i % 3 == 0:
                _rename(api, contact_id, "Edited")
            if i % 6 == 0:
                _rename(api, contact_id, "Edited Twice")
    _quiesce(loop)
    # Webhooks alone left the sides apart, or this test would prove nothing.
    assert _sync_problems(loop, contacts), "no dropped webhook mattered"

    event_id = reconcile_now(loop)
    inbox = InboxRepository(loop.db)
    wait_for(
        lambda: (e := inbox.get(event_id)) is not None and e.processed_at is not None,
        "the reconciliation to run",
    )
    _quiesce(loop)
    assert inbox.get(event_id).outcome == "applied"  # type: ignore[union-attr]
    _assert_one_customer_each(loop, contacts)
    assert RunRepository(loop.db).count("failed") == 0


# ---- 3. a worker killed mid-way ------------------------------------------------------------
def _customers_added(loop: Loop) -> int:
    """TT customers created. A request cut off by the kill reaches the simulator without its
    body and is refused (in-band 500), which creates nothing: only accepted adds count."""
    return sum(
        1 for r in loop.tt.requests.entries(path_contains="customers/add") if r.status == 200
    )


def _count_by(loop: Loop, sql: str) -> dict[str | None, int]:
    with loop.db.connect() as conn:
        return {row[0]: int(row[1]) for row in conn.execute(sa.text(sql))}


# The contacts' events and their runs (the executor may add a poll of its own).
EVENTS_BY_OUTCOME = (
    "SELECT outcome, count(*) FROM inbox_events WHERE kind = 'contact.created' GROUP BY outcome"
)
RUNS_BY_STATUS = (
    "SELECT r.status, count(*) FROM runs r JOIN inbox_events e ON e.id = r.event_id"
    " WHERE e.kind = 'contact.created' GROUP BY r.status"
)


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    database_url: str, tmp_path: Path
) -> None:
    n = 500
    with open_loop(database_url, tmp_path, executor=False, bridge_settings=QUIET_SCHEDULE) as loop:
        loop.ghl.set_rate_limits(**UNLIMITED)
        # The executor is a real child process, so SIGKILL hits it and nothing else.
        env = process.ghltt_env(
            loop.settings.data_dir,
            loop.settings.store_url,
            GHLTT_PUBLIC_URL=loop.settings.public_url,
            GHLTT_GHL_BASE_URL=loop.settings.ghl_base_url,
            GHLTT_TT_BASE_URL=loop.settings.tt_base_url,
        )
        # Exactly the n creates reach ghltt: the write-backs' own webhooks (echoes, whose zero
        # writes the other tests cover) would only double the work.
        hooks = f"{loop.settings.public_url}/webhooks"
        loop.ghl.remove_webhook_target(hooks)
        loop.ghl.add_webhook_target(hooks, events=["ContactCreate"])
        log = tmp_path / "worker.log"
        worker = process.start(["worker"], env, log)
        try:
            with loop.ghl_api() as api:
                contacts = _create_contacts(api, loop, "crash", n)
            wait_for(
                lambda: sum(_count_by(loop, EVENTS_BY_OUTCOME).values()) == n,
                f"the {n} webhooks in the inbox",
            )
            wait_for(
                lambda: _customers_added(loop) >= n // 4,
                "the worker to be a quarter of the way through",
                timeout=90,
            )
            process.kill9(worker)
            # What the dead worker left: runs its batches had planned and not finished.
            interrupted = _count_by(loop, RUNS_BY_STATUS)
            unfinished = interrupted.get("queued", 0) + interrupted.get("running", 0)
            assert unfinished > 0, f"no run was in flight: {interrupted}"
            assert _customers_added(loop) < n
            worker = process.start(["worker"], env, log)
            wait_for(lambda: settled(loop), "every event processed after the restart", timeout=150)
        finally:
            process.stop(worker)
        # Nothing lost: every event applied, each by one run that finished.
        assert _count_by(loop, EVENTS_BY_OUTCOME) == {"applied": n}
        assert _count_by(loop, RUNS_BY_STATUS) == {"succeeded": n}
        # Nothing duplicated: one customer created per contact, found again after the restart.
        assert _customers_added(loop) == n
        _assert_one_customer_each(loop, contacts)
