"""The contacts sync against both simulators: both ways, echo, duplicates, deletes, modes."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.bridges.listings import RecentListings
from ghltt.core import Event, InvalidInput
from ghltt.engine.catalog import call_action
from ghltt.engine.context import BridgeContext
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.recipes.templates import load_template
from ghltt.engine.sync import apply, claims, lookup, plan, run_sync
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.sandbox.trackingtime.state import Customer
from ghltt.store import RunRepository, insert_new
from ghltt.store.links import LinkRepository
from ghltt.store.once import Holder
from tests.engine.conftest import BRIDGE, CATALOG, Writes, announce, event, make_context

pytestmark = pytest.mark.anyio


def contacts() -> SyncRecipe:
    recipe = load_template("contacts", CATALOG)
    assert isinstance(recipe, SyncRecipe)
    return recipe


def first_contact(ghl_sim: GhlSimulator) -> dict[str, Any]:
    location = ghl_sim.sample_location_id
    return next(c for c in ghl_sim.state.contacts.values() if c["locationId"] == location)


async def test_ghl_contact_creates_customer_and_links_back(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    contact = first_contact(ghl_sim)
    report = await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), ctx)
    assert report.outcome == "applied", report.as_dict()
    # One write on each side: the customer, then its id back on the contact.
    assert writes.both() == (1, 1)
    assert report.link is not None
    customer = await ctx.tt.customers.get(int(report.link["tt_id"]), include_custom_fields=True)
    assert customer.custom_field_value("CUSTOMER_THIRD_PARTY_ID") == contact["id"]
    assert report.link["ghl_fingerprint"] and report.link["tt_fingerprint"]
    sources = {(p["field"], p["source_path"]) for p in report.provenance}
    assert ("contact_email", "email") in sources
    assert ("custom:contact.tt_customer_id", "id") in sources
    assert all(len(p["value_hash"]) == 64 for p in report.provenance)


async def test_the_loop_an_edit_and_its_echoes_write_once(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    recipe = contacts()
    contact = first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert first.link is not None
    tt_id = first.link["tt_id"]
    ghl_sim.clear_requests()
    # The user edits the contact in GHL.
    await ctx.ghl.contacts.update(contact["id"], {"lastName": "Edited"})
    ghl_sim.clear_requests()
    base_tt = writes.tt()
    edit = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert edit.outcome == "applied", edit.as_dict()
    assert (writes.ghl(), writes.tt() - base_tt) == (0, 1)
    customer = await ctx.tt.customers.get(int(tt_id))
    assert customer.contact["name"].endswith("Edited")
    # The echo of our TT write comes back from the poll, then GHL's for good measure.
    echo = await run_sync(recipe, event("tt", "customer.updated", tt_id), ctx)
    again = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert (echo.outcome, again.outcome) == ("echo", "echo")
    assert (writes.ghl(), writes.tt() - base_tt) == (0, 1)


async def test_an_edit_landing_during_the_first_sync_is_not_taken_for_its_echo(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    """Found by bench/chaos.py: the customer is created from the contact as read, then the
    user's edit lands in GHL before the TT id is written back, whose answer holds the edit.
    The pair must not be recorded as synced at the edit: the edit's own event syncs it."""
    recipe = contacts()
    contact = first_contact(ghl_sim)
    planned = await plan(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    await ctx.ghl.contacts.update(contact["id"], {"lastName": "Meanwhile"})  # the user's edit
    first = await apply(planned)
    assert first.outcome == "applied", first.as_dict()
    assert first.link is not None
    customer = await ctx.tt.customers.get(int(first.link["tt_id"]))
    assert not customer.contact["name"].endswith("Meanwhile")  # made from the contact as read
    edit = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert edit.outcome == "applied", edit.as_dict()
    customer = await ctx.tt.customers.get(int(first.link["tt_id"]))
    assert customer.contact["name"].endswith("Meanwhile")
    settled = writes.both()
    echo = await run_sync(recipe, event("tt", "customer.updated", first.link["tt_id"]), ctx)
    again = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert (echo.outcome, again.outcome) == ("echo", "echo")
    assert writes.both() == settled


async def test_the_same_event_three_times_writes_nothing_more(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    recipe = contacts()
    contact = first_contact(ghl_sim)
    same = event("ghl", "contact.created", contact["id"])
    await run_sync(recipe, same, ctx)
    after_first = writes.both()
    outcomes = [(await run_sync(recipe, same, ctx)).outcome for _ in range(3)]
    assert outcomes == ["echo"] * 3
    assert writes.both() == after_first


async def test_tt_edit_updates_the_ghl_contact(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    recipe = contacts()
    contact = first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert first.link is not None
    tt_id = int(first.link["tt_id"])
    customer = await ctx.tt.customers.get(tt_id)
    await ctx.tt.customers.update(tt_id, name=customer.name, contact_name="Grace Hopper")
    before = writes.both()
    report = await run_sync(recipe, event("tt", "customer.updated", tt_id), ctx)
    assert report.outcome == "applied", report.as_dict()
    # GHL gets the name; GHL then names the contact "Grace Hopper", which the forward mapping
    # carries to the customer's name: both sides settle in this one run.
    assert [w.action for w in report.writes] == ["ghl.contacts.update", "tt.customers.update"]
    assert writes.ghl() - before[0] == 1 and writes.tt() - before[1] == 1
    updated = await ctx.ghl.contacts.get(contact["id"])
    assert (updated.first_name, updated.last_name) == ("Grace", "Hopper")
    settled = writes.both()
    ghl_echo = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    tt_echo = await run_sync(recipe, event("tt", "customer.updated", tt_id), ctx)
    assert (ghl_echo.outcome, tt_echo.outcome) == ("echo", "echo")
    assert writes.both() == settled


async def test_deleted_contact_archives_its_customer(
    ctx: BridgeContext, ghl_sim: GhlSimulator
) -> None:
    recipe = contacts()
    contact = first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert first.link is not None
    await ctx.ghl.contacts.delete(contact["id"])
    report = await run_sync(recipe, event("ghl", "contact.deleted", contact["id"]), ctx)
    assert report.outcome == "deleted"
    assert [w.action for w in report.writes] == ["tt.customers.close"]
    customer = await ctx.tt.customers.get(int(first.link["tt_id"]))
    assert customer.is_archived
    assert ctx.repos.links.by_ghl("b1", "contact", contact["id"], "customer") is None


async def test_deleted_customer_is_ignored_for_contacts(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    recipe = contacts()
    contact = first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert first.link is not None
    await ctx.tt.customers.delete(int(first.link["tt_id"]))
    before = writes.ghl()
    report = await run_sync(recipe, event("tt", "customer.deleted", first.link["tt_id"]), ctx)
    assert report.outcome == "deleted" and report.writes == []
    assert writes.ghl() == before
    assert (await ctx.ghl.contacts.get(contact["id"])).id == contact["id"]


async def test_shadow_mode_plans_and_writes_nothing(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    writes: Writes,
) -> None:
    shadow = make_context(db, ghl_sim, tt_sim, mode="shadow")
    try:
        contact = first_contact(ghl_sim)
        report = await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), shadow)
    finally:
        await shadow.aclose()
    assert report.outcome == "planned"
    # The customer, then the write-back of its id to the contact: every write a live run makes.
    assert [(w.system, w.action) for w in report.writes] == [
        ("tt", "tt.customers.add"),
        ("ghl", "ghl.contacts.update"),
    ]
    assert report.writes[0].fields["contact_email"] == contact["email"]
    back = report.writes[1]
    assert back.object_id == contact["id"]
    assert back.fields == {
        "customFields": [{"id": "cf_tt_customer_id", "field_value": "(the id of the new customer)"}]
    }
    assert not any(w.problem for w in report.writes)
    assert writes.both() == (0, 0)
    assert ctx.repos.links.by_ghl("b1", "contact", contact["id"], "customer") is None
    assert report.as_dict()["writes"][0]["action"] == "tt.customers.add"
    assert "problem" not in report.as_dict()["writes"][1]


async def test_a_shadow_plan_flags_the_writes_a_missing_field_would_fail(
    db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """Accounts without the template's fields (no 'bridges check --fix' yet): the shadow plan
    still lists both writes, each flagged with the field it lacks and the command that fixes
    it, where a live run would create the customer and then fail on the write-back."""
    del ghl_sim.state.custom_fields["cf_tt_customer_id"]
    shadow = make_context(db, ghl_sim, tt_sim, mode="shadow")
    try:
        contact = first_contact(ghl_sim)
        report = await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), shadow)
    finally:
        await shadow.aclose()
    assert report.outcome == "planned"
    create, back = report.writes
    assert create.action == "tt.customers.add"
    assert create.problem is not None
    assert "TrackingTime has no customer custom field" in create.problem
    assert "ghl_contact_id" in create.problem and "ghl_business_id" in create.problem
    assert back.action == "ghl.contacts.update"
    assert back.problem == (
        "would fail: GHL has no contact custom field contact.tt_customer_id "
        "(run 'ghltt bridges check b1 --fix')"
    )
    assert report.as_dict()["writes"][1]["problem"] == back.problem


async def _crash_before_the_pair(
    monkeypatch: pytest.MonkeyPatch, ctx: BridgeContext, happened: Event
) -> None:
    """A contacts run that dies after its remote write, before any pair is recorded."""

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("crash between the remote write and the link save")

    with monkeypatch.context() as patched:
        patched.setattr(LinkRepository, "save", crash)
        with pytest.raises(RuntimeError):
            await run_sync(contacts(), happened, ctx)


async def test_a_retried_run_after_a_crash_creates_no_duplicate(
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    writes: Writes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recipe = contacts()
    contact = first_contact(ghl_sim)
    await _crash_before_the_pair(monkeypatch, ctx, event("ghl", "contact.updated", contact["id"]))
    customers_before = len(tt_sim.state.customers)
    report = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert report.link is not None
    assert len(tt_sim.state.customers) == customers_before
    adds = [r for r in tt_sim.request_log() if r["path"].endswith("/customers/add")]
    assert len(adds) == 1


@pytest.mark.parametrize(
    ("policy", "tt_event_waits", "winner"),
    [
        ("ghl_wins", False, "ghl"),
        ("tt_wins", False, "tt"),
        # The poller saw TT's change: the counterpart is read and the later change wins.
        ("newest_wins", True, "tt"),
        # Nothing announced TT's change yet: the link is trusted, the event's side wins.
        ("newest_wins", False, "ghl"),
    ],
)
async def test_conflict_policies(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    policy: str,
    tt_event_waits: bool,
    winner: str,
) -> None:
    base = contacts()
    recipe = SyncRecipe(
        base.model.model_copy(update={"conflict": policy}),
        base.file,
        base.ghl_object,
        base.tt_object,
        base.ghl_to_tt,
        base.tt_to_ghl,
        base.ghl_filter,
        base.tt_filter,
    )
    contact = first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert first.link is not None
    tt_id = int(first.link["tt_id"])
    # Both sides change before either event arrives; TT's change is the later one.
    await ctx.ghl.contacts.update(contact["id"], {"email": "from-ghl@example.com"})
    customer = await ctx.tt.customers.get(tt_id)
    tt_sim.set_clock(datetime.now(UTC) + timedelta(seconds=5))  # TT keeps whole seconds
    await ctx.tt.customers.update(tt_id, name=customer.name, contact_email="from-tt@example.com")
    if tt_event_waits:
        announce(db, "tt", "customer.updated", tt_id)
    report = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert report.outcome == "applied", report.as_dict()
    ghl_email = (await ctx.ghl.contacts.get(contact["id"])).email
    tt_email = (await ctx.tt.customers.get(tt_id)).contact["email"]
    expected = f"from-{winner}@example.com"
    assert (ghl_email, tt_email) == (expected, expected)


async def test_a_run_says_which_synced_fields_changed_since_the_last_sync(
    ctx: BridgeContext, ghl_sim: GhlSimulator
) -> None:
    recipe = contacts()
    contact = first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert first.changed_fields and "contact_email" in first.changed_fields  # all, the first time
    await ctx.ghl.contacts.update(contact["id"], {"email": "new.address@example.com"})
    second = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert second.changed_fields == ["contact_email"]


def _fill_customers(tt_sim: TrackingTimeSimulator, count: int) -> None:
    """More customers than TT lists (1,000), made before the ones a test adds."""
    account = next(iter(tt_sim.state.accounts.values()))
    now = datetime.now(UTC)
    for i in range(count):
        customer_id = tt_sim.state.next_id("customer")
        tt_sim.state.customers[customer_id] = Customer(
            id=customer_id, account_id=account.id, name=f"Filler {i:04d}", created_at=now
        )


async def _lose_an_add(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> tuple[set[int], dict[str, Any]]:
    """Past TT's 1,000 listed customers, a contact's first sync whose customer add commits
    and whose answer is lost: the customers before it, and the contact."""
    _fill_customers(tt_sim, 1000)
    before = set(tt_sim.state.customers)
    contact = first_contact(ghl_sim)
    tt_sim.faults.update(post_commit_5xx_rate=1.0, path_contains="customers/add", seed=1)
    with pytest.raises(Exception):  # noqa: B017  the answer is lost whatever the retries
        await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), ctx)
    tt_sim.faults.clear()
    return before, contact


async def test_an_add_whose_answer_was_lost_is_found_by_its_name_beyond_the_list_cap(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """TT lists 1,000 customers at most: a customer an add made, whose answer was lost, may
    be found only through its name, which TT keeps unique. It is taken, not made twice."""
    before, contact = await _lose_an_add(ctx, ghl_sim, tt_sim)
    made = [c for i, c in tt_sim.state.customers.items() if i not in before]
    assert len(made) == 1
    report = await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), ctx)
    assert report.outcome == "applied", report.as_dict()
    assert report.link is not None and report.link["tt_id"] == str(made[0].id)
    assert [c for i, c in tt_sim.state.customers.items() if i not in before] == made
    # The probe that asked TT for the name left no project behind.
    probes = [p for p in tt_sim.state.projects.values() if p.name.startswith("ghltt:")]
    assert probes and all(p.is_deleted for p in probes)


