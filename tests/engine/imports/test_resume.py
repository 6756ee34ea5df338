"""An import stopped anywhere goes on from its checkpoint with no duplicate and nothing
missed; a catch-up reads only what changed since the last import; real-time edits made
during an import land once, with their latest values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.engine.context import BridgeContext
from ghltt.engine.imports import Filters, Importer, create_import
from ghltt.engine.sync import run_sync
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store.imports import ImportRecord, ImportRepository
from tests.engine.conftest import BRIDGE, Writes, event
from tests.engine.imports.conftest import (
    add_contacts,
    add_customers,
    contacts_recipe,
    duplicates,
    ghl_contacts,
    links,
    run_import,
    tt_customers,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fast_limits")]


class Crash(BaseException):
    """The worker dies: nothing after this point of the import runs."""


@dataclass
class CrashingImporter(Importer):
    crash_after: int = 0

    async def one(self, direction: str, record: dict[str, Any], link: Any = None) -> Any:
        if self.crash_after == 0:
            raise Crash
        self.crash_after -= 1
        return await super().one(direction, record, link)


async def test_an_import_stopped_mid_page_resumes_without_duplicates_or_misses(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    add_contacts(ghl_sim, range(100))
    add_customers(tt_sim, range(0, 100, 5))
    contacts = ghl_contacts(ghl_sim)
    customers_before = len(tt_customers(tt_sim))
    repo = ImportRepository(db)
    started = create_import(repo, BRIDGE, contacts_recipe(), ("ghl_to_tt",), Filters())

    crashing = CrashingImporter(ctx, contacts_recipe(), repo, started, page_size=30)
    crashing.crash_after = 47  # page 2, record 17
    with pytest.raises(Crash):
        await crashing.run()
    stopped = repo.get(started.id)
    assert stopped is not None and stopped.progress["ghl_to_tt"]["counts"]["create"] > 0

    done = await Importer(ctx, contacts_recipe(), repo, stopped, page_size=30).run()

    assert done.status == "finished"
    assert len(links(db)) == len(contacts)
    customers = tt_customers(tt_sim)
    assert len(customers) == customers_before + len(contacts) - 20
    assert duplicates([c.contact_email for c in customers]) == {}
    # Counts are checkpointed with pages: the records done on the page that was cut short
    # moved out of the read (their write-back changed them after the import began).
    assert sum(done.progress["ghl_to_tt"]["counts"].values()) == len(contacts) - 17


async def test_a_catch_up_reads_only_what_changed_since_the_last_import(
    ctx: BridgeContext,
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    writes: Writes,
) -> None:
    add_contacts(ghl_sim, range(60))
    first = await run_import(ctx, db, ("ghl_to_tt",), page_size=25)
    assert first.status == "finished"
    changed = ghl_contacts(ghl_sim)[-3:]
    for contact in changed:
        await ctx.ghl.contacts.update(contact["id"], {"lastName": "Changed"})
    new = add_contacts(ghl_sim, range(900, 902), at=datetime.now(UTC) - timedelta(seconds=1))
    tt_writes = writes.tt()
    later = ctx.with_run(None, now=datetime.now(UTC))

    catch_up = await run_import(later, db, ("ghl_to_tt",), catch_up=True)

    counts = catch_up.progress["ghl_to_tt"]["counts"]
    assert (counts["create"], counts["update"]) == (len(new), len(changed))
    assert writes.tt() - tt_writes == len(new) + len(changed)
    names = {c.contact_email: c.name for c in tt_customers(tt_sim)}
    assert all(names[c["email"]].endswith("Changed") for c in changed)
    assert len(links(db)) == len(ghl_contacts(ghl_sim))


async def test_real_time_edits_during_an_import_land_once_with_their_latest_values(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    add_contacts(ghl_sim, range(80))
    ordered = sorted(ghl_contacts(ghl_sim), key=lambda c: (c["dateUpdated"], c["id"]))
    done_early, not_yet = ordered[3], ordered[-3]
    recipe = contacts_recipe()

    async def a_user_edits(progress: ImportRecord) -> None:
        if progress.progress["ghl_to_tt"]["counts"]["create"] != 20:
            return
        for contact in (done_early, not_yet):
            await ctx.ghl.contacts.update(contact["id"], {"firstName": "Edited"})
            # The webhook's run, as the dispatcher makes it while the import goes on.
            report = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
            assert report.outcome == "applied"

    repo = ImportRepository(db)
    started = create_import(repo, BRIDGE, recipe, ("ghl_to_tt",), Filters())
    await Importer(ctx, recipe, repo, started, page_size=20, on_page=a_user_edits).run()

    customers = tt_customers(tt_sim)
    assert duplicates([c.contact_email for c in customers]) == {}
    by_email = {c.contact_email: c for c in customers}
    for contact in (done_early, not_yet):
        assert by_email[contact["email"]].name == f"Edited {contact['lastName']}"
    assert len(links(db)) == len(ghl_contacts(ghl_sim))


async def test_tt_edits_during_an_import_land_once_with_their_latest_values(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """TT answers its customers whole: the import's later pages come from that first read.
    A customer edited, and synced by real-time, after that read is not written back with
    what was read."""
    customers = add_customers(tt_sim, range(60))
    done_early, not_yet = customers[3], customers[-3]
    recipe = contacts_recipe()

    async def a_user_edits(progress: ImportRecord) -> None:
        if progress.progress["tt_to_ghl"]["counts"]["create"] != 20:
            return
        for n, customer in enumerate((done_early, not_yet)):
            await ctx.tt.customers.update(
                customer.id, name=customer.name, contact_name=f"Edited{n} Later"
            )
            report = await run_sync(recipe, event("tt", "customer.updated", customer.id), ctx)
            assert report.outcome == "applied"

    repo = ImportRepository(db)
    started = create_import(repo, BRIDGE, recipe, ("tt_to_ghl",), Filters())
    await Importer(ctx, recipe, repo, started, page_size=20, on_page=a_user_edits).run()

    contacts = ghl_contacts(ghl_sim)
    assert duplicates([c["email"] for c in contacts]) == {}
    by_email = {c["email"]: c for c in contacts}
    for n, customer in enumerate((done_early, not_yet)):
        contact = by_email[customer.contact_email]
        assert (contact["firstName"], contact["lastName"]) == (f"Edited{n}", "Later")
    assert len(links(db)) == len(tt_customers(tt_sim))
