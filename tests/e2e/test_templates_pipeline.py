"""Every shipped template end to end through the whole pipeline, both ways where it is two-way.

The sample scenario of `ghltt sandbox` (``ghltt.sandbox.scenario``) is played step by step
against both simulators on real sockets: GHL's signed webhooks, TrackingTime's webhooks and
polls, ghltt's durable intake, batched workflows and recipe runs. After each step the test
checks what a user relies on, on either side; at the end, that nothing is left to write. On
SQLite and PostgreSQL (the ``database_url`` parameters of the ``loop`` fixture)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ghltt.sandbox import scenario as sc
from ghltt.sandbox.scenario import Scenario
from ghltt.store import RunRepository
from tests.e2e.conftest import Loop, barrier, settled, wait_for

pytestmark = pytest.mark.slow

TT_ZONE = ZoneInfo("America/New_York")  # the bridge's tt_timezone and the TT account's zone
STEP_TIMEOUT = 45  # seconds per step: a slow CI machine, or GHL's budget spent for 10 s


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    """A TT record's custom fields by name (and by slug, for the system ones)."""
    out: dict[str, Any] = {}
    for field in record.get("custom_fields") or []:
        out[field["name"]] = field["value"]
        if field.get("slug"):
            out[field["slug"]] = field["value"]
    return out


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_every_template_end_to_end_both_ways(loop: Loop) -> None:
    with Scenario(loop.endpoints(), timeout=STEP_TIMEOUT) as play:
        facts = play.facts
        play.ready()

        # contacts, GHL -> TT: one customer with the contact's fields; its id comes back.
        play.contact_created()
        play.contact_edited()
        customer = play.tt_customer(facts.customer_id)
        assert customer["name"] == "Ada Lovelace"
        assert customer["contact"] == {"name": "Ada Lovelace", "email": "ada.lovelace@example.com"}
        fields = _fields(customer)
        assert fields["ghl_phone"] == "+14155550199"  # the edit, in E.164
        assert fields["ghl_tags"] == "vip"
        assert fields["ghl_contact_id"] == facts.contact_id
        same_email = [
            c
            for c in play.tt_customers()
            if (c.get("contact") or {}).get("email") == "ada.lovelace@example.com"
        ]
        assert len(same_email) == 1
        assert play.ghl_custom_field(facts.contact_id, "tt_customer_id") == str(facts.customer_id)

        # tasks, GHL -> TT: in the contact's project, due the same day in the TT zone.
        play.task_created()
        task = play.tt_task(facts.tt_task_id)
        ghl_task = play.ghl_task(facts.contact_id, facts.ghl_task_id)
        assert (task["customer_id"], task["project"]) == (facts.customer_id, "Ada Lovelace")
        assert (
            task["due_date"] == _instant(ghl_task["dueDate"]).astimezone(TT_ZONE).date().isoformat()
        )
        assert task["is_archived"] is False
        # TT -> GHL: a rename in TrackingTime reaches the GHL task.
        play.task_renamed_in_trackingtime()
        ghl_task = play.ghl_task(facts.contact_id, facts.ghl_task_id)
        assert (ghl_task["title"], ghl_task.get("completed")) == (sc.TT_TASK_TITLE, False)
        # GHL -> TT: completing it in GHL closes the TT task.
        play.task_completed()
        assert play.tt_task(facts.tt_task_id)["is_archived"] is True
        assert play.ghl_task(facts.contact_id, facts.ghl_task_id)["completed"] is True
        in_project = [t["name"] for t in play.tt_tasks() if t["project_id"] == facts.project_id]
        assert in_project.count(sc.TT_TASK_TITLE) == 1 and sc.TASK_TITLE not in in_project
        titles = [t["title"] for t in play.ghl_tasks(facts.contact_id)]
        assert titles.count(sc.TT_TASK_TITLE) == 1

        # notes, GHL -> TT: one marked task per note, following its edit and its delete.
        play.note_created()
        note_task = play.tt_task(facts.note_task_id)
        assert note_task["name"] == "Note: Prefers mornings."
        assert note_task["description"] == sc.NOTE_BODY
        assert note_task["project_id"] == facts.project_id
        play.note_edited()
        note_task = play.tt_task(facts.note_task_id)
        assert note_task["name"] == "Note: Prefers mornings, never on Fridays."
        assert note_task["description"] == sc.EDITED_NOTE_BODY
        play.note_deleted()
        assert play.tt_task(facts.note_task_id) == {}
        assert play.tt_note_task(facts.note_id) is None

        # appointments, GHL -> TT: a time entry of the same span, linked back.
        play.appointment_taken_place()
        entry = play.tt_entry(facts.appointment_entry_id)
        appointment = loop.ghl.state.appointments[facts.appointment_id]
        assert entry["duration"] == sc.APPOINTMENT_MINUTES * 60
        assert (entry["customer_id"], entry["project_id"]) == (facts.customer_id, facts.project_id)
        assert entry["notes"] == f"{sc.APPOINTMENT_TITLE} (GHL appointment {facts.appointment_id})"
        start = _instant(appointment["startTime"]).astimezone(TT_ZONE)
        assert entry["start"] == start.strftime("%Y-%m-%d %H:%M:%S")
        assert _fields(entry)["EVENT_THIRD_PARTY_ID"] == facts.appointment_id
        for_it = [e for e in play.tt_entries(facts.customer_id) if facts.appointment_id in e["n"]]
        assert len(for_it) == 1

        # bookings, GHL -> TT: a task due on the appointment's day (TT zone), in the contact's
        # project; rescheduled, it moves; cancelled, it closes. Never copied back as a GHL task.
        play.appointment_booked()
        booking = play.tt_task(facts.booking_task_id)
        booked = loop.ghl.state.appointments[facts.booking_id]
        assert booking["name"] == sc.BOOKING_TITLE
        assert (booking["customer_id"], booking["project_id"]) == (
            facts.customer_id,
            facts.project_id,
        )
        day = _instant(booked["startTime"]).astimezone(TT_ZONE).date()
        assert booking["due_date"] == day.isoformat()
        assert booking["is_archived"] is False
        play.appointment_rescheduled()
        moved = loop.ghl.state.appointments[facts.booking_id]
        moved_day = _instant(moved["startTime"]).astimezone(TT_ZONE).date()
        assert play.tt_task(facts.booking_task_id)["due_date"] == moved_day.isoformat()
        play.appointment_cancelled()
        assert play.tt_task(facts.booking_task_id)["is_archived"] is True
        assert len([t for t in play.tt_tasks() if t["name"] == sc.BOOKING_TITLE]) == 1
        assert sc.BOOKING_TITLE not in [t["title"] for t in play.ghl_tasks(facts.contact_id)]

        # deals, GHL -> TT: the won opportunity's project under the contact's customer, with
        # the estimate from its value; TT -> GHL: the project closed moves the opportunity.
        play.deal_won()
        project = play.tt_project(facts.deal_project_id)
        assert project["name"] == sc.DEAL_NAME
        assert project["customer"]["id"] == facts.customer_id
        assert project["estimated_time"] == sc.DEAL_HOURS
        play.deal_project_closed_in_trackingtime()
        stages = {s["name"]: s["id"] for s in play.ghl_sales_pipeline()["stages"]}
        deal = play.ghl_opportunity(facts.deal_id)
        assert deal["pipelineStageId"] == stages[sc.DEAL_DONE_STAGE]
        deal_projects = [p for p in play.tt_projects() if p["name"] == sc.DEAL_NAME]
        assert len(deal_projects) == 1

        # activity-tags and hours, TT -> GHL: a time entry logged in TrackingTime.
        play.time_logged_in_trackingtime()
        customer = play.tt_customer(facts.customer_id)
        assert customer["worked_hours"] == sc.WORK_HOURS + sc.APPOINTMENT_MINUTES / 60
        contact = play.ghl_contact(facts.contact_id)
        assert {"vip", "tt-active", "tt-10h"} <= set(contact["tags"])
        assert not {"tt-50h", "tt-100h"} & set(contact["tags"])
        total = play.ghl_custom_field(facts.contact_id, "tt_hours_total")
        month = play.ghl_custom_field(facts.contact_id, "tt_hours_this_month")
        assert float(total) == 10.75
        assert float(month) == round(customer["worked_hours_this_month"], 2)

        # milestones, TT -> GHL and TT: the project closed, once.
        play.project_closed_in_trackingtime()
        closed = [
            t
            for t in play.ghl_tasks(facts.contact_id)
            if t["title"] == "Project closed: Ada Lovelace"
        ]
        assert len(closed) == 1 and not closed[0].get("completed")
        follow_ups = [
            t
            for t in play.tt_tasks()
            if t["name"] == "Close-out review: Ada Lovelace" and t["project_id"] == facts.project_id
        ]
        assert len(follow_ups) == 1

        # contacts, TT -> GHL: a customer edited in TrackingTime, seen by the poll.
        play.customer_edited_in_trackingtime()
        contact = play.ghl_contact(facts.contact_id)
        assert (contact["email"], contact["phone"]) == (sc.TT_EDITED_EMAIL, sc.TT_EDITED_PHONE)
        assert (contact["firstName"], contact["lastName"]) == ("Ada", "Lovelace")
        assert play.tt_customer(facts.customer_id)["name"] == "Ada Lovelace"

        # signup, TT -> GHL: a tagged contact with the user's task and time-entry note.
        play.trackingtime_signup()
        grace = play.ghl_contact(facts.signup_contact_id)
        assert (grace["firstName"], grace["lastName"]) == ("Grace", "Hopper")
        assert grace["email"] == "grace.hopper@example.com"
        assert set(sc.SIGNUP_TAGS) <= set(grace["tags"])
        assert [t["title"] for t in play.ghl_tasks(facts.signup_contact_id)] == [sc.SIGNUP_TASK]
        notes = [n["body"] for n in play.ghl_notes(facts.signup_contact_id)]
        assert len(notes) == 1 and notes[0].startswith(f"{sc.SIGNUP_ENTRY_NOTES}\n")
        assert "From TrackingTime: time entry " in notes[0]
        # Once what signup made has been through the other templates (Grace's contact gets
        # its customer; the GHL task's and note's webhooks reach tasks and notes): the GHL task
        # is the TT task's pair and the note stays in GHL, so nothing comes back to TrackingTime.
        wait_for(lambda: settled(loop), "the sign-up's runs processed", timeout=STEP_TIMEOUT)
        _signup_made_no_tt_copies(play)

        # Stable: after one more poll has caught up, another poll and its echoes write nothing.
        barrier(loop, timeout=STEP_TIMEOUT)
        before = loop.writes()
        barrier(loop, timeout=STEP_TIMEOUT)
        assert loop.writes() == before
        assert RunRepository(loop.db).count("failed") == 0

        # ... and what the steps made is still there, once.
        contact = play.ghl_contact(facts.contact_id)
        assert (contact["email"], contact["phone"]) == (sc.TT_EDITED_EMAIL, sc.TT_EDITED_PHONE)
        assert {"vip", "tt-active", "tt-10h"} <= set(contact["tags"])
        titles = [t["title"] for t in play.ghl_tasks(facts.contact_id)]
        assert titles.count(sc.TT_TASK_TITLE) == 1
        assert titles.count("Project closed: Ada Lovelace") == 1
        assert titles.count("Close-out review: Ada Lovelace") == 1  # the TT follow-up, via tasks
        customer = play.tt_customer(facts.customer_id)
        assert customer["contact"]["email"] == sc.TT_EDITED_EMAIL
        assert _fields(customer)["ghl_phone"] == sc.TT_EDITED_PHONE
        _signup_made_no_tt_copies(play)
        assert [t["title"] for t in play.ghl_tasks(facts.signup_contact_id)] == [sc.SIGNUP_TASK]
        assert len(play.ghl_notes(facts.signup_contact_id)) == 1
        # bookings and deals: one task, one project, the opportunity still delivered.
        assert len([t for t in play.tt_tasks() if t["name"] == sc.BOOKING_TITLE]) == 1
        assert len([p for p in play.tt_projects() if p["name"] == sc.DEAL_NAME]) == 1
        deal = play.ghl_opportunity(facts.deal_id)
        assert deal["pipelineStageId"] == stages[sc.DEAL_DONE_STAGE]


