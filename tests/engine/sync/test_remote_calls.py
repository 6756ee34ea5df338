"""What a sync run costs in remote calls, counted from the simulators' request logs.

An update of a linked record is one read of the source and one write to the target: the link
stands in for reading the counterpart, and the write's answer for reading it back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.engine.catalog import call_action
from ghltt.engine.context import BridgeContext
from ghltt.engine.objects import ANSWERS_WITH_RECORD, as_read
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.recipes.templates import load_template
from ghltt.engine.report import RunReport
from ghltt.engine.sync import run_sync
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.engine.conftest import (
    CATALOG,
    RemoteCalls,
    Writes,
    announce,
    event,
    make_context,
)

pytestmark = pytest.mark.anyio

GHL_READ = "ghl GET /contacts/{id}"
TT_READ = "tt GET /customers/{id}"
TT_UPDATE = "tt POST /customers/update/{id}"


def contacts(conflict: str | None = None) -> SyncRecipe:
    recipe = load_template("contacts", CATALOG)
    assert isinstance(recipe, SyncRecipe)
    if conflict is None:
        return recipe
    return SyncRecipe(
        recipe.model.model_copy(update={"conflict": conflict}),
        recipe.file,
        recipe.ghl_object,
        recipe.tt_object,
        recipe.ghl_to_tt,
        recipe.tt_to_ghl,
        recipe.ghl_filter,
        recipe.tt_filter,
    )


async def linked(ctx: BridgeContext, ghl_sim: GhlSimulator, recipe: SyncRecipe) -> tuple[str, int]:
    """The sample location's first contact, synced once: (contact id, customer id)."""
    location = ghl_sim.sample_location_id
    contact = next(c for c in ghl_sim.state.contacts.values() if c["locationId"] == location)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert first.link is not None, first.as_dict()
    return contact["id"], int(first.link["tt_id"])


async def sync_ghl(ctx: BridgeContext, recipe: SyncRecipe, contact_id: str) -> RunReport:
    return await run_sync(recipe, event("ghl", "contact.updated", contact_id), ctx)


async def test_an_update_of_a_linked_contact_is_one_read_and_one_write(
    ctx: BridgeContext, ghl_sim: GhlSimulator, calls: RemoteCalls
) -> None:
    recipe = contacts()
    contact_id, tt_id = await linked(ctx, ghl_sim, recipe)
    await ctx.ghl.contacts.update(contact_id, {"lastName": "Edited"})
    calls.clear()
    report = await sync_ghl(ctx, recipe, contact_id)
    assert report.outcome == "applied", report.as_dict()
    # Before: GHL GET, TT GET (the counterpart), TT update, TT GET and GHL GET (read-backs).
    assert calls.made() == [GHL_READ, TT_UPDATE]
    assert [w.action for w in report.writes] == ["tt.customers.update"]
    assert {p["field"] for p in report.provenance} == set(report.writes[0].fields)
    customer = await ctx.tt.customers.get(tt_id)
    assert customer.contact["name"] == "Ava Edited"
    # The same event again, then the echo of our TT write: one read each, no write.
    calls.clear()
    again = await sync_ghl(ctx, recipe, contact_id)
    assert (again.outcome, calls.made()) == ("echo", [GHL_READ])
    calls.clear()
    echo = await run_sync(recipe, event("tt", "customer.updated", tt_id), ctx)
    assert (echo.outcome, calls.made()) == ("echo", [TT_READ])


async def test_a_tt_edit_of_another_field_survives_a_ghl_update(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator, calls: RemoteCalls
) -> None:
    recipe = contacts()
    contact_id, tt_id = await linked(ctx, ghl_sim, recipe)
    # Between two syncs TT changes the phone (not announced yet), GHL the email.
    phone_field = next(f for f in await ctx.tt.custom_fields.list() if f.name == "ghl_phone")
    customer = await ctx.tt.customers.get(tt_id)
    await ctx.tt.customers.update(
        tt_id, name=customer.name, custom_fields=[{"id": phone_field.id, "value": "+14155552671"}]
    )
    await ctx.ghl.contacts.update(contact_id, {"email": "ava.new@example.com"})
    calls.clear()
    report = await sync_ghl(ctx, recipe, contact_id)
    assert report.outcome == "applied", report.as_dict()
    # Only what changed in GHL goes to TT (with the name TT wants on every update); TT's
    # answer shows its phone, which goes back to GHL.
    assert [(w.action, sorted(w.fields)) for w in report.writes] == [
        ("tt.customers.update", ["contact_email", "name"]),
        ("ghl.contacts.update", ["phone"]),
    ]
    assert TT_READ not in calls.made()
    contact = await ctx.ghl.contacts.get(contact_id)
    customer = await ctx.tt.customers.get(tt_id)
    assert (contact.email, contact.phone) == ("ava.new@example.com", "+14155552671")
    assert customer.contact["email"] == "ava.new@example.com"
    assert tt_sim.state.customers[tt_id].custom_fields[phone_field.id] == "+14155552671"
    # Both sides settled: their echoes write nothing.
    echoes = [
        await sync_ghl(ctx, recipe, contact_id),
        await run_sync(recipe, event("tt", "customer.updated", tt_id), ctx),
    ]
    assert [r.outcome for r in echoes] == ["echo", "echo"]


