"""Importing the recipes whose records live under a contact (tasks, notes) and appointments →
time entries, against both simulators: matched within their parent before created, never
duplicated; a record whose contact is not linked waits (set aside, replayable); plan and
apply agree; a rerun finds everything unchanged."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.engine.context import BridgeContext
from ghltt.engine.imports import Importer
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store.imports import ImportRepository
from ghltt.store.links import LinkRepository
from tests.engine.conftest import BRIDGE
from tests.engine.imports.conftest import BASE, add_contacts, run_import, sync_recipe

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fast_limits")]

SET_ASIDE = ("ambiguous", "invalid", "waiting", "failed")


def task_links(db: sa.Engine) -> dict[str, str]:
    return {k.ghl_id: k.tt_id for k in LinkRepository(db).all(BRIDGE, "task", "task")}


def customer_of(db: sa.Engine, contact_id: str) -> str:
    link = LinkRepository(db).by_ghl(BRIDGE, "contact", contact_id, "customer")
    assert link is not None
    return str(link.tt_id)


def add_ghl_tasks(sim: GhlSimulator, contacts: list[dict[str, Any]], *titles: str) -> list[str]:
    made = []
    for n, contact in enumerate(contacts):
        for title in titles:
            task_id = f"tsk{n:04d}{title[:3]}{sim.ids.alnum()[:8]}"
            sim.state.tasks[task_id] = {
                "id": task_id,
                "title": f"{title} {contact['firstName']}",
                "body": "imported",
                "dueDate": "2026-02-01T15:00:00.000Z",
                "completed": False,
                "contactId": contact["id"],
                "dateAdded": "2026-01-10T10:00:00.000Z",
                "_locationId": sim.sample_location_id,
            }
            made.append(task_id)
    return made


def tt_tasks(sim: TrackingTimeSimulator) -> list[Any]:
    return [t for t in sim.state.tasks.values() if t.account_id == sim.account_id]


def tt_task_names_by_customer(sim: TrackingTimeSimulator) -> Counter[tuple[Any, str]]:
    projects = sim.state.projects
    return Counter(
        (projects[t.project_id].customer_id if t.project_id in projects else None, t.name)
        for t in tt_tasks(sim)
    )


async def link_contacts(ctx: BridgeContext, db: sa.Engine, sim: GhlSimulator) -> list[Any]:
    contacts = add_contacts(sim, range(12))
    done = await run_import(ctx, db, ("ghl_to_tt",))
    assert done.status == "finished", done.error
    return contacts


def now(ctx: BridgeContext, *, later: int = 0) -> BridgeContext:
    """The context as an import started now sees it (records made since the fixture's start
    are before the import's); ``later``: seconds on (TT's times are in whole seconds: a TT
    record changed in the second an import starts is read in its tail)."""
    ctx.now = datetime.now(UTC) + timedelta(seconds=later)
    return ctx


def counts(record: Any, direction: str) -> dict[str, int]:
    return dict(record.progress[direction]["counts"])


@pytest.mark.parametrize("search", [True, False], ids=["task-search", "per-contact"])
async def test_ghl_tasks_into_tt_match_existing_ones_and_wait_for_unlinked_contacts(
    ctx: BridgeContext,
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    search: bool,
) -> None:
    if search:  # the token may search the location's tasks (else: each contact's tasks)
        token = ghl_sim.tokens.get(ghl_sim.sample_token)
        assert token is not None
        token.scopes = token.scopes | {"locations/tasks.readonly"}
    ghl_sim.clear_requests()
    contacts = await link_contacts(ctx, db, ghl_sim)
    add_ghl_tasks(ghl_sim, contacts, "Call", "Quote")
    # Half the "Call" tasks are in TT already, in their customer's project.
    for contact in contacts[:6]:
        customer = tt_sim.state.customers[int(customer_of(db, contact["id"]))]
        await ctx.tt.tasks.add(
            f"Call {contact['firstName']}", project_name=customer.name, customer_name=customer.name
        )
    # A contact that came after the contacts import: its task waits for its link.
    late = add_contacts(ghl_sim, range(500, 501))
    (late_task,) = add_ghl_tasks(ghl_sim, late, "Late")
    before = len(tt_tasks(tt_sim))

    tt_sim.clear_requests()
    plan = await run_import(
        now(ctx), db, ("ghl_to_tt",), plan_only=True, recipe="tasks", page_size=7
    )
    assert plan.status == "finished", plan.error
    # A contact's tasks share its customer: it is read once, not once a task.
    customer_reads = [
        r
        for r in tt_sim.request_log()
        if r["method"] == "GET" and re.search(r"/customers/\d+$", r["path"])
    ]
    parents = {t["contactId"] for t in ghl_sim.state.tasks.values()}
    assert 0 < len(customer_reads) <= len(parents)
    assert len(tt_tasks(tt_sim)) == before  # a plan writes nothing
    # Its sample shows the writes field by field: a task made in the contact's project.
    writes = [w for sample in plan.samples for w in sample["writes"] if w["system"] == "tt"]
    made_in_tt = [w for w in writes if w["operation"] == "create"]
    assert made_in_tt, plan.samples
    fields = made_in_tt[0]["fields"]
    titles = {t["title"] for t in ghl_sim.state.tasks.values()}
    assert fields["name"]["from"] is None and fields["name"]["to"] in titles
    assert fields["project_name"]["to"]  # the contact's customer
    done = await run_import(now(ctx), db, ("ghl_to_tt",), recipe="tasks", page_size=7)
    assert done.status == "finished", done.error

    planned, made = counts(plan, "ghl_to_tt"), counts(done, "ghl_to_tt")
    assert made == planned
    # With the scope, tasks are searched (a call per page); without, listed per contact.
    per_contact = [r for r in ghl_sim.request_log() if r["path"].endswith("/tasks")]
    assert bool(per_contact) is not search
    assert made["waiting"] == 1
    assert made["failed"] == made["ambiguous"] == made["invalid"] == 0
    paired = task_links(db)
    ghl_tasks = [t for t in ghl_sim.state.tasks.values() if t["contactId"] != late[0]["id"]]
    assert len(paired) == len(ghl_tasks) - made["skipped"]
    # The six that were there are linked, not made again: one task per name and customer.
    assert made["create"] == len(paired) - 6
    assert len(tt_tasks(tt_sim)) == before + made["create"]
    assert {k: n for k, n in tt_task_names_by_customer(tt_sim).items() if n > 1} == {}
    (waiting,) = ImportRepository(db).failures(done.id)
    assert (waiting.system, waiting.record_id, waiting.status) == ("ghl", late_task, "waiting")
    assert "not linked by contacts yet" in waiting.reason

    again = await run_import(now(ctx), db, ("ghl_to_tt",), recipe="tasks", page_size=7)
    assert counts(again, "ghl_to_tt")["unchanged"] == len(paired)
    assert counts(again, "ghl_to_tt")["create"] == counts(again, "ghl_to_tt")["update"] == 0

    # Once its contact is linked, the waiting task is replayed alone.
    await run_import(now(ctx), db, ("ghl_to_tt",))
    repo = ImportRepository(db)
    importer = Importer(ctx, sync_recipe("tasks"), repo, repo.get(done.id))  # type: ignore[arg-type]
    result = await importer.replay("ghl", late_task)
    assert result.outcome == "create", result.reason
    assert late_task in task_links(db)
    assert [f.status for f in repo.failures(done.id)] == ["replayed"]


async def test_tt_tasks_into_ghl_link_the_tasks_contacts_already_have(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    contacts = await link_contacts(ctx, db, ghl_sim)
    for contact in contacts:
        customer = tt_sim.state.customers[int(customer_of(db, contact["id"]))]
        for title in ("Design", "Build"):
            await ctx.tt.tasks.add(
                f"{title} {contact['firstName']}",
                project_name=customer.name,
                customer_name=customer.name,
            )
    for task in tt_tasks(tt_sim):  # made before the import (TT's times are in seconds)
        task.updated_at = task.created_at = BASE
    existing = add_ghl_tasks(ghl_sim, contacts[:5], "Design")  # in GHL already
    ghl_before = len(ghl_sim.state.tasks)

    plan = await run_import(
        now(ctx), db, ("tt_to_ghl",), plan_only=True, recipe="tasks", page_size=9
    )
    done = await run_import(now(ctx), db, ("tt_to_ghl",), recipe="tasks", page_size=9)
    assert done.status == "finished", done.error
    planned, made = counts(plan, "tt_to_ghl"), counts(done, "tt_to_ghl")
    assert made == planned
    assert made["failed"] == made["ambiguous"] == made["invalid"] == 0
    paired = task_links(db)
    for task_id in existing:
        assert task_id in paired
    assert made["create"] == 2 * len(contacts) - len(existing)
    assert len(ghl_sim.state.tasks) == ghl_before + made["create"]
    per_contact = Counter((t["contactId"], t["title"]) for t in ghl_sim.state.tasks.values())
    assert {k: n for k, n in per_contact.items() if n > 1} == {}

    again = await run_import(now(ctx, later=2), db, ("tt_to_ghl",), recipe="tasks", page_size=9)
    assert counts(again, "tt_to_ghl")["create"] == counts(again, "tt_to_ghl")["update"] == 0
    assert (
        counts(again, "tt_to_ghl")["unchanged"]
        == made["create"] + made["update"] + made["unchanged"]
    )


def add_appointments(
    sim: GhlSimulator, contacts: list[dict[str, Any]], first: datetime
) -> list[str]:
    """One appointment per contact, nine days apart (across several 31-day windows)."""
    calendar = next(iter(sim.state.calendars.values()))
    made = []
    for n, contact in enumerate(contacts):
        start = first + timedelta(days=9 * n, hours=n % 5)
        event_id = f"apt{n:04d}{sim.ids.alnum()[:10]}"
        sim.state.appointments[event_id] = {
            "id": event_id,
            "title": f"Session with {contact['firstName']}",
            "calendarId": calendar["id"],
            "locationId": sim.sample_location_id,
            "contactId": contact["id"],
            "appointmentStatus": "confirmed",
            "notes": "",
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(minutes=45)).isoformat(),
            "dateAdded": start.isoformat(),
            "dateUpdated": start.isoformat(),
        }
        made.append(event_id)
    return made


async def test_appointments_become_time_entries_once_and_a_rerun_is_unchanged(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    contacts = await link_contacts(ctx, db, ghl_sim)
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=200)
    made = add_appointments(ghl_sim, contacts, past)
    events_before = len(tt_sim.state.events)

    plan = await run_import(now(ctx), db, ("ghl_to_tt",), plan_only=True, recipe="appointments")
    done = await run_import(now(ctx), db, ("ghl_to_tt",), recipe="appointments")
    assert done.status == "finished", done.error
    assert counts(done, "ghl_to_tt") == counts(plan, "ghl_to_tt")
    assert counts(done, "ghl_to_tt")["create"] == len(made)
    paired = {k.ghl_id for k in LinkRepository(db).all(BRIDGE, "appointment", "event")}
    assert paired >= set(made)
    assert len(tt_sim.state.events) == events_before + len(made)

    # The links lost (a crash between the add and its link): matched by third-party id.
    with db.begin() as conn:
        conn.execute(sa.text("DELETE FROM record_links WHERE ghl_type = 'appointment'"))
    again = await run_import(now(ctx), db, ("ghl_to_tt",), recipe="appointments")
    assert counts(again, "ghl_to_tt")["create"] == 0
    assert len(tt_sim.state.events) == events_before + len(made)
    rerun = await run_import(now(ctx), db, ("ghl_to_tt",), recipe="appointments")
    assert counts(rerun, "ghl_to_tt")["unchanged"] == counts(done, "ghl_to_tt")["create"]


async def test_notes_into_tt_match_a_task_with_their_text_in_their_contacts_project(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    contacts = await link_contacts(ctx, db, ghl_sim)
    for n, contact in enumerate(contacts):
        note_id = f"note{n:04d}{ghl_sim.ids.alnum()[:10]}"
        ghl_sim.state.notes[note_id] = {
            "id": note_id,
            "body": f"Met {contact['firstName']}\nscope agreed",
            "contactId": contact["id"],
            "dateAdded": "2026-01-12T10:00:00.000Z",
            "_locationId": ghl_sim.sample_location_id,
        }
    # Someone copied two notes into TT by hand, in the contacts' projects.
    for contact in contacts[:2]:
        customer = tt_sim.state.customers[int(customer_of(db, contact["id"]))]
        await ctx.tt.tasks.add(
            f"Note: Met {contact['firstName']}",
            description=f"Met {contact['firstName']}\nscope agreed",
            project_name=customer.name,
            customer_name=customer.name,
        )
    before = len(tt_tasks(tt_sim))

    plan = await run_import(now(ctx), db, ("ghl_to_tt",), plan_only=True, recipe="notes")
    done = await run_import(now(ctx), db, ("ghl_to_tt",), recipe="notes", page_size=5)
    assert done.status == "finished", done.error
    made = counts(done, "ghl_to_tt")
    assert made == counts(plan, "ghl_to_tt")
    assert made["failed"] == made["ambiguous"] == made["waiting"] == 0
    notes = {k.ghl_id for k in LinkRepository(db).all(BRIDGE, "note", "task")}
    assert len(notes) == made["create"] + made["update"] + made["unchanged"]
    assert made["update"] == 2  # the hand-made two, linked and marked
    assert len(tt_tasks(tt_sim)) == before + made["create"]

    again = await run_import(now(ctx, later=2), db, ("ghl_to_tt",), recipe="notes")
    assert counts(again, "ghl_to_tt")["unchanged"] == len(notes)


async def test_bookings_ahead_become_tasks_and_a_lost_link_is_found_again(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    contacts = await link_contacts(ctx, db, ghl_sim)
    ahead = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    made = add_appointments(ghl_sim, contacts[:5], ahead)
    before = len(tt_tasks(tt_sim))

    plan = await run_import(now(ctx), db, ("ghl_to_tt",), plan_only=True, recipe="bookings")
    done = await run_import(now(ctx), db, ("ghl_to_tt",), recipe="bookings")
    assert done.status == "finished", done.error
    assert counts(done, "ghl_to_tt") == counts(plan, "ghl_to_tt")
    paired = {k.ghl_id for k in LinkRepository(db).all(BRIDGE, "appointment", "task")}
    assert paired >= set(made)
    created = counts(done, "ghl_to_tt")["create"]
    assert len(tt_tasks(tt_sim)) == before + created

    with db.begin() as conn:  # the links lost: the tasks are found by their marker
        conn.execute(sa.text("DELETE FROM record_links WHERE ghl_type = 'appointment'"))
    again = await run_import(now(ctx), db, ("ghl_to_tt",), recipe="bookings")
    assert counts(again, "ghl_to_tt")["create"] == 0
    assert counts(again, "ghl_to_tt")["ambiguous"] == 0
    assert len(tt_tasks(tt_sim)) == before + created
