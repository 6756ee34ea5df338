"""The sample scenario of ``ghltt sandbox``: what an agency does in a week, played through the
simulators' public APIs as a user would, touching every shipped template once.

The same steps serve the CLI (which prints what happened) and the end-to-end tests (which then
check every side in detail). Each step acts on one side, then waits, by polling the other side's
API, until ghltt has carried the change across; a step that does not see it in time raises
:class:`NotSeen`. TrackingTime has no webhook for new users and customer edits: those steps ask
ghltt to poll at once (``POST /api/events`` of a ``schedule`` ``bridge.reconcile`` event, what
``ghltt events send --source schedule --kind bridge.reconcile`` does) and wait for that poll.

Like the simulators, this module imports nothing of ghltt's own: it is a user of the APIs, not
of our clients. In GHL it acts with its own token (people at work in the location, not ghltt),
so its requests do not spend ghltt's request budget.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx2

T = TypeVar("T")

GHL_VERSION = "2021-07-28"
CONVERSATIONS_VERSION = "2021-04-15"  # what GHL's conversations API declares
RECONCILE_KIND = "bridge.reconcile"

# What the scenario writes, so that a reader (or a test) knows what to look for.
CONTACT = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada.lovelace@example.com",
    "phone": "+1 (415) 555-0101",
    "tags": ["vip"],
}
EDITED_PHONE = "+1 415 555 0199"  # the GHL edit
EDITED_PHONE_E164 = "+14155550199"
# The TrackingTime edit that must come back to GHL.
TT_EDITED_EMAIL = "ada@analytical-engine.example"
TT_EDITED_PHONE = "+14155550123"
TASK_TITLE = "Kick-off call"
TT_TASK_TITLE = "Kick-off call (agenda sent)"  # renamed in TrackingTime
NOTE_BODY = "Prefers mornings.\nCall before 11 am Pacific."
EDITED_NOTE_BODY = "Prefers mornings, never on Fridays.\nCall before 11 am Pacific."
APPOINTMENT_TITLE = "Discovery call"
APPOINTMENT_MINUTES = 45
WORK_HOURS = 10  # logged in TrackingTime on the customer's project: crosses the 10 h tag
WORK_NOTES = "Design workshop"
SIGNUP = {"email": "grace.hopper@example.com", "name": "Grace", "surname": "Hopper"}
SIGNUP_TASK = "Set up your timesheet"
SIGNUP_PROJECT = "Onboarding"
SIGNUP_ENTRY_NOTES = "Read the onboarding guide"
SIGNUP_TAGS = ("trackingtime", "tt-signup")
# bookings: an appointment booked ahead, then moved a day later, then cancelled.
BOOKING_TITLE = "Strategy session"
BOOKING_MINUTES = 30
# deals: an opportunity won; at the deals template's 100 an hour, a 42.5 h project estimate.
DEAL_NAME = "Website redesign"
DEAL_VALUE = 4250
DEAL_HOURS = 42.5
DEAL_WON_STAGE = "Won"
DEAL_DONE_STAGE = "Delivered"
# budget-alerts: an estimate the hours logged so far (10 to 11 h) pass 80 % of, not 100 %.
BUDGET_ESTIMATE_HOURS = 12
BUDGET_TAG = "tt-budget-alert"
BUDGET_TASK = "80% of the budget used: Ada Lovelace"
# form-intake: what Ada answers on the location's intake form.
FORM_ANSWERS = {"goal": "A new website", "budget": "5000 USD", "start": "next month"}
FORM_TASK = "Intake: Ada Lovelace"
# ... and on the location's survey, afterwards: a second intake task, its own answers.
SURVEY_ANSWERS = {"score": "9", "would recommend": "yes"}


class NotSeen(Exception):
    """ghltt did not carry a change across within the step's time."""


@dataclass(frozen=True)
class Endpoints:
    """Where the scenario acts and looks: both simulators and ghltt itself."""

    ghl_url: str
    ghl_token: str
    location_id: str
    tt_url: str  # the simulator's root, e.g. http://127.0.0.1:8102
    tt_account_id: int
    tt_app_password: str
    ghltt_url: str
    ghltt_token: str
    bridge: str


@dataclass(frozen=True)
class Outcome:
    """One template's part of the scenario: what was done and what came out."""

    template: str
    did: str
    saw: str


@dataclass
class Facts:
    """Ids the scenario learnt on the way (the tests look at the records behind them)."""

    contact_id: str = ""
    customer_id: int = 0
    project_id: int = 0
    ghl_task_id: str = ""
    tt_task_id: int = 0
    note_id: str = ""
    note_task_id: int = 0
    appointment_id: str = ""
    appointment_entry_id: int = 0
    work_entry_id: int = 0
    follow_up_task_id: int = 0
    signup_user_id: int = 0
    signup_contact_id: str = ""
    # bookings and deals
    booking_id: str = ""
    booking_task_id: int = 0
    deal_id: str = ""
    deal_project_id: int = 0
    budget_task_id: str = ""
    budget_comment_id: str = ""
    submission_id: str = ""
    intake_task_id: int = 0
    survey_submission_id: str = ""
    survey_task_id: int = 0
    polls: list[str] = field(default_factory=list)


