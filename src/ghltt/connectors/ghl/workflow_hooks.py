"""GHL workflow webhooks (the "Webhook" action of a workflow) turned into ``ghltt.core.Event``.

A workflow's Webhook action posts the workflow's standard data, unsigned: the contact's fields
at the top level (``contact_id``, ``first_name``, ``email``, ``tags``...), ``location``,
``workflow`` ``{id, name}``, ``triggerData``, what the trigger adds (appointment triggers a
``calendar`` object with ``appointmentId``; opportunity triggers ``pipeline_id``,
``pipleline_stage`` and the opportunity's ``id``) and ``customData``, the key/value pairs the
user typed into the action. Nothing in the body names the trigger, so the user names the event
kind in the custom data (``ghltt_event``), and the record's id (``ghltt_id``) where the
trigger's data does not carry it. Without ``ghltt_event`` the kind is inferred from the shape.
The kinds are those of the Marketplace webhooks (``kind_for``), so recipes take both alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ghltt.core import Event, EventOrigin, EventSource, InvalidInput, dedup_key_for

__all__ = ["WORKFLOW_TRIGGERS", "WorkflowTrigger", "event_from_workflow", "workflow_kind"]

KIND_KEY = "ghltt_event"
ID_KEY = "ghltt_id"
_LEGACY_KIND_KEY = "event"  # the first releases read customData.event


@dataclass(frozen=True, slots=True)
class WorkflowTrigger:
    """One GHL workflow trigger ghltt takes: the event kind it stands for, the trigger's name
    in GHL's workflow builder, and the merge field that gives the record's id (None: the
    standard data carries it)."""

    kind: str
    trigger: str
    id_field: str | None = None


# The triggers the shipped templates need, in the order docs/ghl-workflows.md builds them.
WORKFLOW_TRIGGERS: tuple[WorkflowTrigger, ...] = (
    WorkflowTrigger("contact.created", "Contact Created"),
    WorkflowTrigger("contact.updated", "Contact Changed"),
    WorkflowTrigger("contact.tags_updated", "Contact Tag (added or removed)"),
    WorkflowTrigger("task.created", "Task Added", "{{task.id}}"),
    WorkflowTrigger("task.completed", "Task Completed", "{{task.id}}"),
    WorkflowTrigger("note.created", "Note Added", "{{note.id}}"),
    WorkflowTrigger("note.updated", "Note Changed", "{{note.id}}"),
    WorkflowTrigger("appointment.created", "Customer Booked Appointment"),
    WorkflowTrigger("appointment.updated", "Appointment Status"),
    WorkflowTrigger("opportunity.stage_updated", "Pipeline Stage Changed"),
)
_KINDS = {t.kind: t for t in WORKFLOW_TRIGGERS}
# Where the standard data carries a record's id, per object type, after customData.ghltt_id.
_ID_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "contact": (("contact_id",), ("contactId",), ("contact", "id"), ("id",)),
    "task": (("task", "id"), ("taskId",), ("task_id",)),
    "note": (("note", "id"), ("noteId",), ("note_id",)),
    "appointment": (("calendar", "appointmentId"), ("appointment", "id"), ("appointmentId",)),
    "opportunity": (("opportunity", "id"), ("opportunityId",), ("opportunity_id",), ("id",)),
}
_CONTACT_PATHS = (("contact_id",), ("contactId",), ("contact", "id"))


def _text(value: object) -> str | None:
    """A usable id: text or a number, not empty and not a merge field GHL left unrendered."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text[:100] if text and "{{" not in text else None


def _find(payload: Mapping[str, Any], paths: tuple[tuple[str, ...], ...]) -> str | None:
    for path in paths:
        node: Any = payload
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        found = _text(node)
        if found is not None:
            return found
    return None


def _custom(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    custom = payload.get("customData")
    if custom is None:
        return {}
    if not isinstance(custom, Mapping):
        raise InvalidInput("must be an object of key/value pairs", where="customData")
    return custom


def _inferred(payload: Mapping[str, Any]) -> str:
    """The kind when the workflow does not say: from what its trigger put in the data."""
    calendar = payload.get("calendar")
    if isinstance(calendar, Mapping) and calendar.get("appointmentId"):
        return "appointment.updated"  # booked or status changed: a run converges either way
    task = payload.get("task")
    if isinstance(task, Mapping):
        return "task.completed" if task.get("completed") is True else "task.created"
    if isinstance(payload.get("note"), Mapping):
        return "note.created"
    if any(k in payload for k in ("pipeline_id", "pipleline_stage", "pipeline_stage")):
        return "opportunity.stage_updated"
    return "contact.updated"


def workflow_kind(payload: Mapping[str, Any]) -> str:
    """The event kind a workflow webhook stands for: ``customData.ghltt_event``, else inferred.

    An unknown or malformed kind is refused (``InvalidInput`` naming the key), never guessed.
    """
    custom = _custom(payload)
    key = KIND_KEY if KIND_KEY in custom else _LEGACY_KIND_KEY
    given = custom.get(key)
    if given is None or (isinstance(given, str) and not given.strip()):
        return _inferred(payload)
    where = f"customData.{key}"
    if not isinstance(given, str):
        raise InvalidInput("must be text such as 'task.created'", where=where)
    kind = given.strip()
    if "." not in kind:
        raise InvalidInput(
            f"{kind[:60]!r} is not an event kind: write object.verb, e.g. 'task.created'",
            where=where,
        )
    if kind not in _KINDS:
        raise InvalidInput(
            f"{kind[:60]!r} is not a kind ghltt takes from a workflow; one of: "
            + ", ".join(_KINDS),
            where=where,
        )
    return kind


def event_from_workflow(payload: Mapping[str, Any], body: bytes, *, bridge: str) -> Event:
    """The ``Event`` for one workflow webhook (its record's id, and its contact's for the
    records GHL addresses under a contact); ``InvalidInput`` says what the workflow lacks."""
    kind = workflow_kind(payload)
    object_type = kind.split(".", 1)[0]
    custom = _custom(payload)
    object_id = _text(custom.get(ID_KEY)) or _find(payload, _ID_PATHS[object_type])
    if object_id is None:
        trigger = _KINDS[kind]
        merge = trigger.id_field or f"the {object_type}'s id"
        raise InvalidInput(
            f"a {kind} webhook must name the {object_type}: add {ID_KEY} = {merge} to the "
            "Webhook action's custom data",
            where=f"customData.{ID_KEY}",
        )
    contact_id = _find(payload, _CONTACT_PATHS)
    if object_type in ("task", "note") and contact_id is None:
        raise InvalidInput(
            f"a {kind} webhook must carry the contact's id (contact_id in the standard data)",
            where="contact_id",
        )
    normalised = dict(payload)
    # The keys the runs read, in the Marketplace webhooks' spelling.
    if contact_id is not None:
        normalised.setdefault("contactId", contact_id)
    location = payload.get("location")
    if isinstance(location, Mapping) and _text(location.get("id")):
        normalised.setdefault("locationId", _text(location.get("id")))
    return Event(
        bridge=bridge,
        source=EventSource.GHL,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        origin=EventOrigin.WEBHOOK,
        dedup_key=dedup_key_for("ghl-workflow", None, body),
        payload=normalised,
    )
