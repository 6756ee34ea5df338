"""Generated actions against both simulators: an operation exposed by one catalog line is a
working action, with its inputs from the declaration and its answer as a record."""

from __future__ import annotations

import pytest

from ghltt.engine.catalog import ACTIONS, call_action
from ghltt.engine.context import BridgeContext
from ghltt.engine.mapping import Invalid
from ghltt.engine.recipes import load_recipe_text
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from tests.engine.catalog import CATALOG

pytestmark = pytest.mark.anyio


def _contact(ghl_sim: GhlSimulator) -> str:
    location = ghl_sim.sample_location_id
    contacts = ghl_sim.state.contacts.values()
    return str(next(c["id"] for c in contacts if c["locationId"] == location))


async def test_set_completed_is_an_action_from_its_declaration(
    ctx: BridgeContext, ghl_sim: GhlSimulator
) -> None:
    action = ACTIONS["ghl.tasks.set_completed"]
    assert action.inputs is not None
    assert {k for k, v in action.inputs.items() if v.required} == {
        "contactId",
        "taskId",
        "completed",
    }
    assert action.inputs["completed"].type == "boolean"
    assert action.scopes == ("contacts.write",)
    assert action.writes and action.object_type == "ghl.task"
    contact = _contact(ghl_sim)
    task = await call_action(
        ctx,
        "ghl.tasks.create",
        {"contactId": contact, "title": "Call back", "dueDate": "2026-03-01T10:00:00Z"},
    )
    assert task["completed"] is False  # the declaration's default
    ids = {"contactId": contact, "taskId": task["id"]}
    done = await call_action(ctx, "ghl.tasks.set_completed", {**ids, "completed": True})
    assert done["id"] == task["id"] and done["completed"] is True
    assert ghl_sim.state.tasks[task["id"]]["completed"] is True
    requests = [r for r in ghl_sim.request_log() if r["method"] == "PUT"]
    assert [r["path"] for r in requests] == [f"/contacts/{contact}/tasks/{task['id']}/completed"]


def test_an_automation_step_may_use_it() -> None:
    text = """\
version: 2
name: done
kind: automation
description: d
trigger: {events: [ghl.task.created]}
steps:
  - id: finish
    action: ghl.tasks.set_completed
    input:
      contactId: event.contactId
      taskId: event.id
      completed: {value: true}
"""
    recipe = load_recipe_text(text, CATALOG)
    assert recipe.name == "done"
    with pytest.raises(Invalid, match="required input 'completed' is missing"):
        load_recipe_text(text.replace("      completed: {value: true}\n", ""), CATALOG)


async def test_a_tt_delete_of_a_record_already_gone_is_done(
    ctx: BridgeContext, tt_sim: TrackingTimeSimulator
) -> None:
    made = await call_action(ctx, "tt.customers.add", {"name": "Gone Soon"})
    assert await call_action(ctx, "tt.customers.delete", {"id": made["id"]}) is True
    assert await call_action(ctx, "tt.customers.delete", {"id": made["id"]}) is True


async def test_a_paged_tt_read_walks_its_pages_as_records(
    ctx: BridgeContext, tt_sim: TrackingTimeSimulator
) -> None:
    customer = await call_action(ctx, "tt.customers.add", {"name": "Paged"})
    task = await call_action(
        ctx, "tt.tasks.add", {"name": "Work", "project_name": "Paged", "customer_name": "Paged"}
    )
    entry = await call_action(
        ctx,
        "tt.events.add",
        {"task_id": task["id"], "start": "2026-01-05 09:00:00", "end": "2026-01-05 10:00:00"},
    )
    query = {"filter": "CUSTOMER", "id": customer["id"], "from": "2026-01-01T00:00:00Z"}
    entries = await call_action(ctx, "tt.events.list", query)
    assert [e["id"] for e in entries] == [entry["id"]]
    assert entries[0]["d"] == 3600  # records carry TT's short keys too
    requests = [r for r in tt_sim.request_log() if r["path"].endswith("/events")]
    assert len(requests) == 1  # one short page ends the walk


async def test_the_project_and_user_writes_their_object_types_name_are_actions(
    ctx: BridgeContext, tt_sim: TrackingTimeSimulator
) -> None:
    customer = await call_action(ctx, "tt.customers.add", {"name": "Acme Projects"})
    project = await call_action(
        ctx, "tt.projects.add", {"name": "Launch", "customer_id": customer["id"]}
    )
    renamed = await call_action(ctx, "tt.projects.update", {"id": project["id"], "name": "Go"})
    assert renamed["name"] == "Go"
    assert await call_action(ctx, "tt.projects.delete", {"id": project["id"]}) is True
    user = await call_action(
        ctx,
        "tt.users.add",
        {
            "email": "grace.catalog@example.com",
            "name": "Grace",
            "surname": "H",
            "role": "CO_WORKER",
        },
    )
    closed = await call_action(ctx, "tt.users.close", {"id": user["id"]})
    assert closed["id"] == user["id"]
    writes = [r["path"] for r in tt_sim.request_log() if r["method"] != "GET"]
    assert any(p.endswith("/projects/add") for p in writes)
    assert any(p.endswith(f"/users/close/{user['id']}") for p in writes)
