"""plan() alone: the writes a run would make, read from both sides, with nothing written
remote or in the store; apply() of that plan is the run."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.engine.context import BridgeContext
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.recipes.models import DeleteAction, DeletePolicy
from ghltt.engine.recipes.templates import load_template
from ghltt.engine.sync import Created, Plan, apply, plan, run_sync
from ghltt.engine.sync.state import ParentPending
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import insert_new
from ghltt.store.tables import metadata
from tests.engine.conftest import CATALOG, RemoteCalls, Writes, event

pytestmark = pytest.mark.anyio

GHL_READ = "ghl GET /contacts/{id}"


def contacts(delete: DeleteAction | None = None) -> SyncRecipe:
    recipe = load_template("contacts", CATALOG)
    assert isinstance(recipe, SyncRecipe)
    if delete is None:
        return recipe
    policy = DeletePolicy(ghl_to_tt=delete, tt_to_ghl="ignore")
    return dataclasses.replace(recipe, model=recipe.model.model_copy(update={"delete": policy}))


def stored(db: sa.Engine) -> dict[str, list[Any]]:
    """Every row of every table: what a plan must leave as it found it."""
    with db.connect() as conn:
        return {
            t.name: sorted(map(repr, conn.execute(sa.select(t)).all()))
            for t in metadata.sorted_tables
        }


def first_contact(ghl_sim: GhlSimulator) -> str:
    location = ghl_sim.sample_location_id
    found: str = next(
        c["id"] for c in ghl_sim.state.contacts.values() if c["locationId"] == location
    )
    return found


async def planned(
    ctx: BridgeContext, recipe: SyncRecipe, source: str, kind: str, object_id: Any
) -> Plan:
    return await plan(recipe, event(source, kind, object_id), ctx)


def operations(p: Plan) -> list[tuple[str, str, Any]]:
    return [(w.operation, w.object_type.type, w.target_id) for w in p.writes]


async def test_a_plan_of_a_create_writes_nothing_and_applies_as_the_run(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    calls: RemoteCalls,
    writes: Writes,
) -> None:
    recipe, contact_id = contacts(), first_contact(ghl_sim)
    before = stored(db)
    p = await planned(ctx, recipe, "ghl", "contact.created", contact_id)
    # The customer is created; what TT answers goes back to GHL; then the pair is recorded.
    assert operations(p) == [
        ("create", "tt.customer", None),
        ("write_back", "ghl.contact", contact_id),
        ("link", "tt.customer", Created(0)),
    ]
    create = p.writes[0]
    assert create.action == "tt.customers.add"
    assert {e.field for e in create.provenance} >= {"name", "contact_email"}
    # Whence each field: the customer's id is known once the create is applied.
    assert {
        (e.target_system, e.object_type, e.source_system, e.object_id) for e in create.provenance
    } == {("tt", "customer", "ghl", "")}
    assert p.report.outcome == "planned"
    # The report lists the write-back too: a live run makes it once TT has answered.
    assert [w.action for w in p.report.writes] == ["tt.customers.add", "ghl.contacts.update"]
    assert writes.both() == (0, 0)
    assert not any(" POST " in c or " PUT " in c for c in calls.made()), calls.made()
    assert stored(db) == before
    # Applied, the plan is the run: the customer made, the pair recorded.
    report = await apply(p)
    assert report.outcome == "applied", report.as_dict()
    assert report.writes[0].action == "tt.customers.add"
    assert report.link is not None and report.link["ghl_id"] == contact_id
    made = [e for e in report.provenance if e["target_system"] == "tt"]
    assert made and {e["object_id"] for e in made} == {report.link["tt_id"]}
    assert writes.tt() == 1


async def test_a_plan_of_an_update_reads_the_source_only(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    calls: RemoteCalls,
    writes: Writes,
) -> None:
    recipe, contact_id = contacts(), first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact_id), ctx)
    assert first.link is not None
    tt_id = str(first.link["tt_id"])
    await ctx.ghl.contacts.update(contact_id, {"email": "ava.plan@example.com"})
    before = stored(db)
    calls.clear()
    p = await planned(ctx, recipe, "ghl", "contact.updated", contact_id)
    assert operations(p) == [
        ("update", "tt.customer", tt_id),
        ("write_back", "ghl.contact", contact_id),
        ("link", "tt.customer", tt_id),
    ]
    update = p.writes[0]
    # What changed, with the name TT wants on every update; each field's source named.
    assert sorted(update.fields()) == ["contact_email", "name"]
    assert update.request(tt_id)["id"] == int(tt_id)
    assert {(e.field, e.source_path) for e in update.provenance} >= {("contact_email", "email")}
    assert calls.made() == [GHL_READ]
    assert (writes.both(), stored(db)) == ((0, 0), before)
    report = await apply(p)
    assert report.outcome == "applied"
    assert [w.action for w in report.writes] == ["tt.customers.update"]
    assert (await ctx.tt.customers.get(int(tt_id))).contact["email"] == "ava.plan@example.com"


async def test_a_plan_of_an_echo_has_no_writes(
    ctx: BridgeContext, ghl_sim: GhlSimulator, calls: RemoteCalls
) -> None:
    recipe, contact_id = contacts(), first_contact(ghl_sim)
    await run_sync(recipe, event("ghl", "contact.updated", contact_id), ctx)
    calls.clear()
    p = await planned(ctx, recipe, "ghl", "contact.updated", contact_id)
    assert (p.writes, p.report.outcome) == ([], "echo")
    assert calls.made() == [GHL_READ]
    assert (await apply(p)).outcome == "echo"


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("propagate", [("delete", "tt.customer"), ("unlink", "ghl.contact")]),
        ("archive", [("archive", "tt.customer"), ("unlink", "ghl.contact")]),
        ("ignore", [("unlink", "ghl.contact")]),
    ],
)
async def test_a_plan_of_a_delete_follows_the_policy(
    db: sa.Engine,
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    writes: Writes,
    policy: DeleteAction,
    expected: list[tuple[str, str]],
) -> None:
    recipe, contact_id = contacts(policy), first_contact(ghl_sim)
    first = await run_sync(recipe, event("ghl", "contact.updated", contact_id), ctx)
    assert first.link is not None
    tt_id = str(first.link["tt_id"])
    await ctx.ghl.contacts.delete(contact_id)
    before, written = stored(db), writes.both()
    p = await planned(ctx, recipe, "ghl", "contact.deleted", contact_id)
    assert [(w.operation, w.object_type.type) for w in p.writes] == expected
    remote = [w for w in p.writes if w.remote]
    assert [w.target_id for w in remote] == [tt_id] * len(remote)
    assert p.report.outcome == "deleted" and p.report.reason == f"delete policy {policy}"
    assert (writes.both(), stored(db)) == (written, before)
    report = await apply(p)
    assert report.outcome == "deleted"
    assert len(report.writes) == len(remote)
    assert ctx.repos.links.by_ghl("b1", "contact", contact_id, "customer") is None


async def test_a_write_to_a_record_the_plan_creates_refers_to_the_create(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    """A GHL task created completed: its TT task is added, then closed by the id the add
    answers; apply() fills it in."""
    contact_id = first_contact(ghl_sim)
    await run_sync(contacts(), event("ghl", "contact.updated", contact_id), ctx)
    recipe = load_template("tasks", CATALOG)
    assert isinstance(recipe, SyncRecipe)
    task = await ctx.ghl.tasks.create(
        contact_id, {"title": "Done already", "dueDate": "2030-03-02T10:00:00Z"}
    )
    await ctx.ghl.tasks.set_completed(contact_id, task.id, True)
    written = writes.both()
    p = await plan(recipe, event("ghl", "task.created", task.id, contactId=contact_id), ctx)
    remote = [(w.operation, w.action, w.target_id) for w in p.writes if w.remote]
    assert remote == [("create", "tt.tasks.add", None), ("archive", "tt.tasks.close", Created(0))]
    assert [e.field for e in p.writes[1].provenance] == ["is_archived"]
    assert writes.both() == written
    report = await apply(p)
    assert report.outcome == "applied", report.as_dict()
    assert report.link is not None
    tt_id = report.link["tt_id"]
    close = next(w for w in report.writes if w.action == "tt.tasks.close")
    assert close.object_id == tt_id
    assert (await ctx.tt.tasks.get(int(tt_id))).is_archived


async def test_a_task_waits_for_its_contact_only_while_the_contact_s_event_waits(
    db: sa.Engine, ctx: BridgeContext, ghl_sim: GhlSimulator
) -> None:
    """A contact and its first task made together: the task's run may come first. While the
    contact's own event waits in the inbox the task's run is tried again (its link comes with
    that event); with nothing waiting, an unlinked parent means the task is not synced."""
    recipe = load_template("tasks", CATALOG)
    assert isinstance(recipe, SyncRecipe)
    contact_id = first_contact(ghl_sim)
    task_id = next(t["id"] for t in ghl_sim.state.tasks.values() if t["contactId"] == contact_id)

    task = event("ghl", "task.created", task_id, contactId=contact_id)
    skipped = await plan(recipe, task, ctx)
    assert skipped.report.outcome == "skipped"
    assert "not linked by contacts" in (skipped.report.reason or "")

    contact_event = event("ghl", "contact.created", contact_id)
    with db.begin() as conn:
        insert_new(conn, [contact_event])
    with pytest.raises(ParentPending, match=contact_id):
        await plan(recipe, task, ctx)


async def test_a_create_that_failed_after_it_happened_is_found_by_the_retry(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    """TT made the customer but answered 5xx: the run's retry, a moment later, lists the
    customers again and finds it by its match keys instead of adding a second one (which TT
    would refuse: names are unique)."""
    recipe, contact_id = contacts(), first_contact(ghl_sim)
    tt_sim.set_faults(post_commit_5xx_rate=1.0, path_contains="customers/add")
    with pytest.raises(Exception, match="5"):
        await run_sync(recipe, event("ghl", "contact.created", contact_id), ctx)
    tt_sim.set_faults(post_commit_5xx_rate=0.0, path_contains=None)
    retried = await run_sync(recipe, event("ghl", "contact.created", contact_id), ctx)
    assert retried.outcome == "applied", retried.as_dict()
    assert retried.link is not None
    adds = [r for r in tt_sim.request_log() if "customers/add" in r["path"]]
    assert len(adds) == 1  # the first attempt's, nothing more
