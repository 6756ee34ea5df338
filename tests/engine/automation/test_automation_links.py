"""A step's ``link:``: what signup creates in GHL from TrackingTime is the tasks sync's pair, not
a new GHL record for the tasks template to copy back (the duplicate TT task); its notes from
time entries are left alone by the notes template."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest
import sqlalchemy as sa

from ghltt.connectors.trackingtime import TrackingTimeClient
from ghltt.engine.automation import run as automation
from ghltt.engine.automation.run import PairNotReady
from ghltt.engine.context import BridgeContext
from ghltt.engine.dispatch import run_recipe
from ghltt.engine.recipes import AutomationRecipe, SyncRecipe
from ghltt.engine.recipes.templates import load_template
from ghltt.engine.sync.pairing import PairingUnderWay
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store.links import Link, LinkRepository
from ghltt.store.tables import bridge_recipes, bridges, once_keys
from tests.engine.conftest import BRIDGE, CATALOG, Writes, event

pytestmark = pytest.mark.anyio

EMAIL = "grace.hopper@example.com"
TASK = "Set up your timesheet"
NOTES = "Read the onboarding guide"


def recipe(name: str) -> Any:
    return load_template(name, CATALOG)


def enable(db: sa.Engine, *names: str) -> None:
    """The bridge with these recipes enabled, as `ghltt recipes enable` leaves it."""
    now = datetime.now(UTC)
    with db.begin() as conn:
        if conn.execute(sa.select(bridges.c.id).where(bridges.c.id == BRIDGE)).first() is None:
            conn.execute(
                bridges.insert().values(
                    id=BRIDGE, name=BRIDGE, settings={}, created_at=now, updated_at=now
                )
            )
        for name in names:
            conn.execute(
                bridge_recipes.insert().values(
                    bridge_id=BRIDGE, recipe=name, enabled=True, scopes=[], updated_at=now
                )
            )


@pytest.fixture
def every_template(db: sa.Engine) -> Iterator[None]:
    enable(db, "contacts", "tasks", "notes", "signup")
    yield


async def sign_up(tt_sim: TrackingTimeSimulator, tt: TrackingTimeClient) -> tuple[int, int]:
    """Grace joins; a manager gives her a task in a project of no customer; she logs time."""
    user_id = tt_sim.simulate_signup(EMAIL, name="Grace", surname="Hopper").user_id
    task = await tt.tasks.add(TASK, project_name="Onboarding", assignees=[user_id])
    end = datetime.now(UTC) - timedelta(hours=2)
    await tt.events.add(end - timedelta(minutes=30), end, user_id=user_id, notes=NOTES)
    return user_id, task.id


async def signup_with_contacts_running(
    ctx: BridgeContext, ghl_sim: GhlSimulator, user_id: int
) -> tuple[Any, str]:
    """The signup run, while the contacts sync pairs the contact it creates (as GHL's
    ContactCreate webhook makes it do, in another run at the same time)."""
    found: dict[str, Any] = {}

    async def signup() -> None:
        found["report"] = await run_recipe(
            recipe("signup"), event("tt", "user.created", user_id), ctx
        )

    async def contacts_sync() -> None:
        while (contact := _contact(ghl_sim)) is None:
            await anyio.sleep(0.02)
        await anyio.sleep(0.3)  # the signup run is waiting for the pair by now
        found["contact"] = contact["id"]
        report = await run_recipe(
            recipe("contacts"), event("ghl", "contact.created", contact["id"]), ctx
        )
        assert report.link is not None, report.as_dict()

    async with anyio.create_task_group() as group:
        group.start_soon(signup)
        group.start_soon(contacts_sync)
    return found["report"], str(found["contact"])


def _contact(ghl_sim: GhlSimulator) -> dict[str, Any] | None:
    return next((c for c in ghl_sim.state.contacts.values() if c.get("email") == EMAIL), None)


async def test_signup_links_its_ghl_task_to_the_tt_task_it_copies(
    ctx: BridgeContext,
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    writes: Writes,
    every_template: None,
) -> None:
    user_id, tt_task = await sign_up(tt_sim, ctx.tt)
    report, contact_id = await signup_with_contacts_running(ctx, ghl_sim, user_id)
    assert report.outcome == "applied", report.as_dict()
    [ghl_task] = await ctx.ghl.tasks.list_for(contact_id)
    assert ghl_task.title == TASK
    link = LinkRepository(db).by_tt(BRIDGE, "task", str(tt_task), "task")
    assert link is not None and link.ghl_id == ghl_task.id
    assert link.ghl_fingerprint and link.tt_fingerprint
    step = next(s for s in report.steps if s["step"] == "ghl_tasks")
    assert step["links"][0]["link"]["tt_id"] == str(tt_task)

    # The GHL task's TaskCreate, and the poll's later, are the pair's echo: nothing is written.
    tasks: SyncRecipe = recipe("tasks")
    before = writes.both()
    created = event("ghl", "task.created", ghl_task.id, contactId=contact_id)
    assert (await run_recipe(tasks, created, ctx)).outcome == "echo"
    # Its project has no customer: the pair's parent is the one it was linked under.
    assert (await run_recipe(tasks, event("tt", "task.created", tt_task), ctx)).outcome == "echo"
    # The note made from the time entry is not copied back into TrackingTime as a task.
    [note] = await ctx.ghl.notes.list_for(contact_id)
    assert note.body.startswith(NOTES) and "From TrackingTime: time entry " in note.body
    noted = event("ghl", "note.created", note.id, contactId=contact_id)
    assert (await run_recipe(recipe("notes"), noted, ctx)).outcome == "skipped"
    assert writes.both() == before
    named = [t for t in await ctx.tt.tasks.list(filter="ALL") if t.name == TASK]
    assert [t.id for t in named] == [tt_task]
    assert not [t for t in await ctx.tt.tasks.list(filter="ALL") if t.name.startswith("Note:")]

    # Completing it in GHL closes that TT task, which stays in its project: one pair.
    await ctx.ghl.tasks.set_completed(contact_id, ghl_task.id, True)
    done = event("ghl", "task.completed", ghl_task.id, contactId=contact_id)
    completed = await run_recipe(tasks, done, ctx)
    assert completed.outcome == "applied", completed.as_dict()
    assert [w.action for w in completed.writes] == ["tt.tasks.close"]
    closed = await ctx.tt.tasks.get(tt_task)
    assert closed.is_archived and closed.project == "Onboarding"
    named = [t for t in await ctx.tt.tasks.list(filter="ALL") if t.name == TASK]
    assert [t.id for t in named] == [tt_task]

    # Signing up again (a replayed event) copies nothing twice.
    again = await run_recipe(recipe("signup"), event("tt", "user.created", user_id), ctx)
    assert again.outcome == "applied", again.as_dict()
    assert len(await ctx.ghl.tasks.list_for(contact_id)) == 1
    assert len(await ctx.ghl.notes.list_for(contact_id)) == 1

    # Renamed in TrackingTime, it is renamed in GHL (under the contact it was linked to).
    await ctx.tt.tasks.update(tt_task, name="Set up your timesheet today")
    renamed = await run_recipe(tasks, event("tt", "task.updated", tt_task), ctx)
    assert renamed.outcome == "applied", renamed.as_dict()
    [ghl_task] = await ctx.ghl.tasks.list_for(contact_id)
    assert ghl_task.title == "Set up your timesheet today"


async def test_a_tt_task_with_a_counterpart_or_another_customer_is_not_copied(
    ctx: BridgeContext,
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    every_template: None,
) -> None:
    user_id = tt_sim.simulate_signup(EMAIL, name="Grace", surname="Hopper").user_id
    customer = await ctx.tt.customers.add("Analytical Engines")
    project = await ctx.tt.projects.add("Engine build", customer_id=customer.id)
    theirs = await ctx.tt.tasks.add("Review the plans", project_id=project.id, assignees=[user_id])
    paired = await ctx.tt.tasks.add(TASK, project_name="Onboarding", assignees=[user_id])
    LinkRepository(db).save(Link(BRIDGE, "task", "ghl-elsewhere", "task", str(paired.id)))
    report, contact_id = await signup_with_contacts_running(ctx, ghl_sim, user_id)
    assert report.outcome == "applied", report.as_dict()
    assert await ctx.ghl.tasks.list_for(contact_id) == []
    skipped = next(s for s in report.steps if s["step"] == "ghl_tasks")["links"]
    reasons = " | ".join(str(s.get("skip")) for s in skipped)
    assert "already has its tasks counterpart (ghl task ghl-elsewhere)" in reasons
    assert f"tt task {theirs.id} lives under {customer.id}" in reasons


async def test_without_the_tasks_sync_the_tasks_are_plain_copies(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """Nothing enabled on the bridge (as in the other runner tests): no pair to wait for, and
    a task of another customer is copied, unlinked, as before."""
    user_id = tt_sim.simulate_signup(EMAIL, name="Grace", surname="Hopper").user_id
    customer = await ctx.tt.customers.add("Analytical Engines")
    project = await ctx.tt.projects.add("Engine build", customer_id=customer.id)
    await ctx.tt.tasks.add("Review the plans", project_id=project.id, assignees=[user_id])
    report = await run_recipe(recipe("signup"), event("tt", "user.created", user_id), ctx)
    assert report.outcome == "applied", report.as_dict()
    contact = _contact(ghl_sim)
    assert contact is not None
    assert [t.title for t in await ctx.ghl.tasks.list_for(contact["id"])] == ["Review the plans"]


async def test_a_parent_never_paired_fails_the_run_before_creating(
    ctx: BridgeContext,
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    monkeypatch: pytest.MonkeyPatch,
    every_template: None,
) -> None:
    monkeypatch.setattr(automation, "PARENT_WAIT_SECONDS", 0.3)
    user_id, tt_task = await sign_up(tt_sim, ctx.tt)
    signup: AutomationRecipe = recipe("signup")
    with pytest.raises(PairNotReady, match=r"is not paired by contacts yet"):
        await run_recipe(signup, event("tt", "user.created", user_id), ctx)
    contact = _contact(ghl_sim)
    assert contact is not None
    assert await ctx.ghl.tasks.list_for(contact["id"]) == []  # nothing made it cannot pair
    # Retried once the contact is paired: the task is made and linked.
    await run_recipe(recipe("contacts"), event("ghl", "contact.created", contact["id"]), ctx)
    report = await run_recipe(signup, event("tt", "user.created", user_id), ctx)
    assert report.outcome == "applied", report.as_dict()
    assert LinkRepository(db).by_tt(BRIDGE, "task", str(tt_task), "task") is not None


async def test_the_created_task_s_own_event_waits_for_the_link_instead_of_copying_it_back(
    ctx: BridgeContext,
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    every_template: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GHL's TaskCreate for signup's task can run the tasks sync between the create and the
    link: that run must not add a second TT task, but be tried again and find the pair."""
    user_id, tt_task = await sign_up(tt_sim, ctx.tt)
    tasks: SyncRecipe = recipe("tasks")
    record_pair = automation._save_pair
    early: list[BaseException] = []

    async def webhook_first(ctx: BridgeContext, pairing: Any, action: str, result: Any) -> Any:
        created = event("ghl", "task.created", result["id"], contactId=pairing.contact)
        try:
            await run_recipe(tasks, created, ctx)
        except PairingUnderWay as exc:
            early.append(exc)
        return await record_pair(ctx, pairing, action, result)

    monkeypatch.setattr(automation, "_save_pair", webhook_first)
    report, contact_id = await signup_with_contacts_running(ctx, ghl_sim, user_id)
    assert report.outcome == "applied", report.as_dict()
    assert len(early) == 1 and "being paired" in str(early[0])
    [ghl_task] = await ctx.ghl.tasks.list_for(contact_id)
    # Tried again, the sync finds the pair: an echo, and TrackingTime still has one task.
    again = event("ghl", "task.created", ghl_task.id, contactId=contact_id)
    assert (await run_recipe(tasks, again, ctx)).outcome == "echo"
    named = [t for t in await ctx.tt.tasks.list(filter="ALL") if t.name == TASK]
    assert [t.id for t in named] == [tt_task]
    with db.connect() as conn:  # the mark went with the link
        mine = once_keys.c.recipe == "tasks:pairing"
        assert conn.execute(sa.select(once_keys.c.key).where(mine)).all() == []