async def test_a_namesake_of_another_records_customer_is_a_clear_refusal(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    recipe = contacts()
    contact = first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert first.link is not None
    twin = await ctx.ghl.contacts.create(
        {
            "firstName": contact.get("firstName"),
            "lastName": contact.get("lastName"),
            "email": "twin@x.test",
        }
    )
    with pytest.raises(InvalidInput, match=r"already has a customer named .*rename one"):
        await run_sync(recipe, event("ghl", "contact.created", twin.id), ctx)


async def test_a_record_renamed_after_an_add_whose_answer_was_lost_is_not_added_twice(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """The retry sends another name, which TT would take: the name the lost add was sent
    under finds what it made, and that customer is renamed instead."""
    before, contact = await _lose_an_add(ctx, ghl_sim, tt_sim)
    await ctx.ghl.contacts.update(contact["id"], {"firstName": "Renamed", "name": None})
    report = await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), ctx)
    assert report.outcome == "applied", report.as_dict()
    made = [c for i, c in tt_sim.state.customers.items() if i not in before]
    assert len(made) == 1 and made[0].name.startswith("Renamed")
    assert report.link is not None and report.link["tt_id"] == str(made[0].id)


def _ours(tt_sim: TrackingTimeSimulator, contact: dict[str, Any]) -> list[Customer]:
    """The customers that carry this contact's id (what an add of ours made)."""
    return [c for c in tt_sim.state.customers.values() if contact["id"] in c.custom_fields.values()]


