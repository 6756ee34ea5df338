"""Importing contacts ↔ customers against both simulators: matched before created, linked,
never duplicated; ambiguous matches reported; plan and apply agree; a 429 storm is waited out.

Sizes are small (a few hundred records: the per-record cost is the sync's own, measured by
bench/import.py); pages are small so that every test crosses several of them."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.connectors.http import ServerError
from ghltt.engine.context import BridgeContext
from ghltt.engine.imports import Importer, sources
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store.imports import ImportRepository
from tests.engine.conftest import Writes
from tests.engine.imports.conftest import (
    add_contacts,
    add_customers,
    contacts_recipe,
    duplicates,
    email,
    ghl_contacts,
    links,
    run_import,
    tt_customers,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fast_limits")]


async def test_contacts_into_an_account_with_matching_customers_link_them(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    add_contacts(ghl_sim, range(160))
    matching = add_customers(tt_sim, range(0, 160, 4))  # 40 of them already in TT
    contacts = ghl_contacts(ghl_sim)
    customers_before = len(tt_customers(tt_sim))

    done = await run_import(ctx, db, ("ghl_to_tt",), page_size=30)

    assert done.status == "finished", done.error
    counts = done.progress["ghl_to_tt"]["counts"]
    paired = dict(links(db))
    assert len(paired) == len(contacts), counts
    # The customers that were there are linked to their contacts, not made again.
    by_email = {c["email"]: c["id"] for c in contacts if c.get("email")}
    for customer in matching:
        assert paired[by_email[customer.contact_email]] == str(customer.id)
    customers = tt_customers(tt_sim)
    assert len(customers) == customers_before + len(contacts) - len(matching)
    assert duplicates([c.contact_email for c in customers]) == {}
    assert counts["create"] == len(contacts) - len(matching)
    assert counts["failed"] == counts["ambiguous"] == counts["invalid"] == 0
    assert done.progress["ghl_to_tt"]["total"] == len(contacts)


async def test_customers_into_a_location_with_matching_contacts_link_them(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    add_customers(tt_sim, range(120))
    matching = add_contacts(ghl_sim, range(0, 120, 3))  # 40 of them already in GHL
    customers = tt_customers(tt_sim)
    contacts_before = len(ghl_contacts(ghl_sim))

    done = await run_import(ctx, db, ("tt_to_ghl",), page_size=25)

    assert done.status == "finished", done.error
    counts = done.progress["tt_to_ghl"]["counts"]
    paired = {tt: ghl for ghl, tt in links(db)}
    assert len(paired) == len(customers), counts
    by_email = {c.contact_email: str(c.id) for c in customers}
    for contact in matching:
        assert paired[by_email[contact["email"]]] == contact["id"]
    contacts = ghl_contacts(ghl_sim)
    assert len(contacts) == contacts_before + len(customers) - len(matching)
    assert duplicates([c.get("email") for c in contacts]) == {}
    assert counts["failed"] == counts["ambiguous"] == 0


async def test_a_plan_writes_nothing_and_the_import_then_does_what_it_said(
    ctx: BridgeContext,
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    writes: Writes,
) -> None:
    add_contacts(ghl_sim, range(90))
    add_customers(tt_sim, range(0, 90, 3))
    tt_sim.state.customers[max(tt_sim.state.customers)].name = "Renamed In TT"

    planned = await run_import(ctx, db, ("ghl_to_tt",), plan_only=True, page_size=40)

    assert writes.both() == (0, 0)
    assert links(db) == []
    plan_counts = planned.progress["ghl_to_tt"]["counts"]
    assert plan_counts["create"] == 60 + len(ghl_contacts(ghl_sim)) - 90
    assert plan_counts["update"] > 0
    # The sample shows writes field by field: what the target holds, what it would hold.
    update = next(s for s in planned.samples if s["outcome"] == "update")
    changes = {f: c for w in update["writes"] for f, c in w["fields"].items()}
    assert any(c["from"] != c["to"] for c in changes.values())

    done = await run_import(ctx, db, ("ghl_to_tt",), page_size=40)

    assert done.progress["ghl_to_tt"]["counts"] == plan_counts


async def test_an_ambiguous_match_is_reported_and_nothing_is_created_for_it(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    (contact,) = add_contacts(ghl_sim, range(7, 8))
    add_customers(tt_sim, range(7, 8))
    twin = add_customers(tt_sim, range(500, 501))[0]
    twin.contact_email = email(7)
    before = len(tt_customers(tt_sim))

    done = await run_import(ctx, db, ("ghl_to_tt",))

    assert done.progress["ghl_to_tt"]["counts"]["ambiguous"] == 1
    (failure,) = ImportRepository(db).failures(done.id, status="ambiguous")
    assert failure.record_id == contact["id"]
    assert "share contact_email" in failure.reason
    assert len(tt_customers(tt_sim)) == before + len(ghl_contacts(ghl_sim)) - 1
    assert contact["id"] not in dict(links(db))

    # Fixed in TT (the twin gets its own email), the record is replayed alone and linked.
    twin.contact_email = "someone.else@example.com"
    repo = ImportRepository(db)
    record = repo.get(done.id)
    assert record is not None
    replayed = await Importer(ctx, contacts_recipe(), repo, record).replay("ghl", contact["id"])
    assert replayed.outcome == "update"  # its custom fields were not on the customer yet
    assert dict(links(db))[contact["id"]] != str(twin.id)
    assert [f.status for f in repo.failures(done.id)] == ["replayed"]


async def test_429s_are_waited_out_without_a_failure(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    ghl_sim.set_rate_limits(burst=100_000, window_ms=200, daily=10_000_000)
    add_contacts(ghl_sim, range(30))
    ghl_sim.set_faults(storm_requests=3)  # longer storms: tests/jobs/test_imports.py

    done = await run_import(ctx, db, ("ghl_to_tt",), page_size=10)

    counts = done.progress["ghl_to_tt"]["counts"]
    assert done.status == "finished"
    assert counts["failed"] == 0
    assert len(links(db)) == len(ghl_contacts(ghl_sim))
    assert sum(1 for r in ghl_sim.request_log() if r["status"] == 429) == 3


async def test_a_page_read_ahead_that_failed_is_read_again_by_its_page(
    ctx: BridgeContext,
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The next page is read while a page's records are under way; when that read fails, the
    page reads itself (its own failure would be the page's): nothing is skipped or failed."""
    add_contacts(ghl_sim, range(90))
    contacts = ghl_contacts(ghl_sim)
    read = sources.READERS["ghl.contact"]
    calls: list[Any] = []

    async def second_read_fails(*args: Any) -> sources.Page:
        calls.append(args[1])
        if len(calls) == 2:
            raise ServerError("a read ahead that failed", status=502)
        return await read(*args)

    monkeypatch.setitem(sources.READERS, "ghl.contact", second_read_fails)

    done = await run_import(ctx, db, ("ghl_to_tt",), page_size=25)

    assert done.status == "finished", done.error
    counts = done.progress["ghl_to_tt"]["counts"]
    assert counts["create"] == len(contacts) and counts["failed"] == 0, counts
    assert len(links(db)) == len(contacts)
    # The failed read ahead was for the second page, and the second page read it again.
    assert calls[1] is not None and calls[2] == calls[1]


async def test_the_import_writes_its_links_and_checkpoints_off_the_event_loop(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """A commit waits for the database (PostgreSQL's WAL flush, SQLite's fsync): made on the
    event loop, it would stall every request in flight and every real-time run meanwhile."""
    add_contacts(ghl_sim, range(60))
    contacts = len(ghl_contacts(ghl_sim))
    threads: dict[str, set[bool]] = {"record_links": set(), "imports": set()}
    loop_thread = threading.get_ident()

    def executing(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split()
        if words[0] in ("INSERT", "UPDATE"):
            table = words[2] if words[0] == "INSERT" else words[1]
            if table in threads:
                threads[table].add(threading.get_ident() == loop_thread)

    sa.event.listen(db, "before_cursor_execute", executing)
    try:
        done = await run_import(ctx, db, ("ghl_to_tt",), page_size=20)
    finally:
        sa.event.remove(db, "before_cursor_execute", executing)

    assert done.status == "finished", done.error
    assert len(links(db)) == contacts
    # Each record's link and each page's checkpoint were written, none on the loop's thread.
    assert threads["record_links"] == {False}
    # Its checkpoints too (its status, started and finished, is written on the loop).
    assert False in threads["imports"]
