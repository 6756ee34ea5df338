"""GHL workflow webhooks: each workflow trigger arrives as the event kind recipes listen to;
refused webhooks are logged with their reason and bridge, a line a minute at most."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx2
import pytest

from ghltt.connectors.ghl import WORKFLOW_TRIGGERS
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.web.hooks import hook_state
from tests.support.server import serve_asgi
from tests.web import test_hooks as shared
from tests.web.test_hooks import LOCATION, Hooks

hooks = shared.hooks  # the fixture: a served app with bridge b1 ("acme")


def standard_data(**extra: Any) -> dict[str, Any]:
    """What a workflow's Webhook action posts: the contact at the top, then the rest."""
    return {
        "contact_id": "c9",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "full_name": "Ada Lovelace",
        "email": "ada@example.com",
        "tags": "vip,lead",
        "contact_type": "lead",
        "location": {"id": LOCATION, "name": "Acme"},
        "workflow": {"id": "wf-1", "name": "ghltt"},
        "triggerData": {},
        **extra,
    }


def _path(hooks: Hooks) -> str:
    url = hooks.services.bridges.intake_urls("acme")["ghl_workflow_webhook"]
    return "/" + url.split("/", 3)[3]


def _events(hooks: Hooks) -> list[tuple[str, str | None, str | None, dict[str, Any]]]:
    with hooks.db.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT kind, object_type, object_id, payload FROM inbox_events ORDER BY kind"
        )
        return [
            (r[0], r[1], r[2], json.loads(r[3]) if isinstance(r[3], str) else r[3]) for r in rows
        ]


@pytest.mark.parametrize(
    ("custom", "extra", "kind", "object_type", "object_id"),
    [
        ({"ghltt_event": "contact.created"}, {}, "contact.created", "contact", "c9"),
        ({"ghltt_event": "contact.updated"}, {}, "contact.updated", "contact", "c9"),
        ({"ghltt_event": "contact.tags_updated"}, {}, "contact.tags_updated", "contact", "c9"),
        ({"ghltt_event": "task.created", "ghltt_id": "t1"}, {}, "task.created", "task", "t1"),
        (
            {"ghltt_event": "task.completed", "ghltt_id": "t1"},
            {},
            "task.completed",
            "task",
            "t1",
        ),
        ({"ghltt_event": "note.created", "ghltt_id": "n1"}, {}, "note.created", "note", "n1"),
        (
            {"ghltt_event": "appointment.created"},
            {"calendar": {"id": "cal1", "appointmentId": "a1", "status": "booked"}},
            "appointment.created",
            "appointment",
            "a1",
        ),
        (
            {"ghltt_event": "appointment.updated"},
            {"calendar": {"id": "cal1", "appointmentId": "a1", "appoinmentStatus": "showed"}},
            "appointment.updated",
            "appointment",
            "a1",
        ),
        (
            {"ghltt_event": "opportunity.stage_updated"},
            {"id": "o1", "pipeline_id": "p1", "pipleline_stage": "Won"},
            "opportunity.stage_updated",
            "opportunity",
            "o1",
        ),
        # No ghltt_event: inferred from what the trigger put in the standard data.
        ({}, {}, "contact.updated", "contact", "c9"),
        (
            {},
            {"calendar": {"id": "cal1", "appointmentId": "a2"}},
            "appointment.updated",
            "appointment",
            "a2",
        ),
        ({}, {"id": "o2", "pipeline_id": "p1"}, "opportunity.stage_updated", "opportunity", "o2"),
    ],
)
def test_each_workflow_trigger_arrives_as_its_event_kind(
    hooks: Hooks,
    custom: dict[str, str],
    extra: dict[str, Any],
    kind: str,
    object_type: str,
    object_id: str,
) -> None:
    body = standard_data(customData=custom, **extra)
    response = hooks.client.post(_path(hooks), json=body)
    assert response.status_code == 200, response.text
    [(stored_kind, stored_type, stored_id, payload)] = _events(hooks)
    assert (stored_kind, stored_type, stored_id) == (kind, object_type, object_id)
    # The keys runs read, in the Marketplace webhooks' spelling, next to what GHL sent.
    assert payload["contactId"] == "c9" and payload["locationId"] == LOCATION
    assert payload["customData"] == custom


@pytest.mark.parametrize(
    ("custom", "extra", "where"),
    [
        ({"ghltt_event": "contactcreated"}, {}, "customData.ghltt_event"),
        ({"ghltt_event": "contact.exploded"}, {}, "customData.ghltt_event"),
        ({"ghltt_event": 7}, {}, "customData.ghltt_event"),
        ({"ghltt_event": "task.created"}, {}, "customData.ghltt_id"),
        ({"ghltt_event": "task.created", "ghltt_id": "{{task.id}}"}, {}, "customData.ghltt_id"),
        ({"ghltt_event": "note.created", "ghltt_id": "n1"}, {"contact_id": None}, "contact_id"),
    ],
)
def test_a_workflow_webhook_of_an_unknown_or_incomplete_kind_is_refused(
    hooks: Hooks, custom: dict[str, Any], extra: dict[str, Any], where: str
) -> None:
    response = hooks.client.post(_path(hooks), json=standard_data(customData=custom, **extra))
    assert response.status_code == 400, response.text
    assert where in response.text
    assert _events(hooks) == []