async def test_a_list_read_before_another_workers_lost_add_is_not_trusted(
    db: sa.Engine, ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """A worker keeps TT's customer list for a moment. Another worker's add for a contact
    commits and its answer is lost, just after; the contact is renamed. The first worker's
    list does not hold the customer, but it must not be taken for the account: an add was
    sent for this contact, so the list is read again, and the customer renamed, not added."""
    _fill_customers(tt_sim, 50)
    contact = first_contact(ghl_sim)
    other = make_context(db, ghl_sim, tt_sim)
    other.listings = RecentListings(fresh_for=600)
    try:
        await lookup.tt_customers(other)  # the other worker's list, before the add
        tt_sim.faults.update(post_commit_5xx_rate=1.0, path_contains="customers/add", seed=1)
        with pytest.raises(Exception):  # noqa: B017  the answer is lost whatever the retries
            await run_sync(contacts(), event("ghl", "contact.created", contact["id"]), ctx)
        tt_sim.faults.clear()
        assert len(_ours(tt_sim, contact)) == 1
        await ctx.ghl.contacts.update(contact["id"], {"firstName": "Renamed", "name": None})

        report = await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), other)
    finally:
        await other.aclose()

    assert report.outcome == "applied", report.as_dict()
    ours = _ours(tt_sim, contact)
    assert len(ours) == 1 and ours[0].name.startswith("Renamed")
    assert report.link is not None and report.link["tt_id"] == str(ours[0].id)


