"""The shipped templates: valid, and doing what their pages say on sample records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from ghltt.engine.catalog import action_catalog
from ghltt.engine.mapping import DictResolver, MappingContext
from ghltt.engine.recipes import (
    AutomationRecipe,
    SyncRecipe,
    build_context,
    build_scope,
    plan_step,
    required_scopes_all,
    with_output,
)
from ghltt.engine.recipes.templates import (
    list_templates,
    load_template,
    load_templates,
    template_names,
)
from tests.engine.catalog import CATALOG

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
NAMES = [
    "activity-tags",
    "appointments",
    "bookings",
    "budget-alerts",
    "contacts",
    "deals",
    "form-intake",
    "hours",
    "milestones",
    "notes",
    "signup",
    "tasks",
]
RESOLVER = DictResolver(
    {
        ("tt.customer", "ghl_phone"): "101",
        ("tt.customer", "ghl_business_id"): "102",
        ("tt.customer", "ghl_tags"): "103",
        ("tt.customer", "ghl_contact_id"): "104",
        ("ghl.contact", "contact.tt_customer_id"): "cfA",
        ("ghl.contact", "contact.tt_hours_total"): "cfT",
        ("ghl.contact", "contact.tt_hours_this_month"): "cfM",
        ("tt.event", "EVENT_THIRD_PARTY_ID"): "201",
        ("tt.event", "EVENT_THIRD_PARTY_SERVICE"): "202",
        ("tt.project", "PROJECT_THIRD_PARTY_ID"): "301",
        ("tt.project", "PROJECT_THIRD_PARTY_SERVICE"): "302",
    }
)


def sync(name: str) -> SyncRecipe:
    recipe = load_template(name, CATALOG)
    assert isinstance(recipe, SyncRecipe)
    return recipe


def automation(name: str) -> AutomationRecipe:
    recipe = load_template(name, CATALOG)
    assert isinstance(recipe, AutomationRecipe)
    return recipe


def ctx(recipe: SyncRecipe | AutomationRecipe, **runner_vars: Any) -> MappingContext:
    defaults = {"tt_timezone": "Europe/Madrid", "location_tz": "America/New_York"}
    return build_context(recipe, now=NOW, resolver=RESOLVER, **{**defaults, **runner_vars})


def test_every_template_is_listed_and_valid() -> None:
    assert template_names() == NAMES
    kinds = {t.name: t.kind for t in list_templates()}
    assert {n for n, k in kinds.items() if k == "sync"} == {
        "appointments",
        "bookings",
        "contacts",
        "notes",
        "tasks",
    }
    assert all(t.description for t in list_templates())
    assert len(load_templates(CATALOG)) == len(NAMES)
    assert len(load_templates(action_catalog())) == len(NAMES)  # the catalog runs really use


def test_templates_need_only_contact_calendar_and_comment_scopes() -> None:
    scopes = required_scopes_all(load_templates(CATALOG), CATALOG)
    assert scopes == {
        "contacts.readonly",
        "contacts.write",
        "calendars/events.readonly",  # appointments are read, never written
        "opportunities.readonly",  # deals: read, and moved when their project closes
        "opportunities.write",
        "conversations/message.write",  # budget-alerts' internal comment
    }
    hours = required_scopes_all([load_template("hours", CATALOG)], CATALOG)
    assert hours == {"contacts.write"}


GHL_CONTACT = {
    "id": "PBpuWvWICnSR8LLafaaO",
    "firstName": "Test",
    "lastName": "Contact",
    "email": "Test11@gmail.com",
    "phone": "+1 (888) 777-2222",
    "tags": ["vip", "agency"],
    "businessId": "b1",
    "customFields": [],
}


def test_contacts_both_ways_and_echo() -> None:
    recipe = sync("contacts")
    context = ctx(recipe)
    assert recipe.accepts("ghl", GHL_CONTACT, context)
    assert recipe.ghl_to_tt is not None and recipe.tt_to_ghl is not None
    to_tt = recipe.ghl_to_tt.apply(GHL_CONTACT, context)
    assert to_tt.values == {
        "name": "Test Contact",
        "contact_name": "Test Contact",
        "contact_email": "test11@gmail.com",
        "custom:ghl_phone": "+18887772222",
        "custom:ghl_business_id": "b1",
        "custom:ghl_tags": "agency, vip",
        "custom:ghl_contact_id": "PBpuWvWICnSR8LLafaaO",
    }
    body = to_tt.payload()
    assert {"id": "101", "value": "+18887772222"} in body["custom_fields"]
    # TT now holds what we wrote; reading it back gives GHL values equal to the contact's.
    customer = {
        "id": 123456,
        "name": body["name"],
        "contact_name": body["contact_name"],
        "contact_email": body["contact_email"],
        "custom_fields": [{"id": int(c["id"]), "value": c["value"]} for c in body["custom_fields"]],
    }
    back = recipe.tt_to_ghl.apply(customer, context)
    assert back.values == {
        "firstName": "Test",
        "lastName": "Contact",
        "email": "test11@gmail.com",
        "phone": "+18887772222",
        "custom:contact.tt_customer_id": "123456",
    }
    # The echo of our own write maps to the same fingerprint: zero writes.
    assert recipe.tt_to_ghl.apply(dict(customer), context).fingerprint == back.fingerprint
    assert recipe.match_candidates("ghl", GHL_CONTACT) == [("contact_email", "test11@gmail.com")]


def test_contacts_bad_phone_is_skipped_not_fatal() -> None:
    recipe = sync("contacts")
    assert recipe.ghl_to_tt is not None
    mapped = recipe.ghl_to_tt.apply({**GHL_CONTACT, "phone": "call me"}, ctx(recipe))
    assert "custom:ghl_phone" not in mapped.values
    assert "custom:ghl_phone" in mapped.skipped


def test_tasks_due_dates_and_completion() -> None:
    recipe = sync("tasks")
    context = ctx(recipe, parent={"ghl": {"id": "c1"}, "tt": {"id": 5, "name": "Acme"}})
    task = {
        "id": "t1",
        "title": "Call",
        "body": "b",
        "dueDate": "2026-03-28T23:30:00.000Z",
        "completed": True,
        "contactId": "c1",
    }
    assert recipe.ghl_to_tt is not None and recipe.tt_to_ghl is not None
    to_tt = recipe.ghl_to_tt.apply(task, context).values
    assert to_tt == {
        "name": "Call",
        "description": "b",
        "project_name": "Acme",
        "due_date": "2026-03-29",
        "is_archived": True,
    }
    tt_task = {"id": 9, "name": "Call", "due_date": "2026-03-29", "is_archived": False}
    back = recipe.tt_to_ghl.apply(tt_task, context).values
    assert back == {"title": "Call", "dueDate": "2026-03-28T23:00:00Z", "completed": False}
    note_task = {**tt_task, "json": '{"ghltt":"note","ghl_note_id":"n1"}'}
    assert recipe.accepts("tt", tt_task, context)
    assert not recipe.accepts("tt", note_task, context)


def test_notes_become_marked_tasks() -> None:
    recipe = sync("notes")
    context = ctx(recipe, parent={"tt": {"name": "Acme"}})
    assert recipe.ghl_to_tt is not None and recipe.tt_to_ghl is None
    note = {"id": "n1", "body": "First line\nsecond", "contactId": "c1"}
    values = recipe.ghl_to_tt.apply(note, context).values
    assert values["name"] == "Note: First line"
    assert values["json"] == '{"ghltt":"note","ghl_note_id":"n1"}'
    assert recipe.delete_action("ghl_to_tt") == "propagate"
    assert "tt.tasks.delete" in recipe.actions
    assert recipe.accepts("ghl", note, context)


def test_appointments_after_they_took_place() -> None:
    recipe = sync("appointments")
    context = ctx(recipe, parent={"tt": {"name": "Acme"}})
    past = {
        "id": "a1",
        "title": "Kick-off",
        "notes": "bring slides",
        "contactId": "c1",
        "appointmentStatus": "confirmed",
        "startTime": "2026-05-01T10:00:00-04:00",
        "endTime": "2026-05-01T11:30:00-04:00",
    }
    assert recipe.accepts("ghl", past, context)
    assert not recipe.accepts("ghl", {**past, "endTime": "2026-05-09T10:00:00-04:00"}, context)
    assert not recipe.accepts("ghl", {**past, "appointmentStatus": "cancelled"}, context)
    assert recipe.ghl_to_tt is not None
    mapped = recipe.ghl_to_tt.apply(past, context)
    assert mapped.values["start"] == "2026-05-01 16:00:00"
    assert mapped.values["end"] == "2026-05-01 17:30:00"
    assert mapped.values["duration"] == 5400
    assert mapped.values["timezone"] == "GMT+02:00"
    assert mapped.values["notes"] == "Kick-off - bring slides (GHL appointment a1)"
    assert {"id": "201", "value": "a1"} in mapped.payload()["custom_fields"]
    assert recipe.model.recheck is not None


def run(
    recipe: AutomationRecipe,
    event: Mapping[str, Any],
    outputs: Mapping[str, Any],
    **runner_vars: Any,
) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """A fake runner: plans each step and feeds canned outputs; returns the calls made."""
    scope = build_scope(recipe, event)
    context = ctx(recipe, **runner_vars)
    calls = []
    for step in recipe.steps:
        decision = plan_step(step, scope, context)
        if decision.outcome == "stop":
            break
        for inv in decision.invocations:
            calls.append((step.id, inv.action, inv.input, inv.once_key))
        output = decision.output if decision.outcome == "set" else outputs.get(step.id)
        scope = with_output(scope, step.id, output)
    return calls


def test_signup() -> None:
    recipe = automation("signup")
    assert recipe.matches("tt", "user.created")
    user = {"id": 381455, "name": "John", "surname": "Doe", "email": "JohnDoe@Domain.com"}
    outputs = {
        "user": user,
        "contact": {"new": True, "contact": {"id": "c1"}},
        "tasks": [{"id": 94656212106, "name": "Onboarding", "due_date": "2026-05-10"}],
        "entries": [
            {"id": 1, "n": "Set up account", "p": "Acme", "s": "2026-05-01 10:00:00"},
            {"id": 2, "n": None, "p": "Acme", "s": "2026-05-02 10:00:00"},
        ],
    }
    calls = run(recipe, {"object_id": "381455"}, outputs)
    actions = [c[1] for c in calls]
    assert actions == [
        "tt.users.get",
        "ghl.contacts.upsert",
        "ghl.tags.add",
        "tt.users.assigned_tasks",
        "ghl.tasks.create",
        "tt.events.list",
        "ghl.notes.create",
    ]
    assert calls[0][2] == {"id": 381455}
    assert calls[1][2] == {
        "email": "johndoe@domain.com",
        "firstName": "John",
        "lastName": "Doe",
        "source": "TrackingTime",
    }
    assert calls[2][2] == {"contactId": "c1", "tags": ["trackingtime", "tt-signup"]}
    assert calls[4][2]["dueDate"] == "2026-05-09T22:00:00Z"
    assert calls[4][3] == "ghl_tasks:94656212106"
    assert (
        calls[5][2]["from"] == "2026-04-04" and calls[5][2]["to"] == "2026-05-05"
    )  # through tomorrow
    assert calls[6][2]["body"] == (
        "Set up account\n\nFrom TrackingTime: time entry 1 (Acme, 2026-05-01 10:00:00)"
    )
    # The GHL task is the tasks sync's counterpart of the TT task it copies.
    [linked] = [step for step in recipe.steps if step.link is not None]
    assert (linked.id, linked.link.recipe, linked.link.other) == ("ghl_tasks", "tasks", "tt")
    # ... and the note, which the notes template leaves alone.
    notes = sync("notes")
    note = {"id": "n1", "body": calls[6][2]["body"], "contactId": "c1"}
    assert not notes.accepts("ghl", note, ctx(notes))
    # No email: the run stops after reading the user.
    no_email = run(recipe, {"object_id": "1"}, {"user": {"id": 1, "name": "x"}})
    assert [c[1] for c in no_email] == ["tt.users.get"]


@pytest.mark.parametrize(
    ("entries", "hours", "added", "removed"),
    [
        ([{"id": 1, "d": 3600}], 55.0, {"tt-active", "tt-10h", "tt-50h"}, {"tt-100h"}),
        ([], 5.0, set(), {"tt-active", "tt-10h", "tt-50h", "tt-100h"}),
    ],
)
def test_activity_tags(
    entries: list[dict[str, Any]], hours: float, added: set[str], removed: set[str]
) -> None:
    recipe = automation("activity-tags")
    outputs = {
        "link": {"ghl_id": "c1", "tt_id": 5},
        "recent": entries,
        "customer": {"id": 5, "worked_hours": hours},
    }
    event = {"source": "tt", "kind": "event.created", "payload": {"data": {"customer_id": 5}}}
    calls = run(recipe, event, outputs)
    tags_added = {t for _, a, body, _ in calls if a == "ghl.tags.add" for t in body["tags"]}
    tags_removed = {t for _, a, body, _ in calls if a == "ghl.tags.remove" for t in body["tags"]}
    assert (tags_added, tags_removed) == (added, removed)
    listing = next(body for _, a, body, _ in calls if a == "tt.events.list")
    assert listing == {"filter": "CUSTOMER", "id": 5, "from": "2026-04-04", "to": "2026-05-04"}


def test_activity_tags_scheduled_per_link_and_unlinked() -> None:
    recipe = automation("activity-tags")
    assert recipe.model.trigger.schedule is not None
    assert recipe.model.trigger.schedule.per_link == "contacts"
    event = {"source": "schedule", "payload": {"link": {"ghl_id": "c1", "tt_id": 5}}}
    calls = run(recipe, event, {"link": None})
    assert [c[1] for c in calls] == ["ghltt.links.find"]
    assert calls[0][2]["tt_id"] == 5


def test_hours_writes_custom_fields() -> None:
    recipe = automation("hours")
    outputs = {
        "link": {"ghl_id": "c1", "tt_id": 5},
        "customer": {"worked_hours": 12.3456, "worked_hours_this_month": None},
    }
    calls = run(recipe, {"payload": {"data": {"cid": 5}}}, outputs)
    update = calls[-1]
    assert update[1] == "ghl.contacts.update"
    assert update[2] == {
        "contactId": "c1",
        "customFields": [{"id": "cfT", "field_value": 12.35}, {"id": "cfM", "field_value": 0}],
    }


def test_milestones() -> None:
    recipe = automation("milestones")
    project = {
        "id": 77,
        "name": "Web",
        "is_archived": True,
        "customer": {"id": 5},
        "worked_hours": 45.0,
        "estimated_time": 50,
        "delivery_date": "2026-05-10",
    }
    outputs = {"project": project, "link": {"ghl_id": "c1", "tt_id": 5}}
    closed = {"object_type": "project", "object_id": "77", "payload": {"data": {"id": 77}}}
    calls = run(recipe, closed, outputs)
    steps = [c[0] for c in calls]
    assert steps == [
        "project",
        "link",
        "closed_task",
        "share_tasks",
        "share_tasks",
        "tt_follow_up",
    ]
    share_titles = [c[2]["title"] for c in calls if c[0] == "share_tasks"]
    assert share_titles == ["50% of the estimate used: Web", "80% of the estimate used: Web"]
    assert calls[2][3] == "closed_task:closed-77"
    assert calls[-1][2] == {
        "name": "Close-out review: Web",
        "project_id": 77,
        "due_date": "2026-05-06",
    }
    overdue = {**project, "is_archived": False, "delivery_date": "2026-05-01", "worked_hours": 1}
    calls = run(
        recipe, {"object_type": "project", "object_id": "77"}, {**outputs, "project": overdue}
    )
    assert [c[0] for c in calls] == ["project", "link", "delivery_task"]


@pytest.mark.parametrize(
    ("data", "project_id"),
    [
        ({"id": 9001, "project_id": 77}, 77),  # a time entry from a webhook
        ({"id": 9001, "pid": 77}, 77),  # the same entry from a poll
        ({"id": 9001, "project_id": None}, None),  # an entry in no project
        ({"id": 9001, "pid": None}, None),
    ],
)
def test_milestones_of_a_time_entry_read_its_project_never_its_own_id(
    data: dict[str, Any], project_id: int | None
) -> None:
    """An entry's own id is no project id: an entry without a project stops the run instead of
    failing on a project that does not exist (it did, found by the templates' e2e test)."""
    recipe = automation("milestones")
    event = {"source": "tt", "kind": "event.created", "object_type": "event", "object_id": "9001"}
    calls = run(recipe, {**event, "payload": {"data": data}}, {"link": None})
    if project_id is None:
        assert calls == []
    else:
        assert calls[0][:3] == ("project", "tt.projects.get", {"id": project_id})


# -- bookings ----------------------------------------------------------------------------------
BOOKED = {
    "id": "apt1",
    "contactId": "c1",
    "title": "Discovery call",
    "startTime": "2026-05-06T22:30:00Z",  # 00:30 on the 7th in Madrid
    "endTime": "2026-05-06T23:15:00Z",
    "appointmentStatus": "confirmed",
}


def test_bookings_become_tasks_due_at_the_appointment() -> None:
    recipe = sync("bookings")
    context = ctx(recipe, parent={"tt": {"name": "Acme"}})
    assert recipe.ghl_to_tt is not None and recipe.tt_to_ghl is None
    assert recipe.accepts("ghl", BOOKED, context)
    values = recipe.ghl_to_tt.apply(BOOKED, context).values
    assert values["name"] == "Discovery call"
    assert values["project_name"] == "Acme"
    assert values["due_date"] == "2026-05-07"  # the day in the TT zone
    assert values["estimated_time"] == 0.75
    assert values["is_archived"] is False
    assert values["json"] == '{"ghltt":"booking","ghl_appointment_id":"apt1"}'
    assert "apt1" in values["description"]
    # Rescheduled: the due date follows; cancelled: the task is closed.
    moved = {**BOOKED, "startTime": "2026-05-09T10:00:00Z", "endTime": "2026-05-09T11:00:00Z"}
    assert recipe.ghl_to_tt.apply(moved, context).values["due_date"] == "2026-05-09"
    cancelled = {**BOOKED, "appointmentStatus": "cancelled"}
    assert recipe.ghl_to_tt.apply(cancelled, context).values["is_archived"] is True
    # Which statuses close is a parameter.
    showed = {**BOOKED, "appointmentStatus": "showed"}
    assert recipe.ghl_to_tt.apply(showed, context).values["is_archived"] is False
    closing = build_context(
        recipe,
        now=NOW,
        resolver=RESOLVER,
        params={"closing_statuses": ["cancelled", "showed"]},
        tt_timezone="Europe/Madrid",
        location_tz="America/New_York",
        parent={"tt": {"name": "Acme"}},
    )
    assert recipe.ghl_to_tt.apply(showed, closing).values["is_archived"] is True
    assert recipe.delete_action("ghl_to_tt") == "archive"
    # The tasks template leaves booking tasks alone (they stand for appointments).
    booking_task = {"id": 9, "name": "Discovery call", "json": values["json"]}
    assert not sync("tasks").accepts("tt", booking_task, ctx(sync("tasks")))


# -- deals -------------------------------------------------------------------------------------
PIPELINES = [
    {
        "id": "p1",
        "name": "Sales",
        "stages": [
            {"id": "s-new", "name": "New lead"},
            {"id": "s-won", "name": "Won"},
            {"id": "s-done", "name": "Delivered"},
        ],
    }
]
OPPORTUNITY = {
    "id": "o1",
    "name": "Website redesign",
    "contactId": "c1",
    "pipelineId": "p1",
    "pipelineStageId": "s-new",
    "status": "open",
    "monetaryValue": 4250,
}
GHL_MOVED = {"source": "ghl", "kind": "opportunity.stage_updated", "object_id": "o1"}


def deal_calls(
    opportunity: Mapping[str, Any], event: Mapping[str, Any] = GHL_MOVED, **extra: Any
) -> list[tuple[str, str, dict[str, Any], str | None]]:
    outputs = {
        "opportunity": opportunity,
        "pipelines": PIPELINES,
        "customer": {"ghl_id": "c1", "tt_id": 5},
        **extra,
    }
    return run(automation("deals"), event, outputs)


def test_deals_an_opportunity_in_a_chosen_stage_becomes_one_project() -> None:
    assert [c[0] for c in deal_calls(OPPORTUNITY)] == ["opportunity", "pipelines"]
    for moved in ({"pipelineStageId": "s-won"}, {"status": "won"}):
        calls = deal_calls({**OPPORTUNITY, **moved})
        assert [c[0] for c in calls] == ["opportunity", "pipelines", "customer", "project"]
        project = calls[-1]
        assert project[1:] == (
            "tt.projects.add",
            {
                "name": "Website redesign",
                "customer_id": 5,
                "estimated_time": 42.5,  # 4,250 / 100 an hour
                "custom_fields": [
                    {"id": "301", "value": "o1"},
                    {"id": "302", "value": "GoHighLevel opportunity"},
                ],
            },
            "project:deal-o1",
        )
    # Without a TT customer for the contact there is nothing to put the project under.
    calls = deal_calls({**OPPORTUNITY, "status": "won"}, customer=None)
    assert [c[0] for c in calls] == ["opportunity", "pipelines", "customer"]


def test_deals_stages_and_rate_are_parameters() -> None:
    recipe = automation("deals")
    scope_params = {"stages": ["s-new"], "on_won": False, "hourly_rate": 50}
    event = {**GHL_MOVED}
    outputs = {
        "opportunity": {**OPPORTUNITY, "status": "won", "pipelineStageId": "s-won"},
        "pipelines": PIPELINES,
        "customer": {"tt_id": 5},
    }
    scope = build_scope(recipe, event, params=scope_params)
    context = build_context(
        recipe, now=NOW, resolver=RESOLVER, params=scope_params, tt_timezone="UTC"
    )
    made = []
    for step in recipe.steps:
        decision = plan_step(step, scope, context)
        if decision.outcome == "stop":
            break
        made += [inv.input for inv in decision.invocations if inv.action == "tt.projects.add"]
        output = decision.output if decision.outcome == "set" else outputs.get(step.id)
        scope = with_output(scope, step.id, output)
    assert made == []  # won, but neither on_won nor its stage chosen
    outputs["opportunity"] = OPPORTUNITY  # in "New lead", chosen by id
    scope = build_scope(recipe, event, params=scope_params)
    for step in recipe.steps:
        decision = plan_step(step, scope, context)
        if decision.outcome == "stop":
            break
        made += [inv.input for inv in decision.invocations if inv.action == "tt.projects.add"]
        output = decision.output if decision.outcome == "set" else outputs.get(step.id)
        scope = with_output(scope, step.id, output)
    assert [m["estimated_time"] for m in made] == [85.0]  # 4,250 / 50


def test_deals_a_closed_project_moves_its_opportunity() -> None:
    closed = {"source": "tt", "kind": "project.closed", "object_id": "77"}
    project = {
        "id": 77,
        "is_archived": True,
        "custom_fields": [
            {"slug": "PROJECT_THIRD_PARTY_ID", "value": "o1"},
            {"slug": "PROJECT_THIRD_PARTY_SERVICE", "value": "GoHighLevel opportunity"},
        ],
    }
    won = {**OPPORTUNITY, "pipelineStageId": "s-won", "status": "won"}
    calls = run(
        automation("deals"), closed, {"closed": project, "pipelines": PIPELINES, "won": won}
    )
    assert [c[:3] for c in calls] == [
        ("pipelines", "ghl.pipelines.list", {}),
        ("closed", "tt.projects.get", {"id": 77}),
        ("won", "ghl.opportunities.get", {"id": "o1"}),
        ("move", "ghl.opportunities.update", {"id": "o1", "pipelineStageId": "s-done"}),
    ]
    # Already there: nothing to write. A project of no deal: nothing read in GHL.
    there = {**won, "pipelineStageId": "s-done"}
    calls = run(
        automation("deals"), closed, {"closed": project, "pipelines": PIPELINES, "won": there}
    )
    assert [c[0] for c in calls] == ["pipelines", "closed", "won"]
    other = {**project, "custom_fields": [{"slug": "PROJECT_THIRD_PARTY_ID", "value": "x"}]}
    calls = run(automation("deals"), closed, {"closed": other, "pipelines": PIPELINES})
    assert [c[0] for c in calls] == ["pipelines", "closed"]


# -- budget-alerts and form-intake -------------------------------------------------------------


def run_with(
    recipe: AutomationRecipe, event: Mapping[str, Any], outputs: Mapping[str, Any], **params: Any
) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """``run`` with the bridge's parameter values."""
    scope = build_scope(recipe, event, params=params)
    context = build_context(
        recipe,
        now=NOW,
        resolver=RESOLVER,
        params=params,
        tt_timezone="Europe/Madrid",
        location_tz="America/New_York",
    )
    calls = []
    for step in recipe.steps:
        decision = plan_step(step, scope, context)
        if decision.outcome == "stop":
            break
        for inv in decision.invocations:
            calls.append((step.id, inv.action, inv.input, inv.once_key))
        output = decision.output if decision.outcome == "set" else outputs.get(step.id)
        scope = with_output(scope, step.id, output)
    return calls


BUDGET_PROJECT = {"id": 77, "name": "Web", "customer": {"id": 5}, "estimated_time": 40}
BUDGET_OUTPUTS = {
    "link": {"ghl_id": "c1", "tt_id": 5},
    "contact": {"id": "c1", "assignedTo": "u9"},
}
ENTRY = {"object_type": "event", "object_id": "9001", "payload": {"data": {"project_id": 77}}}


def test_budget_alerts_once_per_project_and_share_for_the_assigned_user() -> None:
    recipe = automation("budget-alerts")
    project = {**BUDGET_PROJECT, "worked_hours": 41.0}  # 102.5 %: both default shares
    calls = run_with(recipe, ENTRY, {**BUDGET_OUTPUTS, "project": project})
    assert [c[0] for c in calls] == [
        "project",
        "link",
        "contact",
        "alert_tasks",
        "alert_tasks",
        "alert_tag",
        "alert_comments",
        "alert_comments",
    ]
    tasks = [c for c in calls if c[0] == "alert_tasks"]
    assert [t[2]["title"] for t in tasks] == [
        "80% of the budget used: Web",
        "100% of the budget used: Web",
    ]
    assert {t[2]["assignedTo"] for t in tasks} == {"u9"}
    assert [t[3] for t in tasks] == ["alert_tasks:task-77-0.8", "alert_tasks:task-77-1.0"]
    assert calls[5][2] == {"contactId": "c1", "tags": ["tt-budget-alert"]}
    assert calls[5][3] == "alert_tag:tag-77-1.0"
    assert calls[6][2]["message"].startswith('Budget alert: 80% of the estimate of "Web" used')


def test_budget_alerts_params_and_projects_left_alone() -> None:
    recipe = automation("budget-alerts")
    project = {**BUDGET_PROJECT, "worked_hours": 22.0}  # 55 %
    calls = run_with(
        recipe,
        ENTRY,
        {**BUDGET_OUTPUTS, "project": project},
        shares=[0.5],
        comment=False,
        tag="over-half",
    )
    assert [c[0] for c in calls] == ["project", "link", "contact", "alert_tasks", "alert_tag"]
    assert calls[-1][2]["tags"] == ["over-half"]
    # Under every share, or without an estimate: nothing is written.
    for quiet in ({**project, "worked_hours": 10.0}, {**project, "estimated_time": 0}):
        calls = run_with(recipe, ENTRY, {**BUDGET_OUTPUTS, "project": quiet})
        assert [c[0] for c in calls] == ["project", "link"]


SUBMITTED = {
    "object_type": "form",
    "object_id": "s1",
    "payload": {
        "id": "s1",
        "formId": "f1",
        "contactId": "c1",
        "name": "Ada Lovelace",
        "createdAt": "2026-05-04T09:00:00.000Z",
        "others": {"goal": "A website", "budget": "5000"},
    },
}
INTAKE_OUTPUTS = {"link": {"ghl_id": "c1", "tt_id": 5}, "customer": {"id": 5, "name": "Ada"}}


def test_form_intake_one_task_with_the_answers_in_the_contacts_project() -> None:
    recipe = automation("form-intake")
    assert recipe.matches("ghl", "form.submitted") and recipe.matches("ghl", "survey.submitted")
    calls = run_with(recipe, SUBMITTED, INTAKE_OUTPUTS)
    assert [c[0] for c in calls] == ["link", "customer", "task"]
    task = calls[-1]
    assert task[3] == "task:form-s1"
    assert task[2]["name"] == "Intake: Ada Lovelace"
    assert task[2]["project_name"] == "Ada"
    assert task[2]["due_date"] == "2026-05-06"
    description = task[2]["description"]
    assert description.splitlines() == [
        "budget: 5000",
        "goal: A website",
        "(form f1, submission s1, 2026-05-04T09:00:00.000Z)",
    ]


def test_form_intake_only_the_chosen_forms_and_known_contacts() -> None:
    recipe = automation("form-intake")
    assert run_with(recipe, SUBMITTED, INTAKE_OUTPUTS, forms=["other"]) == []
    assert [c[0] for c in run_with(recipe, SUBMITTED, INTAKE_OUTPUTS, forms=["f1"])][-1] == "task"
    anonymous = {**SUBMITTED, "payload": {**SUBMITTED["payload"], "contactId": None}}
    assert run_with(recipe, anonymous, INTAKE_OUTPUTS) == []