async def test_tt_wins_reads_the_counterpart_and_honours_it(
    ctx: BridgeContext, ghl_sim: GhlSimulator, calls: RemoteCalls
) -> None:
    recipe = contacts("tt_wins")
    contact_id, tt_id = await linked(ctx, ghl_sim, recipe)
    customer = await ctx.tt.customers.get(tt_id)
    await ctx.tt.customers.update(tt_id, name=customer.name, contact_email="from-tt@example.com")
    await ctx.ghl.contacts.update(contact_id, {"email": "from-ghl@example.com"})
    calls.clear()
    report = await sync_ghl(ctx, recipe, contact_id)
    assert report.outcome == "applied", report.as_dict()
    assert GHL_READ in calls.made() and TT_READ in calls.made()
    assert report.reason == "conflict: tt_wins chose tt"
    assert (await ctx.ghl.contacts.get(contact_id)).email == "from-tt@example.com"
    assert (await ctx.tt.customers.get(tt_id)).contact["email"] == "from-tt@example.com"


async def test_an_event_waiting_about_the_counterpart_makes_the_run_read_it(
    db: sa.Engine, ctx: BridgeContext, ghl_sim: GhlSimulator, calls: RemoteCalls
) -> None:
    recipe = contacts()
    contact_id, tt_id = await linked(ctx, ghl_sim, recipe)
    await ctx.ghl.contacts.update(contact_id, {"lastName": "Edited"})
    announce(db, "tt", "customer.updated", tt_id)
    calls.clear()
    report = await sync_ghl(ctx, recipe, contact_id)
    assert report.outcome == "applied", report.as_dict()
    assert calls.made() == sorted([GHL_READ, TT_READ, TT_UPDATE])