async def test_of_the_names_adds_were_sent_under_the_last_finds_what_was_made(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """A contact's first add never reached TT; its second committed and lost its answer,
    and then the account grew past TT's list cap. Asking TT for the first name would make a
    bare customer under it, beside the one the second add made: the last name is asked, and
    the customer it made is the one kept."""
    _fill_customers(tt_sim, 999 - len(tt_sim.state.customers))  # below the cap: lists hold all
    contact = first_contact(ghl_sim)
    await lookup.note_customer_add(ctx, contact["id"], "Never Made")  # refused before it committed
    tt_sim.faults.update(post_commit_5xx_rate=1.0, path_contains="customers/add", seed=1)
    with pytest.raises(Exception):  # noqa: B017  the answer is lost whatever the retries
        await run_sync(contacts(), event("ghl", "contact.created", contact["id"]), ctx)
    tt_sim.faults.clear()
    (made,) = _ours(tt_sim, contact)
    _fill_customers(tt_sim, 20)
    tt_sim.state.customers[made.id] = tt_sim.state.customers.pop(made.id)  # listed last: unlisted
    await ctx.ghl.contacts.update(contact["id"], {"firstName": "Renamed", "name": None})

    report = await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), ctx)

    assert report.outcome == "applied", report.as_dict()
    assert _ours(tt_sim, contact) == [made] and made.name.startswith("Renamed")
    assert report.link is not None and report.link["tt_id"] == str(made.id)
    assert not [c for c in tt_sim.state.customers.values() if c.name == "Never Made"]


