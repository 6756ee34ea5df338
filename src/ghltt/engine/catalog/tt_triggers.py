"""Every TrackingTime trigger: each webhook event TT sends, and what ghltt polls for where TT
sends none (users and customers have no webhook; a week's hours passing a threshold).

A trigger's name is the event kind a recipe's ``trigger.events`` lists. Webhook and poll
deliver the same payload (``engine/reconcile/events.py``): the kind under ``event``, the
account, and the record under ``data``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ghltt.connectors.trackingtime.models import Customer, Project, Task, TimeEntry, User
from ghltt.engine.catalog.generate import TT_API_VERSION
from ghltt.engine.catalog.schema import output_schema
from ghltt.engine.catalog.spec import Detection, TriggerDef

__all__ = ["TT_TRIGGERS"]

_GONE = {
    "type": "object",
    "properties": {"id": {"type": "integer"}},
    "required": ["id"],
    "additionalProperties": True,
}
_WEBHOOK: tuple[Detection, ...] = ("webhook",)
_BOTH: tuple[Detection, ...] = ("webhook", "poll")
_POLL: tuple[Detection, ...] = ("poll",)


def _payload(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "event": {"const": kind},
            "account_id": {"type": ["integer", "null"]},
            "webhook_id": {"type": ["integer", "null"]},
            "data": {k: v for k, v in record.items() if k != "$defs"},
        },
        "required": ["event", "data"],
        "additionalProperties": True,
    }
    if "$defs" in record:
        schema["$defs"] = record["$defs"]
    return schema


# What ``engine/reconcile/tt_timesheets.py`` reports when a week's total passes a threshold.
_CROSSING = {
    "type": "object",
    "properties": {
        "user_id": {"type": "integer"},
        "week_start": {"type": "string", "format": "date"},
        "threshold_hours": {"type": "number"},
        "previous_hours": {"type": "number"},
        "worked_hours": {"type": "number"},
    },
    "required": ["user_id", "week_start", "threshold_hours", "previous_hours", "worked_hours"],
}


def _trigger(
    kind: str,
    record: type[BaseModel] | dict[str, Any] | None,
    detection: tuple[Detection, ...],
    about: str,
) -> TriggerDef:
    if isinstance(record, dict):
        shape = record
    else:
        shape = output_schema(record) if record is not None else _GONE
    return TriggerDef(
        f"tt.{kind}",
        about,
        detection,
        _payload(kind, shape),
        example={"trigger": {"events": [f"tt.{kind}"]}},
        api_version=TT_API_VERSION,
    )


TT_TRIGGERS: tuple[TriggerDef, ...] = (
    _trigger("event.created", TimeEntry, _BOTH, "A time entry was logged or a timer started."),
    _trigger("event.updated", TimeEntry, _BOTH, "A time entry changed or its timer stopped."),
    _trigger("event.deleted", None, _WEBHOOK, "A time entry was deleted."),
    _trigger("task.created", Task, _BOTH, "A task was added."),
    _trigger("task.updated", Task, _BOTH, "A task changed."),
    _trigger("task.closed", Task, _WEBHOOK, "A task was closed (completed)."),
    _trigger("task.opened", Task, _WEBHOOK, "A closed task was reopened."),
    _trigger("task.deleted", None, _BOTH, "A task was deleted."),
    _trigger("project.created", Project, _BOTH, "A project was added."),
    _trigger("project.updated", Project, _BOTH, "A project changed."),
    _trigger("project.closed", Project, _WEBHOOK, "A project was archived (completed)."),
    _trigger("project.opened", Project, _WEBHOOK, "An archived project was reopened."),
    _trigger("project.deleted", None, _BOTH, "A project was deleted."),
    _trigger("user.created", User, _POLL, "A user joined the account (TT pushes no event)."),
    _trigger("user.updated", User, _POLL, "A user's name, email, role or status changed."),
    _trigger("user.deleted", None, _POLL, "A user left the account."),
    _trigger("customer.created", Customer, _POLL, "A customer was added (TT pushes no event)."),
    _trigger("customer.updated", Customer, _POLL, "A customer was edited or archived."),
    _trigger("customer.deleted", None, _POLL, "A customer was deleted."),
    _trigger(
        "timesheet.threshold_crossed",
        _CROSSING,
        _POLL,
        "A user's hours this week passed a threshold of the bridge (timesheet_thresholds_hours).",
    ),
)
