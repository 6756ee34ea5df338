"""Workflows whose action is a Webhook: what a GHL workflow posts when its trigger fires.

A workflow here is a trigger (``TRIGGERS``: the app-webhook event types that fire it), a URL
and the Custom Data rows typed into the action, merge fields (``{{task.id}}``) and all. When
one of its event types is emitted, the workflow posts its standard data, unsigned: the
contact's fields at the top level (``contact_id``, ``first_name``, ``email``, ``tags`` as one
comma-separated string...), ``location``, ``workflow``, ``triggerData``, an appointment
trigger's ``calendar`` object (``appointmentId`` and GHL's spelling ``appoinmentStatus``), an
opportunity trigger's ``id``, ``pipeline_id``, ``pipeline_name``, ``pipleline_stage`` (GHL's
spelling: the stage's name), ``opportunity_name``, ``status`` and ``lead_value``, and
``customData`` with its merge fields rendered (an unknown one renders empty, as in GHL). Shapes
follow what public receivers of real deliveries read; see docs/ghl-workflows.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ghltt.sandbox.ghl.state import Record, SimState

# Trigger key → the app-webhook event types that fire it.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "contact_created": ("ContactCreate",),
    "contact_changed": ("ContactUpdate",),
    "contact_tag": ("ContactTagUpdate",),
    "task_added": ("TaskCreate",),
    "task_completed": ("TaskComplete",),
    "note_added": ("NoteCreate",),
    "note_changed": ("NoteUpdate",),
    "appointment_booked": ("AppointmentCreate",),
    "appointment_status": ("AppointmentUpdate",),
    "pipeline_stage_changed": ("OpportunityStageUpdate",),
}
_MERGE = re.compile(r"\{\{\s*(\w+)\.(\w+)\s*\}\}")


@dataclass(frozen=True)
class Workflow:
    id: str
    name: str
    trigger: str
    url: str
    custom_data: dict[str, str] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "trigger": self.trigger,
            "url": self.url,
            "customData": dict(self.custom_data),
        }


def check_trigger(trigger: str) -> None:
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}; one of: {', '.join(TRIGGERS)}")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _render(value: str, objects: dict[str, Record]) -> str:
    def one(match: re.Match[str]) -> str:
        record = objects.get(match.group(1)) or {}
        key = match.group(2)
        found = record.get(key)
        if found is None:  # merge fields are snake_case: {{contact.first_name}}
            found = next((v for k, v in record.items() if _snake(k) == key), None)
        return "" if found is None else str(found)

    return _MERGE.sub(one, value)


def standard_data(
    workflow: Workflow, event_type: str, fields: Record, state: SimState, location_id: str | None
) -> Record | None:
    """The body ``workflow`` posts for one emitted event; None when it names no contact."""
    appointment = fields.get("appointment") if isinstance(fields.get("appointment"), dict) else None
    objects: dict[str, Record] = {}
    if event_type.startswith("Contact"):
        contact_id = fields.get("id")
    elif appointment is not None:
        contact_id = appointment.get("contactId")
        objects["appointment"] = appointment
    elif event_type.startswith("Opportunity"):
        contact_id = fields.get("contactId")
        objects["opportunity"] = fields
    else:
        contact_id = fields.get("contactId")
        objects["task" if event_type.startswith("Task") else "note"] = fields
    contact = state.contacts.get(str(contact_id)) if contact_id else None
    if contact is None:
        return None
    objects["contact"] = contact
    location = state.locations.get(location_id or contact["locationId"])
    first, last = contact.get("firstName") or "", contact.get("lastName") or ""
    data: Record = {
        "contact_id": contact["id"],
        "first_name": first,
        "last_name": last,
        "full_name": " ".join(p for p in (first, last) if p),
        "email": contact.get("email") or "",
        "phone": contact.get("phone") or "",
        "tags": ",".join(contact.get("tags") or []),
        "country": contact.get("country") or "",
        "date_created": contact.get("dateAdded"),
        "contact_type": contact.get("type") or "lead",
        "location": {"id": location.id, "name": location.name} if location else {},
        "workflow": {"id": workflow.id, "name": workflow.name},
        "triggerData": {},
    }
    if appointment is not None:
        data["calendar"] = {
            "id": appointment.get("calendarId"),
            "appointmentId": appointment.get("id"),
            "startTime": appointment.get("startTime"),
            "endTime": appointment.get("endTime"),
            "status": appointment.get("appointmentStatus"),
            "appoinmentStatus": appointment.get("appointmentStatus"),  # GHL's spelling
            "title": appointment.get("title"),
        }
    if "opportunity" in objects:
        data.update(_opportunity_data(fields, state))
    data["customData"] = {k: _render(v, objects) for k, v in workflow.custom_data.items()}
    return data


def _opportunity_data(opportunity: Record, state: SimState) -> Record:
    pipeline = state.tables["pipelines"].get(str(opportunity.get("pipelineId"))) or {}
    stage_id = opportunity.get("pipelineStageId")
    stage: Record = next((s for s in pipeline.get("stages", []) if s.get("id") == stage_id), {})
    return {
        "id": opportunity.get("id"),
        "opportunity_name": opportunity.get("name") or "",
        "pipeline_id": opportunity.get("pipelineId"),
        "pipeline_name": pipeline.get("name") or "",
        "pipleline_stage": stage.get("name") or "",  # GHL's spelling
        "status": opportunity.get("status") or "",
        "lead_value": opportunity.get("monetaryValue"),
    }