async def test_a_customer_renamed_by_a_run_that_died_before_its_pair_is_not_added_again(
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past TT's list cap, a run finds the customer a lost add made by the name it was sent
    under, renames it, and dies before recording the pair. Under the old name nothing is
    left to find (asking TT for it would make a bare customer): the pair, recorded before
    the rename, finds the customer for the next run."""
    before, contact = await _lose_an_add(ctx, ghl_sim, tt_sim)
    (made,) = _ours(tt_sim, contact)
    await ctx.ghl.contacts.update(contact["id"], {"firstName": "Renamed", "name": None})

    async def dies_writing_back(ctx: BridgeContext, action: str, request: Any) -> Any:
        if action.startswith("ghl."):
            raise RuntimeError("killed after the customer's rename")
        return await call_action(ctx, action, request)

    with monkeypatch.context() as patched:
        patched.setattr(sys.modules["ghltt.engine.sync.apply"], "call_action", dies_writing_back)
        with pytest.raises(RuntimeError):
            await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), ctx)
    assert made.name.startswith("Renamed")
    await ctx.ghl.contacts.update(contact["id"], {"firstName": "Again", "name": None})

    report = await run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), ctx)

    assert report.outcome == "applied", report.as_dict()
    assert _ours(tt_sim, contact) == [made] and made.name.startswith("Again")
    assert [c for i, c in tt_sim.state.customers.items() if i not in before] == [made]
    assert report.link is not None and report.link["tt_id"] == str(made.id)


def _runs(db: sa.Engine, ctx: BridgeContext, *names: str) -> list[BridgeContext]:
    """A context for each of several runs under way (recorded, as a worker's are)."""
    found = event("ghl", "contact.updated", "x", names=names)
    with db.begin() as conn:
        insert_new(conn, [found])
    runs = RunRepository(db)
    for name in names:
        runs.start(run_id=name, workflow_id=name, event_id=found.id, bridge=BRIDGE, recipe="c")
    return [ctx.with_run(name) for name in names]


def _claim_of(ctx: BridgeContext, contact: dict[str, Any]) -> Holder | None:
    return ctx.repos.once.holder_of(BRIDGE, "contacts:create", f"ghl:{contact['id']}")


async def test_two_workers_creating_one_records_counterpart_make_one(
    db: sa.Engine, ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """A contact's create and a rename a moment later, run at once by two workers: both
    find no customer, and TT would take two adds under two names. The second waits for the
    first's claim, then plans again and renames the customer the first made."""
    recipe = contacts()
    contact = first_contact(ghl_sim)
    in_a, in_b = _runs(db, ctx, "a", "b")
    first = await plan(recipe, event("ghl", "contact.created", contact["id"]), in_a)
    await ctx.ghl.contacts.update(contact["id"], {"firstName": "Renamed", "name": None})
    second = await plan(recipe, event("ghl", "contact.updated", contact["id"]), in_b)
    assert first.writes[0].operation == second.writes[0].operation == "create"
    before = set(tt_sim.state.customers)

    reports = await asyncio.gather(apply(first), apply(second))

    made = [c for i, c in tt_sim.state.customers.items() if i not in before]
    assert len(made) == 1, [c.name for c in made]
    # Whichever claimed first, the one that waited read the contact again: never the old
    # name written over the new.
    assert made[0].name.startswith("Renamed")
    linked = [r.link["tt_id"] for r in reports if r.link]
    assert linked and set(linked) == {str(made[0].id)}, [r.as_dict() for r in reports]
    assert _claim_of(ctx, contact) is None  # ended with the pair


async def test_two_workers_asking_tt_for_a_lost_adds_name_make_one_customer(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past TT's list cap, a contact whose first add failed before TT committed it is looked
    for by that add's name, and asking TT for a free name makes a bare customer. Two workers
    run the contact: the first asks, takes the customer over and renames it; the second read
    no link before that pair and asks after the rename. It must not ask (which would make a
    second customer under the freed name): asking claims the record as a create does, and the
    second plans again from the first's pair."""
    _fill_customers(tt_sim, 1000)
    before = set(tt_sim.state.customers)
    contact = first_contact(ghl_sim)
    await lookup.note_customer_add(ctx, contact["id"], "Never Made")  # refused before it committed
    in_a, in_b = _runs(db, ctx, "a", "b")
    first_done = asyncio.Event()
    looks = lookup.by_third_party

    async def second_looks_after_the_first(run_ctx: BridgeContext, *args: Any) -> Any:
        if run_ctx.run_id == "b":
            await first_done.wait()  # its link was read before the first run's pair
        return await looks(run_ctx, *args)

    monkeypatch.setattr(lookup, "by_third_party", second_looks_after_the_first)

    async def first() -> Any:
        try:
            return await run_sync(contacts(), event("ghl", "contact.created", contact["id"]), in_a)
        finally:
            first_done.set()

    reports = await asyncio.gather(
        first(), run_sync(contacts(), event("ghl", "contact.updated", contact["id"]), in_b)
    )

    made = [c for i, c in tt_sim.state.customers.items() if i not in before]
    assert len(made) == 1, [c.name for c in made]
    # The second read the contact again: as the first synced it, its own run is an echo.
    assert [r.outcome for r in reports] == ["applied", "echo"], [r.as_dict() for r in reports]
    assert reports[0].link is not None and reports[0].link["tt_id"] == str(made[0].id)
    assert _claim_of(ctx, contact) is None


async def test_a_plan_alone_does_not_ask_tt_for_a_name(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """Asking TT for a customer by name can make one: a plan that is not applied (shadow
    mode, a preview, an import's plan) asks nothing, writes nothing and claims nothing."""
    _fill_customers(tt_sim, 1000)
    before = dict(tt_sim.state.customers)
    projects = set(tt_sim.state.projects)
    contact = first_contact(ghl_sim)
    await lookup.note_customer_add(ctx, contact["id"], "Never Made")

    planned = await plan(
        contacts(), event("ghl", "contact.updated", contact["id"]), ctx, plan_only=True
    )

    assert planned.writes[0].operation == "create"
    assert tt_sim.state.customers == before and set(tt_sim.state.projects) == projects
    assert _claim_of(ctx, contact) is None


async def test_a_claim_left_by_a_run_that_died_is_taken_over(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run that failed after its add and before its pair leaves its claim. A run planned
    before that add, under another name, takes the claim over once the failed run ended, and
    plans again: it finds the customer the failed run made instead of adding another."""
    recipe = contacts()
    contact = first_contact(ghl_sim)
    in_a, in_b = _runs(db, ctx, "a", "b")
    before = set(tt_sim.state.customers)
    late = await plan(recipe, event("ghl", "contact.created", contact["id"]), in_b)
    assert late.writes[0].operation == "create"
    await ctx.ghl.contacts.update(contact["id"], {"firstName": "Renamed", "name": None})

    await _crash_before_the_pair(monkeypatch, in_a, event("ghl", "contact.updated", contact["id"]))
    held = _claim_of(ctx, contact)
    assert held is not None and held.run_id == "a" and not held.ended
    RunRepository(db).finish("a", "failed", error="failed between the add and the pair")

    report = await apply(late)

    made = [c for i, c in tt_sim.state.customers.items() if i not in before]
    assert len(made) == 1, [c.name for c in made]
    assert report.link is not None and report.link["tt_id"] == str(made[0].id)
    assert _claim_of(ctx, contact) is None


async def test_a_claim_of_a_run_under_way_is_waited_for_then_the_run_is_tried_again(
    db: sa.Engine, ctx: BridgeContext, ghl_sim: GhlSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim held by a run under way is waited for, a moment, and then the run fails, to
    be tried again: it never creates beside it. Once stale, the claim is taken over."""
    contact = first_contact(ghl_sim)
    _, in_b = _runs(db, ctx, "a", "b")
    assert ctx.repos.once.claim(BRIDGE, "contacts:create", f"ghl:{contact['id']}", "a")
    monkeypatch.setattr(claims, "WAIT", 0.2)
    created = event("ghl", "contact.created", contact["id"])
    with pytest.raises(claims.CreateUnderWay, match=r"another run \(a\)"):
        await run_sync(contacts(), created, in_b)
    monkeypatch.setattr(claims, "STALE_AFTER", timedelta(0))
    report = await run_sync(contacts(), created, in_b)
    assert report.outcome == "applied", report.as_dict()
