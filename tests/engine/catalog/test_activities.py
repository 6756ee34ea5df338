"""Tasks (both ways, completion ↔ close/open, due dates across zones), notes, appointments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ghltt.engine.context import BridgeContext
from ghltt.engine.dispatch import run_recipe
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.recipes.templates import load_template
from ghltt.engine.report import RunReport
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store.links import LinkRepository
from tests.engine.conftest import CATALOG, Writes, event

pytestmark = pytest.mark.anyio


def sync(name: str) -> SyncRecipe:
    recipe = load_template(name, CATALOG)
    assert isinstance(recipe, SyncRecipe)
    return recipe


async def linked_contact(ctx: BridgeContext, ghl_sim: GhlSimulator) -> tuple[str, int]:
    location = ghl_sim.sample_location_id
    contact = next(c for c in ghl_sim.state.contacts.values() if c["locationId"] == location)
    report = await run_recipe(sync("contacts"), event("ghl", "contact.updated", contact["id"]), ctx)
    assert report.link is not None
    return contact["id"], int(report.link["tt_id"])


def tt_id_of(report: RunReport) -> int:
    assert report.link is not None, report.as_dict()
    return int(report.link["tt_id"])


async def test_tasks_sync_completion_and_due_dates_both_ways(
    ctx: BridgeContext, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator, writes: Writes
) -> None:
    recipe = sync("tasks")
    contact_id, customer_id = await linked_contact(ctx, ghl_sim)
    # 03:30 UTC on 2 March is still 1 March in New York (the TT account's zone).
    task = await ctx.ghl.tasks.create(
        contact_id,
        {"title": "Send proposal", "body": "v2", "dueDate": "2030-03-02T03:30:00Z"},
    )
    created = await run_recipe(
        recipe, event("ghl", "task.created", task.id, contactId=contact_id), ctx
    )
    assert created.outcome == "applied", created.as_dict()
    tt_task = await ctx.tt.tasks.get(tt_id_of(created))
    assert (tt_task.name, tt_task.due_date, tt_task.customer_id) == (
        "Send proposal",
        "2030-03-01",
        customer_id,
    )
    # Completing in GHL closes the TT task; the echo of that writes nothing.
    await ctx.ghl.tasks.set_completed(contact_id, task.id, True)
    done = await run_recipe(
        recipe, event("ghl", "task.completed", task.id, contactId=contact_id), ctx
    )
    assert "tt.tasks.close" in [w.action for w in done.writes], done.as_dict()
    assert (await ctx.tt.tasks.get(tt_task.id)).is_archived
    settled = writes.both()
    echo = await run_recipe(recipe, event("tt", "task.updated", tt_task.id), ctx)
    assert echo.outcome == "echo" and writes.both() == settled
    # Reopening in TT reopens the GHL task.
    await ctx.tt.tasks.open(tt_task.id)
    reopened = await run_recipe(recipe, event("tt", "task.updated", tt_task.id), ctx)
    assert reopened.outcome == "applied", reopened.as_dict()
    assert (await ctx.ghl.tasks.get(contact_id, task.id)).completed is False
    # Deleting in GHL deletes in TT (propagate).
    await ctx.ghl.tasks.delete(contact_id, task.id)
    gone = await run_recipe(
        recipe, event("ghl", "task.deleted", task.id, contactId=contact_id), ctx
    )
    assert gone.outcome == "deleted" and [w.action for w in gone.writes] == ["tt.tasks.delete"]


async def test_tt_task_becomes_a_ghl_task(ctx: BridgeContext, ghl_sim: GhlSimulator) -> None:
    contact_id, customer_id = await linked_contact(ctx, ghl_sim)
    customer = await ctx.tt.customers.get(customer_id)
    tt_task = await ctx.tt.tasks.add(
        "Review contract",
        project_name=customer.name,
        customer_name=customer.name,
        due_date="2030-06-10",
    )
    report = await run_recipe(sync("tasks"), event("tt", "task.created", tt_task.id), ctx)
    assert report.outcome == "applied", report.as_dict()
    assert report.link is not None
    ghl_task = await ctx.ghl.tasks.get(contact_id, report.link["ghl_id"])
    assert ghl_task.title == "Review contract"
    # Midnight of 10 June in New York, in UTC.
    assert str(ghl_task.due_date).startswith("2030-06-10 04:00") or "2030-06-10T04:00" in str(
        ghl_task.due_date
    )


async def test_notes_become_tt_tasks_and_follow_deletes(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    recipe = sync("notes")
    contact_id, _ = await linked_contact(ctx, ghl_sim)
    note = await ctx.ghl.notes.create(contact_id, {"body": "Called the client\nAll good"})
    report = await run_recipe(
        recipe, event("ghl", "note.created", note.id, contactId=contact_id), ctx
    )
    assert report.outcome == "applied", report.as_dict()
    tt_task = await ctx.tt.tasks.get(tt_id_of(report))
    assert tt_task.name == "Note: Called the client"
    settled = writes.both()
    again = await run_recipe(
        recipe, event("ghl", "note.updated", note.id, contactId=contact_id), ctx
    )
    assert again.outcome == "echo" and writes.both() == settled
    await ctx.ghl.notes.delete(contact_id, note.id)
    gone = await run_recipe(
        recipe, event("ghl", "note.deleted", note.id, contactId=contact_id), ctx
    )
    assert gone.outcome == "deleted", gone.as_dict()
    assert tt_task.id not in tt_sim_task_ids(ctx, writes)


def tt_sim_task_ids(ctx: BridgeContext, writes: Writes) -> set[int]:
    return set(writes.tt_sim.state.tasks)


async def test_appointments_become_time_entries_once_they_took_place(
    ctx: BridgeContext, ghl_sim: GhlSimulator, writes: Writes
) -> None:
    recipe = sync("appointments")
    contact_id, _ = await linked_contact(ctx, ghl_sim)
    calendar = next(iter(ghl_sim.state.calendars))
    start = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    appointment = await ctx.ghl.appointments.create(
        {
            "calendarId": calendar,
            "contactId": contact_id,
            "title": "Kick-off",
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(hours=1)).isoformat(),
        }
    )
    upcoming = await run_recipe(recipe, event("ghl", "appointment.created", appointment.id), ctx)
    assert upcoming.outcome == "skipped"  # not taken place yet
    ctx.now = start + timedelta(hours=3)
    past = await run_recipe(recipe, event("ghl", "appointment.updated", appointment.id), ctx)
    assert past.outcome == "applied", past.as_dict()
    entry = await ctx.tt.events.get(tt_id_of(past))
    assert entry.duration == 3600
    assert "GHL appointment" in (entry.notes or "")
    settled = writes.both()
    again = await run_recipe(recipe, event("ghl", "appointment.updated", appointment.id), ctx)
    assert again.outcome == "echo" and writes.both() == settled


async def test_a_time_entry_added_before_a_crash_is_found_not_added_again(
    ctx: BridgeContext,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recipe = sync("appointments")
    contact_id, _ = await linked_contact(ctx, ghl_sim)
    calendar = next(iter(ghl_sim.state.calendars))
    start = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 2 March in UTC, still 1 March in TT's zone
    appointment = await ctx.ghl.appointments.create(
        {
            "calendarId": calendar,
            "contactId": contact_id,
            "title": "Review",
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(hours=1)).isoformat(),
        }
    )
    ctx.now = start + timedelta(hours=3)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash between the time entry's add and its link")

    with monkeypatch.context() as patched:
        patched.setattr(LinkRepository, "save", crash)
        with pytest.raises(RuntimeError):
            await run_recipe(recipe, event("ghl", "appointment.updated", appointment.id), ctx)
    mine = f"GHL appointment {appointment.id}"
    [added] = [e for e in tt_sim.state.events.values() if mine in (e.notes or "")]
    assert ctx.repos.links.by_ghl("b1", "appointment", appointment.id, "event") is None

    retried = await run_recipe(recipe, event("ghl", "appointment.updated", appointment.id), ctx)
    # The entry the crashed run added already holds what the appointment says: linked as is.
    assert retried.outcome == "no_change", retried.as_dict()
    link = ctx.repos.links.by_ghl("b1", "appointment", appointment.id, "event")
    assert link is not None and link.tt_id == str(added.id)
    adds = [r for r in tt_sim.request_log() if r["path"].endswith("/events/add")]
    assert len(adds) == 1
