"""Each automation template once against both simulators: signup, activity tags, milestones,
hours; plus once keys and shadow mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ghltt.engine.context import BridgeContext
from ghltt.engine.dispatch import run_recipe
from ghltt.engine.recipes import AutomationRecipe, SyncRecipe
from ghltt.engine.recipes.templates import load_template
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.engine.conftest import CATALOG, Writes, event, make_context

pytestmark = pytest.mark.anyio


def automation(name: str) -> AutomationRecipe:
    recipe = load_template(name, CATALOG)
    assert isinstance(recipe, AutomationRecipe)
    return recipe


async def linked_contact(ctx: BridgeContext, ghl_sim: GhlSimulator) -> tuple[str, int]:
    location = ghl_sim.sample_location_id
    contact = next(c for c in ghl_sim.state.contacts.values() if c["locationId"] == location)
    recipe = load_template("contacts", CATALOG)
    assert isinstance(recipe, SyncRecipe)
    report = await run_recipe(recipe, event("ghl", "contact.updated", contact["id"]), ctx)
    assert report.link is not None
    return contact["id"], int(report.link["tt_id"])


async def test_signup_makes_a_tagged_contact_with_tasks_and_notes(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator, writes: Writes
) -> None:
    user = next(u for u in tt_sim.credentials() if u["email"] == "ada@example.com")
    recipe = automation("signup")
    report = await run_recipe(recipe, event("tt", "user.created", user["id"]), ctx)
    assert report.outcome == "applied", report.as_dict()
    upsert = next(w for w in report.writes if w.action == "ghl.contacts.upsert")
    assert upsert.fields["email"] == "ada@example.com"
    contact = next(
        c for c in ghl_sim.state.contacts.values() if c.get("email") == "ada@example.com"
    )
    assert {"trackingtime", "tt-signup"} <= set(contact["tags"])
    tasks = await ctx.ghl.tasks.list_for(contact["id"])
    notes = await ctx.ghl.notes.list_for(contact["id"])
    assert tasks and notes
    # A second run finds every once key taken: no new task or note.
    before = (len(tasks), len(notes))
    await run_recipe(recipe, event("tt", "user.created", user["id"]), ctx)
    after = (
        len(await ctx.ghl.tasks.list_for(contact["id"])),
        len(await ctx.ghl.notes.list_for(contact["id"])),
    )
    assert after == before


async def test_activity_tags_are_added_and_removed(
    ctx: BridgeContext, ghl_sim: GhlSimulator
) -> None:
    contact_id, customer_id = await linked_contact(ctx, ghl_sim)
    customer = await ctx.tt.customers.get(customer_id)
    project = await ctx.tt.projects.add(f"{customer.name} work", customer_id=customer_id)
    start = ctx.now - timedelta(days=1)
    await ctx.tt.events.add(start, start + timedelta(hours=11), project_id=project.id)
    recipe = automation("activity-tags")
    tick = event("tt", "event.created", "1", data={"customer_id": customer_id})
    report = await run_recipe(recipe, tick, ctx)
    assert report.outcome == "applied", report.as_dict()
    tags = set((await ctx.ghl.contacts.get(contact_id)).tags)
    assert {"tt-active", "tt-10h"} <= tags and "tt-50h" not in tags
    # Sixty days later the activity has expired: the tag comes off.
    ctx.now = datetime.now(UTC) + timedelta(days=60)
    await run_recipe(recipe, tick, ctx)
    assert "tt-active" not in (await ctx.ghl.contacts.get(contact_id)).tags


async def test_milestones_act_once_per_key(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    contact_id, customer_id = await linked_contact(ctx, ghl_sim)
    project = await ctx.tt.projects.add("Website", customer_id=customer_id)
    await ctx.tt.projects.close(project.id)
    recipe = automation("milestones")
    closed = event("tt", "project.closed", project.id)
    first = await run_recipe(recipe, closed, ctx)
    assert first.outcome == "applied", first.as_dict()
    actions = [w.action for w in first.writes]
    assert actions.count("ghl.tasks.create") == 1 and "tt.tasks.add" in actions
    titles = [t.title for t in await ctx.ghl.tasks.list_for(contact_id)]
    assert "Project closed: Website" in titles
    settled = writes.both()
    second = await run_recipe(recipe, closed, ctx)
    assert second.writes == [] and writes.both() == settled


async def test_hours_are_written_to_contact_custom_fields(
    ctx: BridgeContext, ghl_sim: GhlSimulator
) -> None:
    contact_id, customer_id = await linked_contact(ctx, ghl_sim)
    project = await ctx.tt.projects.add("Retainer", customer_id=customer_id)
    start = ctx.now - timedelta(hours=5)
    await ctx.tt.events.add(start, start + timedelta(minutes=90), project_id=project.id)
    report = await run_recipe(
        automation("hours"), event("tt", "event.created", "9", data={"cid": customer_id}), ctx
    )
    assert report.outcome == "applied", report.as_dict()
    contact = await ctx.ghl.contacts.get(contact_id)
    values = {f.id: f.value for f in contact.custom_fields}
    assert float(values["cf_tt_hours_total"]) == 1.5


async def test_unlinked_customer_stops_the_run(ctx: BridgeContext, writes: Writes) -> None:
    report = await run_recipe(
        automation("hours"), event("tt", "event.created", "9", data={"cid": 999999}), ctx
    )
    assert report.outcome == "skipped" and writes.both() == (0, 0)


async def test_shadow_automation_reads_but_writes_nothing(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    writes: Writes,
) -> None:
    shadow = make_context(db, ghl_sim, tt_sim, mode="shadow")
    try:
        user = tt_sim.credentials()[0]
        report = await run_recipe(
            automation("signup"), event("tt", "user.created", user["id"]), shadow
        )
    finally:
        await shadow.aclose()
    assert report.outcome == "planned"
    assert report.writes[0].action == "ghl.contacts.upsert"
    assert writes.both() == (0, 0)