def test_a_body_that_is_not_a_json_object_is_refused(hooks: Hooks) -> None:
    response = hooks.client.post(
        _path(hooks), content=b"[1, 2]", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "body" in response.text


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_refused_webhooks_are_logged_with_reason_and_bridge_a_line_a_minute(
    hooks: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    hook_state(hooks.app).refusals.clock = clock
    caplog.set_level(logging.WARNING, logger="ghltt.web.hooks")
    secret = _path(hooks).split("secret=")[1]
    wrong = _path(hooks).split("?")[0] + "?secret=not-the-secret"
    for _ in range(5):
        assert hooks.client.post(wrong, json=standard_data()).status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "ghltt.web.hooks"]
    assert len(lines) == 1
    assert "bad_secret" in lines[0] and "b1" in lines[0]
    # Another reason or another bridge is a line of its own.
    hooks.client.post("/hooks/tt/nope", content=b"{}", headers={"content-type": "application/json"})
    bad = standard_data(customData={"ghltt_event": "nope"})
    assert hooks.client.post(_path(hooks), json=bad).status_code == 400
    lines = [r.getMessage() for r in caplog.records if r.name == "ghltt.web.hooks"]
    assert len(lines) == 3
    assert "unknown_bridge" in lines[1] and "malformed" in lines[2] and "b1" in lines[2]
    # A minute later the next refusal is written, with how many were left out meanwhile.
    clock.now += 61
    hooks.client.post(wrong, json=standard_data())
    lines = [r.getMessage() for r in caplog.records if r.name == "ghltt.web.hooks"]
    assert len(lines) == 4
    assert "bad_secret" in lines[3] and "4 more" in lines[3]
    # Never the secret nor the body.
    text = "\n".join(lines)
    assert secret not in text and "not-the-secret" not in text and "ada@example.com" not in text


def test_the_ghl_simulators_workflows_post_each_trigger_through_the_real_path(
    hooks: Hooks,
) -> None:
    """Workflows published in the simulator post their standard data, unsigned, to the
    bridge's workflow URL; each arrives as the kind its custom data names, about its record."""
    sim = GhlSimulator(GhlSimulatorConfig(rsa_key_size=2048))
    url = hooks.services.bridges.intake_urls("acme")["ghl_workflow_webhook"]
    url = str(hooks.client.base_url).rstrip("/") + "/" + url.split("/", 3)[3]
    for trigger in WORKFLOW_TRIGGERS:
        key = {
            "Contact Created": "contact_created",
            "Task Added": "task_added",
            "Task Completed": "task_completed",
            "Note Added": "note_added",
            "Customer Booked Appointment": "appointment_booked",
            "Pipeline Stage Changed": "pipeline_stage_changed",
        }.get(trigger.trigger)
        if key is not None:
            custom = {"ghltt_event": trigger.kind}
            if trigger.id_field:
                custom["ghltt_id"] = trigger.id_field
            sim.add_workflow(key, url, custom_data=custom, name=f"ghltt: {trigger.trigger}")
    headers = {"Authorization": f"Bearer {sim.sample_token}", "Version": "2021-07-28"}
    location = sim.sample_location_id
    with serve_asgi(sim.app) as base, httpx2.Client(base_url=base, headers=headers) as api:
        made = api.post("/contacts/", json={"locationId": location, "email": "hedy@example.com"})
        contact = made.json()["contact"]["id"]
        task = api.post(
            f"/contacts/{contact}/tasks",
            json={"title": "Call", "dueDate": "2026-12-24T10:00:00Z", "completed": False},
        ).json()["task"]["id"]
        api.put(f"/contacts/{contact}/tasks/{task}/completed", json={"completed": True})
        note = api.post(f"/contacts/{contact}/notes", json={"body": "Met"}).json()["note"]["id"]
        calendar = next(iter(sim.state.calendars))
        appointment = api.post(
            "/calendars/events/appointments",
            headers={"Version": "2021-04-15"},
            json={
                "calendarId": calendar,
                "locationId": location,
                "contactId": contact,
                "startTime": "2026-12-24T10:00:00+00:00",
                "endTime": "2026-12-24T11:00:00+00:00",
            },
        ).json()["id"]
        pipeline = next(iter(sim.state.tables["pipelines"].values()))
        deal = api.post(
            "/opportunities/",
            json={
                "locationId": location,
                "contactId": contact,
                "pipelineId": pipeline["id"],
                "name": "Website redesign",
                "status": "open",
            },
        ).json()["opportunity"]["id"]
        won = next(s for s in pipeline["stages"] if s["name"] == "Won")
        api.put(f"/opportunities/{deal}", json={"pipelineStageId": won["id"]})
        assert sim.wait_webhooks(10)
    deliveries = [d for d in sim.webhooks.deliveries if d["type"] is None]
    assert deliveries and all(d["status"] == 200 for d in deliveries), deliveries
    found = {(kind, object_id) for kind, _, object_id, _ in _events(hooks)}
    assert found == {
        ("contact.created", contact),
        ("task.created", task),
        ("task.completed", task),
        ("note.created", note),
        ("appointment.created", appointment),
        ("opportunity.stage_updated", deal),  # what the deals template listens to
    }
    payloads = {kind: payload for kind, _, _, payload in _events(hooks)}
    assert payloads["task.created"]["contactId"] == contact
    assert payloads["appointment.created"]["calendar"]["appointmentId"] == appointment
    assert payloads["contact.created"]["email"] == "hedy@example.com"
    stage = payloads["opportunity.stage_updated"]
    assert (stage["pipeline_id"], stage["pipleline_stage"]) == (pipeline["id"], "Won")
    assert stage["contactId"] == contact
