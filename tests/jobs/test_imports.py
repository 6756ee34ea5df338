"""An import as a durable job in a real worker process: killed with SIGKILL in the middle, it
resumes from its checkpoint after a restart, with no duplicate and no record missed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx2
import pytest

from ghltt.core import utcnow
from ghltt.engine.imports import Filters, create_import
from ghltt.jobs import JobAdmin
from ghltt.jobs.imports import recipe_of
from ghltt.store.imports import ImportRepository
from ghltt.store.links import LinkRepository
from ghltt.store.tokens import token_file
from tests.e2e.conftest import Loop, open_loop, wait_for
from tests.engine.imports.conftest import add_contacts, duplicates, ghl_contacts, tt_customers
from tests.support import process
from tests.support.server import free_port

pytestmark = pytest.mark.slow

QUIET_SCHEDULE = {"reconcile": {"interval_seconds": 86_400}}
UNLIMITED = {"burst": 1_000_000, "window_ms": 10_000, "daily": 100_000_000}


def _worker_env(loop: Loop) -> dict[str, str]:
    return process.ghltt_env(
        loop.settings.data_dir,
        loop.settings.store_url,
        GHLTT_PUBLIC_URL=loop.settings.public_url,
        GHLTT_GHL_BASE_URL=loop.settings.ghl_base_url,
        GHLTT_TT_BASE_URL=loop.settings.tt_base_url,
        GHLTT_IMPORT_PAGE_SIZE="100",  # pages to be killed between
    )


def _start(loop: Loop) -> str:
    repo = ImportRepository(loop.db)
    record = create_import(
        repo, loop.bridge, recipe_of("contacts"), ("ghl_to_tt",), Filters(), catch_up=False
    )
    admin = JobAdmin(loop.settings, loop.db)

    def enqueued() -> bool:
        try:
            admin.start_import(record.id)
        except Exception:  # the worker has not created its system database yet
            return False
        return True

    try:
        wait_for(enqueued, "the worker's system database", 60)
    finally:
        admin.close()
    return record.id


def _done(loop: Loop, import_id: str) -> int:
    found = ImportRepository(loop.db).get(import_id)
    assert found is not None
    assert found.status not in ("failed", "cancelled"), found.error
    counts = found.progress.get("ghl_to_tt", {}).get("counts", {})
    return sum(counts.values())


def _finished(loop: Loop, import_id: str) -> bool:
    found = ImportRepository(loop.db).get(import_id)
    assert found is not None and found.status != "failed", found.error if found else None
    return found.status == "finished"


def test_an_import_killed_mid_way_resumes_after_restart_without_duplicates_or_misses(
    database_url: str, tmp_path: Path
) -> None:
    with open_loop(database_url, tmp_path, executor=False, bridge_settings=QUIET_SCHEDULE) as loop:
        loop.ghl.set_rate_limits(**UNLIMITED)
        loop.ghl.remove_webhook_target(f"{loop.settings.public_url}/webhooks")
        add_contacts(loop.ghl, range(250))
        contacts = ghl_contacts(loop.ghl)
        customers_before = len(tt_customers(loop.tt))
        log = tmp_path / "worker.log"
        worker = process.start(["worker"], _worker_env(loop), log)
        try:
            import_id = _start(loop)
            wait_for(lambda: _done(loop, import_id) >= 100, "two pages of the import", 120)
            process.kill9(worker)
            assert not _finished(loop, import_id)
            worker = process.start(["worker"], _worker_env(loop), log)
            wait_for(lambda: _finished(loop, import_id), "the import to finish", 180)
        finally:
            process.stop(worker)
        paired = LinkRepository(loop.db).all(loop.bridge, "contact", "customer")
        assert {link.ghl_id for link in paired} >= {c["id"] for c in contacts}
        customers = tt_customers(loop.tt)
        assert duplicates([c.contact_email for c in customers]) == {}
        assert len(customers) - customers_before <= len(contacts)


@pytest.mark.timeout(900)  # two starts of serve (web, executor, DBOS) on a loaded machine
def test_an_import_resumes_after_a_kill_9_of_serve_without_duplicates_or_misses(
    database_url: str, tmp_path: Path
) -> None:
    """``ghltt serve`` (web and executor child) SIGKILLed mid-import, then started again: the
    import goes on from its checkpoint. Both simulators are compared with the links after."""
    with open_loop(database_url, tmp_path, executor=False, bridge_settings=QUIET_SCHEDULE) as loop:
        loop.ghl.set_rate_limits(**UNLIMITED)
        loop.ghl.remove_webhook_target(f"{loop.settings.public_url}/webhooks")
        add_contacts(loop.ghl, range(250))
        contacts = ghl_contacts(loop.ghl)
        customers_before = {c.id for c in tt_customers(loop.tt)}
        port = free_port()
        env = {**_worker_env(loop), "GHLTT_PORT": str(port)}
        log = tmp_path / "serve.log"
        server = process.start(["serve"], env, log)
        answers: list[httpx2.Response] = []

        def accepted() -> bool:
            """POST /api/imports once serve answers (its start takes minutes on a loaded
            machine: no readiness deadline, the wait below is the test's)."""
            assert server.poll() is None, "ghltt serve exited"
            token = token_file(loop.settings.data_dir).read_text().strip()
            try:
                answer = httpx2.post(
                    f"http://127.0.0.1:{port}/api/imports",
                    json={"bridge": loop.bridge, "recipe": "contacts", "direction": "ghl_to_tt"},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                )
            except httpx2.HTTPError:
                return False
            answers.append(answer)
            return answer.status_code == 202

        try:
            wait_for(accepted, "ghltt serve to take the import", 600)
            import_id = answers[-1].json()["id"]
            wait_for(lambda: _done(loop, import_id) >= 100, "two pages of the import", 120)
            process.kill9(server)  # its executor child dies with it (parent-death signal)
            assert not _finished(loop, import_id)
            server = process.start(["serve"], env, log)
            wait_for(lambda: _finished(loop, import_id), "the import to finish", 600)
        finally:
            process.stop(server)
        paired = LinkRepository(loop.db).all(loop.bridge, "contact", "customer")
        # Nothing missed: every GHL contact is paired, with a customer TrackingTime holds.
        assert {link.ghl_id for link in paired} == {c["id"] for c in contacts}
        held = {str(c.id): c for c in tt_customers(loop.tt)}
        assert {link.tt_id for link in paired} <= set(held)
        # No duplicate: one customer per contact, each linked once.
        assert not duplicates([link.tt_id for link in paired])
        assert not duplicates([c.contact_email for c in held.values()])
        made = set(held) - {str(i) for i in customers_before}
        assert made <= {link.tt_id for link in paired}


def test_a_scheduled_import_catches_up_with_only_what_changed(
    database_url: str, tmp_path: Path
) -> None:
    with open_loop(database_url, tmp_path, bridge_settings=QUIET_SCHEDULE) as loop:
        loop.ghl.set_rate_limits(**UNLIMITED)
        loop.ghl.remove_webhook_target(f"{loop.settings.public_url}/webhooks")
        add_contacts(loop.ghl, range(30))
        repo = ImportRepository(loop.db)
        admin = JobAdmin(loop.settings, loop.db)
        try:
            # Every few seconds (DBOS reads a sixth, leading field as seconds).
            admin.schedule_import(
                loop.bridge, "contacts", "*/3 * * * * *", directions=["ghl_to_tt"]
            )

            def finished() -> list[dict[str, int]]:
                return [
                    r.progress["ghl_to_tt"]["counts"]
                    for r in repo.recent(loop.bridge)
                    if r.status == "finished"
                ]

            wait_for(lambda: len(finished()) >= 1, "the first scheduled import", 120)
            first = finished()[-1]
            assert first["create"] == len(ghl_contacts(loop.ghl))
            add_contacts(loop.ghl, range(900, 903), at=utcnow() - timedelta(seconds=1))
            wait_for(
                lambda: any(c["create"] == 3 for c in finished()[:-1]),
                "a catch-up that creates the three new contacts' customers",
                120,
            )
            assert admin.unschedule_import(loop.bridge, "contacts")
        finally:
            admin.close()
        # Later catch-ups found nothing new: no more customers than contacts.
        paired = LinkRepository(loop.db).all(loop.bridge, "contact", "customer")
        assert len(paired) == len(ghl_contacts(loop.ghl))
        assert duplicates([c.contact_email for c in tt_customers(loop.tt)]) == {}


def test_a_429_storm_longer_than_the_requestors_retries_fails_nothing(
    database_url: str, tmp_path: Path
) -> None:
    with open_loop(database_url, tmp_path, bridge_settings=QUIET_SCHEDULE) as loop:
        loop.ghl.set_rate_limits(burst=1_000_000, window_ms=200, daily=100_000_000)
        loop.ghl.remove_webhook_target(f"{loop.settings.public_url}/webhooks")
        add_contacts(loop.ghl, range(40))
        # Eight 429s in a row: more than one call's five attempts, so a page's step fails
        # once and is retried from the checkpoint.
        loop.ghl.set_faults(storm_requests=8)
        import_id = _start(loop)
        wait_for(lambda: _finished(loop, import_id), "the import to finish", 120)
        record = ImportRepository(loop.db).get(import_id)
        assert record is not None and record.progress["ghl_to_tt"]["counts"]["failed"] == 0
        assert ImportRepository(loop.db).failures(import_id) == []
        assert sum(1 for r in loop.ghl.request_log() if r["status"] == 429) == 8
        paired = LinkRepository(loop.db).all(loop.bridge, "contact", "customer")
        assert len(paired) == len(ghl_contacts(loop.ghl))