def _signup_made_no_tt_copies(play: Scenario) -> None:
    """The sign-up's TT task exists once, where the manager put it, and its time-entry note
    did not become a notes-template task: signup's GHL copies are not copied back."""
    tasks = play.tt_tasks()
    named = [t for t in tasks if t["name"] == sc.SIGNUP_TASK]
    assert [(t["project"], t["customer_id"]) for t in named] == [(sc.SIGNUP_PROJECT, None)]
    assert sc.SIGNUP_ENTRY_NOTES not in " ".join(t["name"] for t in tasks)


# -- budget-alerts and form-intake -------------------------------------------------------------


def _tt_update(play: Scenario, path: str, **params: Any) -> None:
    answer = play.tt.post(path, data={k: str(v) for k, v in params.items()})
    answer.raise_for_status()
    assert answer.json()["response"]["status"] == 200


def test_budget_alerts_and_form_intake_end_to_end(loop: Loop) -> None:
    with Scenario(loop.endpoints(), timeout=STEP_TIMEOUT) as play:
        facts = play.facts
        play.ready()
        play.contact_created()
        play.task_created()  # the contact's project
        play.time_logged_in_trackingtime()  # 10 h in it

        # budget-alerts: 10 h of a 12 h estimate crosses 80 %: a task for the contact's user,
        # the tag and an internal comment; 100 % is not crossed yet.
        play.budget_crossed_in_trackingtime()
        contact = play.ghl_contact(facts.contact_id)
        task = play.ghl_task(facts.contact_id, facts.budget_task_id)
        assert task["assignedTo"] == contact["assignedTo"] and task["assignedTo"]
        assert task["body"] == "10.0 h worked of 12.0 h estimated in TrackingTime."
        assert task.get("completed") is False
        assert sc.BUDGET_TAG in contact["tags"] and "vip" in contact["tags"]
        comments = play.ghl_internal_comments(facts.contact_id)
        assert [c["body"] for c in comments if "Budget alert" in c["body"]] == [
            'Budget alert: 80% of the estimate of "Ada Lovelace" used (10.0 h of 12.0 h).'
        ]
        titles = [t["title"] for t in play.ghl_tasks(facts.contact_id)]
        assert not any(t.startswith("100% of the budget") for t in titles)

        # A smaller estimate crosses 100 %: its own task and comment; 80 % is not repeated.
        _tt_update(play, f"projects/update/{facts.project_id}", estimated_time=10)
        hundred = "100% of the budget used: Ada Lovelace"
        wait_for(
            lambda: play.ghl_task_titled(facts.contact_id, hundred) is not None,
            "the 100 % task",
            timeout=STEP_TIMEOUT,
        )
        wait_for(
            lambda: len(play.ghl_internal_comments(facts.contact_id)) == 2,
            "the 100 % comment",
            timeout=STEP_TIMEOUT,
        )

        # form-intake: the submission found by the poll becomes one task in Ada's project.
        play.form_submitted_in_ghl()
        intake = play.tt_task(facts.intake_task_id)
        assert intake["name"] == sc.FORM_TASK
        assert intake["project_id"] == facts.project_id
        lines = intake["description"].splitlines()
        assert lines[:-1] == [f"{k}: {v}" for k, v in sorted(sc.FORM_ANSWERS.items())]
        assert f"submission {facts.submission_id}" in lines[-1]
        # ... and so does a survey's, in the same project, with its own answers.
        play.survey_submitted_in_ghl()
        survey_task = play.tt_task(facts.survey_task_id)
        assert survey_task["name"] == sc.FORM_TASK
        assert survey_task["project_id"] == facts.project_id
        lines = survey_task["description"].splitlines()
        assert lines[:-1] == [f"{k}: {v}" for k, v in sorted(sc.SURVEY_ANSWERS.items())]
        assert lines[-1].startswith("(survey ")
        assert f"submission {facts.survey_submission_id}" in lines[-1]

        # Seen again (events replayed by polls, more entries logged): nothing is repeated.
        wait_for(lambda: settled(loop), "every event processed", timeout=STEP_TIMEOUT)
        play.poll()
        _tt_update(play, f"projects/update/{facts.project_id}", estimated_time=10, notes="x")
        play.poll()
        wait_for(lambda: settled(loop), "the last poll processed", timeout=STEP_TIMEOUT)
        titles = [t["title"] for t in play.ghl_tasks(facts.contact_id)]
        assert titles.count(sc.BUDGET_TASK) == 1 and titles.count(hundred) == 1
        assert len(play.ghl_internal_comments(facts.contact_id)) == 2
        named = [t for t in play.tt_tasks() if t["name"] == sc.FORM_TASK]
        assert len(named) == 2  # the form's and the survey's
        assert RunRepository(loop.db).count("failed") == 0