async def test_a_stale_link_finds_or_creates_the_counterpart_again(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    recipe = contacts()
    contact_id, tt_id = await linked(ctx, ghl_sim, recipe)
    await ctx.tt.customers.delete(tt_id)
    await ctx.ghl.contacts.update(contact_id, {"lastName": "Edited"})
    report = await sync_ghl(ctx, recipe, contact_id)
    assert report.outcome == "applied", report.as_dict()
    # The update by id answered 404; it is not reported, the add that replaced it is.
    assert [w.action for w in report.writes] == ["tt.customers.add", "ghl.contacts.update"]
    assert report.link is not None and int(report.link["tt_id"]) != tt_id
    assert tt_sim.state.customers[int(report.link["tt_id"])].contact_name == "Ava Edited"


async def test_shadow_mode_plans_the_update_from_the_link_and_writes_nothing(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    calls: RemoteCalls,
    writes: Writes,
) -> None:
    recipe = contacts()
    contact_id, tt_id = await linked(ctx, ghl_sim, recipe)
    link_before = ctx.repos.links.by_ghl("b1", "contact", contact_id, "customer")
    await ctx.ghl.contacts.update(contact_id, {"email": "ava.new@example.com"})
    shadow = make_context(db, ghl_sim, tt_sim, mode="shadow")
    await shadow.resolver.load(["tt.customer", "ghl.contact"])  # custom-field ids, once a while
    calls.clear()
    try:
        report = await sync_ghl(shadow, recipe, contact_id)
    finally:
        await shadow.aclose()
    assert report.outcome == "planned"
    assert [(w.action, w.object_id, sorted(w.fields)) for w in report.writes] == [
        ("tt.customers.update", str(tt_id), ["contact_email", "name"])
    ]
    assert report.changed_fields == ["contact_email"]
    assert calls.made() == [GHL_READ]
    assert writes.both() == (0, 0)
    assert ctx.repos.links.by_ghl("b1", "contact", contact_id, "customer") == link_before


# ---- writes whose answer stands in for a read-back ------------------------------------------

Pair = tuple[Any, Any]  # (what the write answered, what a read right after gives)
# Per action: what to create first (for updates), the write's input, and the read.
_GHL_TASK = {"title": "Call", "dueDate": "2030-01-02T10:00:00Z", "completed": False}


async def _written_and_read(
    ctx: BridgeContext, action: str, body: dict[str, Any], get: str, key: dict[str, Any]
) -> Pair:
    """Make the write, then read the record it wrote (``key`` values None: the new id)."""
    answer = await call_action(ctx, action, body)
    if action == "ghl.contacts.upsert":
        answer = answer["contact"]  # {new, contact}
    ids = {k: answer["id"] if v is None else v for k, v in key.items()}
    return answer, await call_action(ctx, get, ids)


async def _ghl_pair(ctx: BridgeContext, action: str, contact: str) -> Pair:
    kind = action.split(".")[1]  # contacts, tasks, notes
    if kind == "contacts":
        if action.endswith(".upsert"):
            body: dict[str, Any] = {"email": "grace@example.com", "firstName": "Grace"}
            return await _written_and_read(
                ctx, action, body, "ghl.contacts.get", {"contactId": None}
            )
        body = {"contactId": contact, "lastName": "Edited"}
        return await _written_and_read(
            ctx, action, body, "ghl.contacts.get", {"contactId": contact}
        )
    id_key = {"tasks": "taskId", "notes": "noteId"}[kind]
    made = {"tasks": _GHL_TASK, "notes": {"body": "Hi"}}[kind]
    get, key = f"ghl.{kind}.get", {"contactId": contact, id_key: None}
    if action.endswith(".create"):
        return await _written_and_read(ctx, action, {"contactId": contact, **made}, get, key)
    first = await call_action(ctx, f"ghl.{kind}.create", {"contactId": contact, **made})
    change = {"tasks": {**_GHL_TASK, "title": "Call back"}, "notes": {"body": "Hello"}}[kind]
    body = {"contactId": contact, id_key: first["id"], **change}
    return await _written_and_read(ctx, action, body, get, {**key, id_key: first["id"]})


async def _tt_pair(ctx: BridgeContext, action: str, project: int) -> Pair:
    kind = action.split(".")[1]  # customers, tasks, events
    get = f"tt.{kind}.get"
    start = datetime.now(UTC) - timedelta(hours=3)
    wall = "%Y-%m-%d %H:%M:%S"  # TT's wall clock, in the account's zone
    entry = {"start": start.strftime(wall), "end": (start + timedelta(hours=1)).strftime(wall)}
    made = {
        "customers": {"name": "Initrode", "contact_email": "a@initrode.example"},
        "tasks": {"name": "Draft", "project_id": project},
        "events": {**entry, "project_id": project, "notes": "Call"},
    }[kind]
    if action.endswith(".add"):
        return await _written_and_read(ctx, action, made, get, {"id": None})
    first = await call_action(ctx, f"tt.{kind}.add", made)
    change = {
        "customers": {"name": "Initrode Inc", "notes": "renamed"},
        "tasks": {"name": "Draft v2"},
        "events": {**entry, "notes": "Call back"},
    }[kind]
    body = {"id": first["id"], **change}
    return await _written_and_read(ctx, action, body, get, {"id": first["id"]})


@pytest.mark.parametrize("action", sorted(ANSWERS_WITH_RECORD))
async def test_a_write_trusted_as_a_read_answers_what_a_read_gives(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator, action: str
) -> None:
    if action.startswith("ghl."):
        location = ghl_sim.sample_location_id
        contact = next(
            c["id"] for c in ghl_sim.state.contacts.values() if c["locationId"] == location
        )
        answer, read = await _ghl_pair(ctx, action, contact)
    else:
        project = next(p.id for p in tt_sim.state.projects.values() if p.customer_id)
        answer, read = await _tt_pair(ctx, action, project)
    assert as_read(action, answer) == read


async def test_a_close_is_read_back(ctx: BridgeContext) -> None:
    made = await call_action(ctx, "tt.customers.add", {"name": "Initrode"})
    answer = await call_action(ctx, "tt.customers.close", {"id": made["id"]})
    assert answer["is_archived"] and as_read("tt.customers.close", answer) is None


async def test_a_burst_of_new_contacts_lists_the_trackingtime_customers_once(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator, calls: RemoteCalls
) -> None:
    """An import: each new contact's counterpart is looked up by third-party id and email, and
    TT can only list every customer; the burst shares one list, its own creates added to it."""
    recipe = contacts()
    new = []
    for i in range(12):
        created = await ctx.ghl.contacts.create(
            {"firstName": "Burst", "lastName": f"N{i}", "email": f"burst{i}@example.com"}
        )
        new.append(created.id)
    calls.clear()
    for contact_id in [*new, new[0]]:  # the first again: found, not created twice
        report = await sync_ghl(ctx, recipe, contact_id)
        assert report.outcome in ("applied", "echo"), report.as_dict()
    lists = [c for c in calls.made() if c == "tt GET /customers"]
    assert len(lists) == 1, calls.made()
    emails = [c.contact_email for c in tt_sim.state.customers.values()]
    assert sorted(e for e in emails if str(e).startswith("burst")) == sorted(
        f"burst{i}@example.com" for i in range(12)
    )