def wait_until(
    probe: Callable[[], T | None],
    what: str,
    timeout: float,
    *,
    first: float = 0.1,
    most: float = 1.0,
) -> T:
    """Poll ``probe`` until it gives something truthy; :class:`NotSeen` after ``timeout`` s.

    The pause grows from ``first`` to ``most`` seconds: a change ghltt carries in a fraction
    of a second is seen at once, and a slow one does not spend the request budget (GHL allows
    100 requests per 10 s per app and location)."""
    deadline = time.monotonic() + timeout
    pause = first
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise NotSeen(f"not seen within {timeout:.0f} s: {what}")
        time.sleep(pause)
        pause = min(most, pause * 1.5)


class Scenario:
    """The scripted scenario; :meth:`play` runs every step, or call the steps one by one."""

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        timeout: float = 30.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self.now = now
        self.facts = Facts()
        self._ghl_fields: dict[str, str] = {}
        ghl_headers = {"Authorization": f"Bearer {endpoints.ghl_token}", "Version": GHL_VERSION}
        self.ghl = httpx2.Client(base_url=endpoints.ghl_url, headers=ghl_headers, timeout=10)
        self.tt = httpx2.Client(
            base_url=f"{endpoints.tt_url}/api/v4/{endpoints.tt_account_id}",
            auth=("API_TOKEN", endpoints.tt_app_password),
            timeout=10,
        )
        self.tt_admin = httpx2.Client(base_url=endpoints.tt_url, timeout=10)
        self.ghltt = httpx2.Client(
            base_url=endpoints.ghltt_url,
            headers={"Authorization": f"Bearer {endpoints.ghltt_token}"},
            timeout=10,
        )

    def close(self) -> None:
        for client in (self.ghl, self.tt, self.tt_admin, self.ghltt):
            client.close()

    def __enter__(self) -> Scenario:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the whole scenario --------------------------------------------------------------------
    def steps(self) -> list[Callable[[], Outcome]]:
        """In order: later steps use what earlier ones made (the contact, its project)."""
        return [
            self.contact_created,
            self.contact_edited,
            self.task_created,
            self.task_renamed_in_trackingtime,
            self.task_completed,
            self.note_created,
            self.note_edited,
            self.note_deleted,
            self.appointment_taken_place,
            # bookings, deals
            self.appointment_booked,
            self.appointment_rescheduled,
            self.appointment_cancelled,
            self.deal_won,
            self.deal_project_closed_in_trackingtime,
            self.time_logged_in_trackingtime,
            self.budget_crossed_in_trackingtime,
            self.form_submitted_in_ghl,
            self.survey_submitted_in_ghl,
            self.project_closed_in_trackingtime,
            self.customer_edited_in_trackingtime,
            self.trackingtime_signup,
        ]

    def play(self, report: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        self.ready()
        outcomes = []
        for step in self.steps():
            outcome = step()
            outcomes.append(outcome)
            if report is not None:
                report(outcome)
        return outcomes

    def ready(self) -> None:
        """ghltt answers, its executor runs, and one poll has set the cursors that later polls
        compare with (a sign-up made before any poll would be part of its baseline)."""

        def up() -> bool:
            try:
                return self.ghltt.get("/readyz").status_code == 200
            except httpx2.HTTPError:
                return False

        # Ready once the executor child has started and sent its first heartbeat: seconds on a
        # laptop, more on a loaded machine, so this wait is longer than a step's.
        wait_until(up, "ghltt ready (GET /readyz)", max(self.timeout, 120.0))
        self.poll()

    # -- contacts, both ways -------------------------------------------------------------------
    def contact_created(self) -> Outcome:
        created = self._ghl(
            "POST", "/contacts/", json={"locationId": self.endpoints.location_id, **CONTACT}
        )
        contact_id = str(created["contact"]["id"])
        self.facts.contact_id = contact_id
        customer = self._wait(
            lambda: self.tt_customer_by_email(str(CONTACT["email"])), "the TT customer of Ada"
        )
        self.facts.customer_id = int(customer["id"])
        self._wait(
            lambda: self.ghl_custom_field(contact_id, "tt_customer_id") == str(customer["id"]),
            "the TT customer id written back on the GHL contact",
        )
        return Outcome(
            "contacts",
            f"created GHL contact {contact_id} ({CONTACT['email']})",
            f"TT customer {customer['id']} '{customer['name']}'; its id written back to the "
            "contact's tt_customer_id field",
        )

    def contact_edited(self) -> Outcome:
        self._ghl("PUT", f"/contacts/{self.facts.contact_id}", json={"phone": EDITED_PHONE})
        self._wait(
            lambda: self.tt_custom_field(self.facts.customer_id, "ghl_phone") == EDITED_PHONE_E164,
            "the edited phone on the TT customer",
        )
        return Outcome(
            "contacts",
            f"changed the contact's phone in GHL to '{EDITED_PHONE}'",
            f"TT customer {self.facts.customer_id}: ghl_phone {EDITED_PHONE_E164}",
        )

    def customer_edited_in_trackingtime(self) -> Outcome:
        """The client's new email and phone, entered in TrackingTime; the poll brings them to
        the GHL contact (TrackingTime has no customer webhook)."""
        customer = self.tt_customer(self.facts.customer_id)
        phone = next(f for f in customer["custom_fields"] if f["name"] == "ghl_phone")
        self._tt(
            f"customers/update/{self.facts.customer_id}",
            name=customer["name"],
            contact_email=TT_EDITED_EMAIL,
            custom_fields=json.dumps([{"id": phone["id"], "value": TT_EDITED_PHONE}]),
        )
        self.poll()

        def edited() -> bool:
            contact = self.ghl_contact(self.facts.contact_id)
            return (contact.get("email"), contact.get("phone")) == (
                TT_EDITED_EMAIL,
                TT_EDITED_PHONE,
            )

        self._wait(edited, "the TrackingTime edit on the GHL contact")
        return Outcome(
            "contacts",
            f"changed the customer's email and phone in TrackingTime to {TT_EDITED_EMAIL}, "
            f"{TT_EDITED_PHONE}",
            f"GHL contact {self.facts.contact_id}: the same email and phone",
        )

    # -- tasks, both ways ----------------------------------------------------------------------
    def task_created(self) -> Outcome:
        contact_id = self.facts.contact_id
        due = self.now() + timedelta(days=7)
        created = self._ghl(
            "POST",
            f"/contacts/{contact_id}/tasks",
            json={"title": TASK_TITLE, "dueDate": _iso(_at_15h(due)), "completed": False},
        )
        self.facts.ghl_task_id = str(created["task"]["id"])
        task = self._wait(
            lambda: self.tt_task_named(TASK_TITLE, self.facts.customer_id),
            "the TT task in the contact's project",
        )
        self.facts.tt_task_id, self.facts.project_id = int(task["id"]), int(task["project_id"])
        return Outcome(
            "tasks",
            f"created GHL task '{TASK_TITLE}' for the contact",
            f"TT task {task['id']} in project '{task['project']}', due {task['due_date']}",
        )

    def task_renamed_in_trackingtime(self) -> Outcome:
        self._tt(f"tasks/update/{self.facts.tt_task_id}", name=TT_TASK_TITLE)
        self._wait(
            lambda: (
                self.ghl_task(self.facts.contact_id, self.facts.ghl_task_id).get("title")
                == TT_TASK_TITLE
            ),
            "the TrackingTime rename on the GHL task",
        )
        return Outcome(
            "tasks",
            f"renamed the TT task to '{TT_TASK_TITLE}' in TrackingTime",
            f"GHL task {self.facts.ghl_task_id}: title '{TT_TASK_TITLE}'",
        )

    def task_completed(self) -> Outcome:
        self._ghl(
            "PUT",
            f"/contacts/{self.facts.contact_id}/tasks/{self.facts.ghl_task_id}/completed",
            json={"completed": True},
        )
        self._wait(
            lambda: self.tt_task(self.facts.tt_task_id).get("is_archived") is True,
            "the TT task closed",
        )
        return Outcome(
            "tasks",
            "completed the task in GHL",
            f"TT task {self.facts.tt_task_id} closed",
        )

    # -- notes, GHL -> TT ----------------------------------------------------------------------
    def note_created(self) -> Outcome:
        contact_id = self.facts.contact_id
        note = self._ghl("POST", f"/contacts/{contact_id}/notes", json={"body": NOTE_BODY})
        self.facts.note_id = str(note["note"]["id"])
        task = self._wait(lambda: self.tt_note_task(self.facts.note_id), "the note's TT task")
        self.facts.note_task_id = int(task["id"])
        return Outcome(
            "notes",
            "added a note to the contact",
            f"TT task {task['id']} '{task['name']}' in '{task['project']}'",
        )

    def note_edited(self) -> Outcome:
        path = f"/contacts/{self.facts.contact_id}/notes/{self.facts.note_id}"
        self._ghl("PUT", path, json={"body": EDITED_NOTE_BODY})
        task = self._wait(
            lambda: _if(self.tt_task(self.facts.note_task_id), "description", EDITED_NOTE_BODY),
            "the note's edit on its TT task",
        )
        return Outcome("notes", "edited the note", f"TT task {task['id']} now '{task['name']}'")

    def note_deleted(self) -> Outcome:
        self._ghl("DELETE", f"/contacts/{self.facts.contact_id}/notes/{self.facts.note_id}")
        self._wait(lambda: not self.tt_task(self.facts.note_task_id), "the note's TT task deleted")
        return Outcome("notes", "deleted the note", f"TT task {self.facts.note_task_id} deleted")

    # -- appointments, GHL -> TT ---------------------------------------------------------------
    def appointment_taken_place(self) -> Outcome:
        location = self.endpoints.location_id
        calendars = self._ghl("GET", "/calendars/", params={"locationId": location})["calendars"]
        start = (self.now() - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(minutes=APPOINTMENT_MINUTES)
        created = self._ghl(
            "POST",
            "/calendars/events/appointments",
            json={
                "calendarId": calendars[0]["id"],
                "locationId": location,
                "contactId": self.facts.contact_id,
                "title": APPOINTMENT_TITLE,
                "appointmentStatus": "showed",
                "startTime": _iso(start),
                "endTime": _iso(end),
            },
        )
        appointment_id = str(created["id"])
        self.facts.appointment_id = appointment_id
        entry = self._wait(
            lambda: self.tt_entry_for_appointment(appointment_id), "the appointment's time entry"
        )
        self.facts.appointment_entry_id = int(entry["id"])
        return Outcome(
            "appointments",
            f"booked a {APPOINTMENT_MINUTES}-minute '{APPOINTMENT_TITLE}' yesterday (taken place)",
            f"TT time entry {entry['id']} of {entry['d']} s in '{entry['p']}': '{entry['n']}'",
        )

    # -- bookings, GHL -> TT -------------------------------------------------------------------
    def appointment_booked(self) -> Outcome:
        location = self.endpoints.location_id
        calendars = self._ghl("GET", "/calendars/", params={"locationId": location})["calendars"]
        start = _at_15h(self.now() + timedelta(days=2))
        created = self._ghl(
            "POST",
            "/calendars/events/appointments",
            json={
                "calendarId": calendars[0]["id"],
                "locationId": location,
                "contactId": self.facts.contact_id,
                "title": BOOKING_TITLE,
                "appointmentStatus": "confirmed",
                "startTime": _iso(start),
                "endTime": _iso(start + timedelta(minutes=BOOKING_MINUTES)),
            },
        )
        self.facts.booking_id = str(created["id"])
        task = self._wait(
            lambda: self.tt_booking_task(self.facts.booking_id), "the booking's TT task"
        )
        self.facts.booking_task_id = int(task["id"])
        return Outcome(
            "bookings",
            f"booked a {BOOKING_MINUTES}-minute '{BOOKING_TITLE}' in two days",
            f"TT task {task['id']} '{task['name']}' in '{task['project']}', due {task['due_date']}",
        )

    def appointment_rescheduled(self) -> Outcome:
        before = self.tt_task(self.facts.booking_task_id)["due_date"]
        booked = self._ghl("GET", f"/calendars/events/appointments/{self.facts.booking_id}")
        start = _instant(booked["event"]["startTime"]) + timedelta(days=1)
        self._ghl(
            "PUT",
            f"/calendars/events/appointments/{self.facts.booking_id}",
            json={
                "startTime": _iso(start),
                "endTime": _iso(start + timedelta(minutes=BOOKING_MINUTES)),
            },
        )
        after = (date.fromisoformat(before) + timedelta(days=1)).isoformat()
        self._wait(
            lambda: _if(self.tt_task(self.facts.booking_task_id), "due_date", after),
            "the booking's TT task due a day later",
        )
        return Outcome(
            "bookings",
            "moved the appointment a day later",
            f"TT task {self.facts.booking_task_id} due {after} (was {before})",
        )

    def appointment_cancelled(self) -> Outcome:
        self._ghl(
            "PUT",
            f"/calendars/events/appointments/{self.facts.booking_id}",
            json={"appointmentStatus": "cancelled"},
        )
        self._wait(
            lambda: self.tt_task(self.facts.booking_task_id).get("is_archived") is True,
            "the booking's TT task closed",
        )
        return Outcome(
            "bookings", "cancelled the appointment", f"TT task {self.facts.booking_task_id} closed"
        )

    # -- deals, GHL -> TT and back -------------------------------------------------------------
    def deal_won(self) -> Outcome:
        pipeline = self.ghl_sales_pipeline()
        stages = {s["name"]: s["id"] for s in pipeline["stages"]}
        created = self._ghl(
            "POST",
            "/opportunities/",
            json={
                "locationId": self.endpoints.location_id,
                "contactId": self.facts.contact_id,
                "pipelineId": pipeline["id"],
                "pipelineStageId": stages["Proposal sent"],
                "name": DEAL_NAME,
                "status": "open",
                "monetaryValue": DEAL_VALUE,
            },
        )
        deal_id = str(created["opportunity"]["id"])
        self.facts.deal_id = deal_id
        self._ghl(
            "PUT", f"/opportunities/{deal_id}", json={"pipelineStageId": stages[DEAL_WON_STAGE]}
        )
        project = self._wait(lambda: self.tt_deal_project(deal_id), "the deal's TT project")
        self.facts.deal_project_id = int(project["id"])
        return Outcome(
            "deals",
            f"moved the opportunity '{DEAL_NAME}' ({DEAL_VALUE}) to '{DEAL_WON_STAGE}' in GHL",
            f"TT project {project['id']} '{project['name']}' for the customer, "
            f"estimated {project['estimated_time']} h",
        )

    def deal_project_closed_in_trackingtime(self) -> Outcome:
        self._tt(f"projects/close/{self.facts.deal_project_id}")
        stages = {s["name"]: s["id"] for s in self.ghl_sales_pipeline()["stages"]}

        def delivered() -> bool:
            deal = self.ghl_opportunity(self.facts.deal_id)
            return bool(deal.get("pipelineStageId") == stages[DEAL_DONE_STAGE])

        self._wait(delivered, f"the opportunity moved to '{DEAL_DONE_STAGE}'")
        return Outcome(
            "deals",
            f"closed the project '{DEAL_NAME}' in TrackingTime",
            f"GHL opportunity {self.facts.deal_id} moved to '{DEAL_DONE_STAGE}'",
        )

    # -- activity-tags and hours, TT -> GHL ----------------------------------------------------
    def time_logged_in_trackingtime(self) -> Outcome:
        end = (self.now() - timedelta(hours=1)).replace(microsecond=0)
        start = end - timedelta(hours=WORK_HOURS)
        entry = self._tt(
            "events/add",
            project_id=self.facts.project_id,
            start=_tt_time(start),
            end=_tt_time(end),
            timezone="UTC",
            notes=WORK_NOTES,
        )
        self.facts.work_entry_id = int(entry["id"])
        contact_id = self.facts.contact_id

        def hours_on_contact() -> bool:
            customer = self.tt_customer(self.facts.customer_id)
            total = self.ghl_custom_field(contact_id, "tt_hours_total")
            return total is not None and _same_number(total, customer["worked_hours"])

        self._wait(
            lambda: {"tt-active", "tt-10h"} <= set(self.ghl_contact(contact_id).get("tags", [])),
            "the activity tags on the GHL contact",
        )
        self._wait(hours_on_contact, "the TT hours on the GHL contact")
        customer = self.tt_customer(self.facts.customer_id)
        return Outcome(
            "activity-tags, hours",
            f"logged {WORK_HOURS} h in TrackingTime on the customer's project",
            f"GHL contact tagged tt-active and tt-10h; its tt_hours_total field says "
            f"{customer['worked_hours']} h (this month {customer['worked_hours_this_month']} h)",
        )

    # -- budget-alerts, TT -> GHL ------------------------------------------------------------
    def budget_crossed_in_trackingtime(self) -> Outcome:
        """The contact is given to a user in GHL; then the project gets an estimate its hours
        are already past 80 % of (TrackingTime's project.updated webhook carries it)."""
        location = self.endpoints.location_id
        users = self._ghl("GET", "/users/", params={"locationId": location})["users"]
        user_id = str(users[0]["id"])
        contact_id = self.facts.contact_id
        self._ghl("PUT", f"/contacts/{contact_id}", json={"assignedTo": user_id})
        self._tt(f"projects/update/{self.facts.project_id}", estimated_time=BUDGET_ESTIMATE_HOURS)
        task = self._wait(
            lambda: self.ghl_task_titled(contact_id, BUDGET_TASK), "the budget alert's GHL task"
        )
        self.facts.budget_task_id = str(task["id"])
        self._wait(
            lambda: BUDGET_TAG in self.ghl_contact(contact_id).get("tags", []),
            "the budget alert's tag on the contact",
        )
        comment = self._wait(
            lambda: next(
                (m for m in self.ghl_internal_comments(contact_id) if "80%" in m["body"]), None
            ),
            "the budget alert's internal comment",
        )
        self.facts.budget_comment_id = str(comment["id"])
        return Outcome(
            "budget-alerts",
            f"assigned the contact to GHL user {user_id}; gave the project an estimate of "
            f"{BUDGET_ESTIMATE_HOURS} h in TrackingTime",
            f"GHL task '{task['title']}' for user {task.get('assignedTo')}, tag {BUDGET_TAG}, "
            "and an internal comment on the contact's conversation",
        )

    # -- form-intake, GHL -> TT --------------------------------------------------------------
    def form_submitted_in_ghl(self) -> Outcome:
        """Ada fills in the location's intake form. People do that on GHL's form page, not
        through the API: the simulator's admin endpoint stands in for it. GHL pushes no event
        for a submission, so ghltt's poll finds it."""
        location = self.endpoints.location_id
        form = self._ghl("GET", "/forms/", params={"locationId": location})["forms"][0]
        answer = self.ghl.post(
            "/_admin/submissions",
            json={"formId": form["id"], "contactId": self.facts.contact_id, "others": FORM_ANSWERS},
        )
        answer.raise_for_status()
        self.facts.submission_id = str(answer.json()["id"])
        self.poll()
        task = self._wait(
            lambda: self.tt_task_named(FORM_TASK, self.facts.customer_id),
            "the submission's TT task",
        )
        self.facts.intake_task_id = int(task["id"])
        return Outcome(
            "form-intake",
            f"Ada filled in the GHL form '{form['name']}'",
            f"TT task {task['id']} '{task['name']}' in '{task['project']}', the answers as its "
            "description",
        )

    def survey_submitted_in_ghl(self) -> Outcome:
        """Ada answers the location's survey (on its public page, as for the form)."""
        location = self.endpoints.location_id
        survey = self._ghl("GET", "/surveys/", params={"locationId": location})["surveys"][0]
        answer = self.ghl.post(
            "/_admin/submissions",
            json={
                "surveyId": survey["id"],
                "contactId": self.facts.contact_id,
                "others": SURVEY_ANSWERS,
            },
        )
        answer.raise_for_status()
        submission = str(answer.json()["id"])
        self.facts.survey_submission_id = submission
        self.poll()
        task = self._wait(
            lambda: next(
                (
                    t
                    for t in self.tt_tasks()
                    if f"submission {submission}" in (t.get("description") or "")
                ),
                None,
            ),
            "the survey submission's TT task",
        )
        self.facts.survey_task_id = int(task["id"])
        return Outcome(
            "form-intake",
            f"Ada answered the GHL survey '{survey['name']}'",
            f"TT task {task['id']} '{task['name']}' in '{task['project']}', the answers as its "
            "description",
        )

    # -- milestones, TT -> GHL and TT ----------------------------------------------------------
    def project_closed_in_trackingtime(self) -> Outcome:
        # TrackingTime's project.closed webhook carries it: no poll needed.
        project = self._tt(f"projects/close/{self.facts.project_id}")
        name = str(project["name"])
        ghl_task = self._wait(
            lambda: self.ghl_task_titled(self.facts.contact_id, f"Project closed: {name}"),
            "the milestone's GHL task",
        )
        follow_up = self._wait(
            lambda: self.tt_task_named(f"Close-out review: {name}", self.facts.customer_id),
            "the milestone's TT follow-up task",
        )
        self.facts.follow_up_task_id = int(follow_up["id"])
        return Outcome(
            "milestones",
            f"closed the project '{name}' in TrackingTime",
            f"GHL task '{ghl_task['title']}' for the contact; TT task '{follow_up['name']}'",
        )

    # -- signup, TT -> GHL ---------------------------------------------------------------------
    def trackingtime_signup(self) -> Outcome:
        # People sign up in TrackingTime's app, not through its API: the simulator's admin
        # endpoint stands in for that screen.
        answer = self.tt_admin.post("/_admin/signups", json=SIGNUP)
        answer.raise_for_status()
        user_id = int(answer.json()["user_id"])
        self.facts.signup_user_id = user_id
        # Before ghltt sees the new user, a manager gives them a task and they log some time.
        due = (self.now() + timedelta(days=3)).date().isoformat()
        self._tt(
            "tasks/add",
            name=SIGNUP_TASK,
            project_name=SIGNUP_PROJECT,
            users=json.dumps([{"id": user_id}]),
            due_date=due,
        )
        end = (self.now() - timedelta(hours=2)).replace(microsecond=0)
        self._tt(
            "events/add",
            user_id=user_id,
            start=_tt_time(end - timedelta(minutes=30)),
            end=_tt_time(end),
            timezone="UTC",
            notes=SIGNUP_ENTRY_NOTES,
        )
        self.poll()  # TrackingTime has no user webhook
        email = SIGNUP["email"]
        contact = self._wait(
            lambda: self.ghl_contact_by_email(email) or None, "the sign-up's GHL contact"
        )
        contact_id = str(contact["id"])
        self.facts.signup_contact_id = contact_id

        def copied() -> bool:
            tags = set(self.ghl_contact(contact_id).get("tags", []))
            tasks = [t["title"] for t in self.ghl_tasks(contact_id)]
            notes = [n["body"] for n in self.ghl_notes(contact_id)]
            return (
                set(SIGNUP_TAGS) <= tags
                and SIGNUP_TASK in tasks
                and any(b.startswith(SIGNUP_ENTRY_NOTES) for b in notes)
            )

        self._wait(copied, "the sign-up's tags, task and note in GHL")
        return Outcome(
            "signup",
            f"{email} signed up to TrackingTime, was given a task and logged time",
            f"GHL contact {contact_id} tagged {', '.join(SIGNUP_TAGS)} with the GHL task "
            f"'{SIGNUP_TASK}' and a note '{SIGNUP_ENTRY_NOTES} ...'",
        )

    # -- ghltt ---------------------------------------------------------------------------------
    def poll(self) -> str:
        """Ask ghltt to poll both sides now and wait until that poll has run."""
        key = f"scenario-poll-{uuid.uuid4().hex[:12]}"
        answer = self.ghltt.post(
            "/api/events",
            json={
                "bridge": self.endpoints.bridge,
                "source": "schedule",
                "kind": RECONCILE_KIND,
                "dedup_key": key,
            },
        )
        answer.raise_for_status()
        event_id = str(answer.json()["accepted"][0]["event_id"])
        self.facts.polls.append(event_id)

        def done() -> bool:
            runs = self.ghltt.get("/api/runs", params={"limit": 500}).json()
            mine = [r for r in runs if r["event_id"] == event_id]
            if any(r["status"] == "failed" for r in mine):
                raise NotSeen(f"the poll {event_id} failed: {mine[0].get('error')}")
            return any(r["status"] == "succeeded" for r in mine)

        self._wait(done, f"the poll {event_id} run by ghltt")
        return event_id

    # -- reading the GHL side ------------------------------------------------------------------
    def ghl_contact(self, contact_id: str) -> dict[str, Any]:
        return dict(self._ghl("GET", f"/contacts/{contact_id}")["contact"])

    def ghl_contact_by_email(self, email: str) -> dict[str, Any] | None:
        found = self._ghl(
            "GET",
            "/contacts/search/duplicate",
            params={"locationId": self.endpoints.location_id, "email": email},
        ).get("contact")
        return dict(found) if found else None

    def ghl_field_id(self, key: str) -> str | None:
        """The id of the location's contact custom field with that key (``tt_hours_total``)."""
        if not self._ghl_fields:
            fields = self._ghl("GET", f"/locations/{self.endpoints.location_id}/customFields")
            self._ghl_fields = {
                str(f.get("fieldKey", "")).removeprefix("contact."): str(f["id"])
                for f in fields.get("customFields", [])
            }
        return self._ghl_fields.get(key)

    def ghl_custom_field(self, contact_id: str, key: str) -> Any:
        field_id = self.ghl_field_id(key)
        values = self.ghl_contact(contact_id).get("customFields", [])
        return next((v.get("value") for v in values if v.get("id") == field_id), None)

    def ghl_tasks(self, contact_id: str) -> list[dict[str, Any]]:
        return list(self._ghl("GET", f"/contacts/{contact_id}/tasks")["tasks"])

    def ghl_task(self, contact_id: str, task_id: str) -> dict[str, Any]:
        return dict(self._ghl("GET", f"/contacts/{contact_id}/tasks/{task_id}")["task"])

    def ghl_task_titled(self, contact_id: str, title: str) -> dict[str, Any] | None:
        return next((t for t in self.ghl_tasks(contact_id) if t.get("title") == title), None)

    def ghl_notes(self, contact_id: str) -> list[dict[str, Any]]:
        return list(self._ghl("GET", f"/contacts/{contact_id}/notes")["notes"])

    def ghl_opportunity(self, opportunity_id: str) -> dict[str, Any]:
        return dict(self._ghl("GET", f"/opportunities/{opportunity_id}")["opportunity"])

    def ghl_sales_pipeline(self) -> dict[str, Any]:
        """The sample location's pipeline with the stages the deals template uses."""
        location = self.endpoints.location_id
        found = self._ghl("GET", "/opportunities/pipelines", params={"locationId": location})
        for pipeline in found["pipelines"]:
            names = {s.get("name") for s in pipeline.get("stages", [])}
            if {DEAL_WON_STAGE, DEAL_DONE_STAGE} <= names:
                return dict(pipeline)
        raise NotSeen(f"no pipeline with the stages {DEAL_WON_STAGE!r} and {DEAL_DONE_STAGE!r}")

    def ghl_internal_comments(self, contact_id: str) -> list[dict[str, Any]]:
        """The internal comments on the contact's conversations, newest first."""
        version = {"Version": CONVERSATIONS_VERSION}
        found = self._ghl(
            "GET",
            "/conversations/search",
            params={"locationId": self.endpoints.location_id, "contactId": contact_id},
            headers=version,
        ).get("conversations", [])
        comments: list[dict[str, Any]] = []
        for conversation in found:
            path = f"/conversations/{conversation['id']}/messages"
            messages = self._ghl("GET", path, headers=version).get("messages", [])
            comments.extend(m for m in messages if "INTERNAL" in str(m.get("messageType")))
        return comments

    # -- reading the TrackingTime side ---------------------------------------------------------
    def tt_customer(self, customer_id: int) -> dict[str, Any]:
        return dict(self._tt(f"customers/{customer_id}", include_custom_fields="true"))

    def tt_customers(self) -> list[dict[str, Any]]:
        return list(self._tt("customers", filter="ALL"))

    def tt_customer_by_email(self, email: str) -> dict[str, Any] | None:
        for customer in self.tt_customers():
            if (customer.get("contact") or {}).get("email") == email:
                return dict(customer)
        return None

    def tt_custom_field(self, customer_id: int, name: str) -> Any:
        fields = self.tt_customer(customer_id).get("custom_fields") or []
        return next((f["value"] for f in fields if f["name"] == name), None)

    def tt_tasks(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for number in range(100):
            page = list(self._tt("tasks", filter="ALL", page=number, page_size=500))
            found.extend(page)
            if len(page) < 500:
                break
        return found

    def tt_task(self, task_id: int) -> dict[str, Any]:
        """The task, or ``{}`` when TrackingTime does not find it (deleted)."""
        answer = self.tt.get(f"tasks/{task_id}")
        answer.raise_for_status()
        body = answer.json()
        if body["response"]["status"] == 404:
            return {}
        return dict(_data(body, f"tasks/{task_id}"))

    def tt_task_named(self, name: str, customer_id: int) -> dict[str, Any] | None:
        return next(
            (t for t in self.tt_tasks() if t["name"] == name and t["customer_id"] == customer_id),
            None,
        )

    def tt_note_task(self, note_id: str) -> dict[str, Any] | None:
        return self._tt_marked_task("ghl_note_id", note_id)

    def tt_booking_task(self, appointment_id: str) -> dict[str, Any] | None:
        return self._tt_marked_task("ghl_appointment_id", appointment_id)

    def _tt_marked_task(self, key: str, value: str) -> dict[str, Any] | None:
        """The TT task a template marked as standing for a GHL record (its json names it)."""
        for task in self.tt_tasks():
            marker = task.get("json")
            if isinstance(marker, str):
                try:
                    marker = json.loads(marker)
                except ValueError:
                    continue
            if isinstance(marker, dict) and marker.get(key) == value:
                return task
        return None

    def tt_project(self, project_id: int) -> dict[str, Any]:
        return dict(self._tt(f"projects/{project_id}", include_custom_fields="true"))

    def tt_projects(self) -> list[dict[str, Any]]:
        return list(self._tt("projects", filter="ALL"))

    def tt_deal_project(self, opportunity_id: str) -> dict[str, Any] | None:
        """The TT project the deals template made for an opportunity (its third-party id)."""
        for summary in self.tt_projects():
            if summary.get("name") != DEAL_NAME:
                continue
            project = self.tt_project(int(summary["id"]))
            fields = {f.get("slug"): f.get("value") for f in project.get("custom_fields") or []}
            if fields.get("PROJECT_THIRD_PARTY_ID") == opportunity_id:
                return project
        return None

    def tt_entries(self, customer_id: int) -> list[dict[str, Any]]:
        today = self.now().date()
        return list(
            self._tt(
                "events",
                filter="CUSTOMER",
                id=customer_id,
                **{"from": (today - timedelta(days=7)).isoformat()},
                to=(today + timedelta(days=1)).isoformat(),
            )
        )

    def tt_entry(self, entry_id: int) -> dict[str, Any]:
        return dict(self._tt(f"events/{entry_id}", include_custom_fields="true"))

    def tt_entry_for_appointment(self, appointment_id: str) -> dict[str, Any] | None:
        return next(
            (
                e
                for e in self.tt_entries(self.facts.customer_id)
                if f"(GHL appointment {appointment_id})" in (e.get("n") or "")
            ),
            None,
        )

    # -- plumbing ------------------------------------------------------------------------------
    def _wait(self, probe: Callable[[], T | None], what: str) -> T:
        return wait_until(probe, what, self.timeout)

    def _ghl(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = self.ghl.request(method, path, **kwargs)
        for _ in range(20):  # over the location's budget: wait as GHL says, then again
            if answer.status_code != 429:
                break
            time.sleep(min(2.0, float(answer.headers.get("Retry-After") or 1)))
            answer = self.ghl.request(method, path, **kwargs)
        if answer.status_code >= 400:
            raise NotSeen(f"GHL {method} {path} answered {answer.status_code}: {answer.text}")
        body = answer.json()
        return body if isinstance(body, dict) else {}

    def _tt(self, path: str, **params: Any) -> Any:
        """One TrackingTime call; its parameters go in the form body (TT takes either)."""
        answer = self.tt.post(path, data={k: str(v) for k, v in params.items()})
        answer.raise_for_status()
        return _data(answer.json(), path)


def _data(body: dict[str, Any], path: str) -> Any:
    status = body.get("response", {}).get("status")
    if status != 200:
        raise NotSeen(f"TrackingTime {path} answered {status}: {body.get('response')}")
    return body.get("data")


def _if(record: dict[str, Any], key: str, value: Any) -> dict[str, Any] | None:
    return record if record.get(key) == value else None


def _at_15h(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(hour=15, minute=0, second=0, microsecond=0)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _tt_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _same_number(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - round(float(b), 2)) < 0.005
    except (TypeError, ValueError):
        return False
