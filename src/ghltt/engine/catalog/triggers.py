"""The trigger catalog: everything a recipe can start on, with its payload and how ghltt
detects it (webhook, poll, schedule). Each system's triggers live in their own module
(``ghl_triggers.py``, ``tt_triggers.py``); schedules are ghltt's own."""

from __future__ import annotations

from typing import Any

from ghltt.engine.catalog.ghl_triggers import GHL_POLL_TRIGGERS, GHL_TRIGGERS
from ghltt.engine.catalog.spec import TriggerDef
from ghltt.engine.catalog.tt_triggers import TT_TRIGGERS

__all__ = ["SCHEDULES", "TRIGGERS"]

# What a schedule's tick puts in the inbox (``jobs/schedules.py``), and what a tick fanned
# out per link or per record carries (``engine/dispatch.py``).
_TICK: dict[str, Any] = {
    "type": "object",
    "properties": {
        "schedule": {"type": "string"},
        "fired_at": {"type": "string", "format": "date-time"},
    },
    "required": ["schedule", "fired_at"],
    "additionalProperties": True,
}
_PER_RECORD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {
            "type": "object",
            "properties": {"project_id": {"type": "integer"}},
            "required": ["project_id"],
        }
    },
    "required": ["data"],
}
_PER_LINK: dict[str, Any] = {
    "type": "object",
    "properties": {"link": {"type": "object", "additionalProperties": True}},
    "required": ["link"],
}

SCHEDULES: tuple[TriggerDef, ...] = (
    TriggerDef(
        "schedule.cron",
        "Runs the recipe on a cron schedule, in a time zone.",
        ("schedule",),
        _TICK,
        example={"trigger": {"schedule": {"cron": "0 8 * * 1-5", "timezone": "Europe/Berlin"}}},
    ),
    TriggerDef(
        "schedule.per_record",
        "On each tick, one run per active record of a type (every open TT project).",
        ("schedule",),
        _PER_RECORD,
        example={"trigger": {"schedule": {"cron": "0 * * * *", "per_record": "tt.project"}}},
    ),
    TriggerDef(
        "schedule.per_link",
        "On each tick, one run per record pair a sync recipe has linked.",
        ("schedule",),
        _PER_LINK,
        example={"trigger": {"schedule": {"cron": "30 6 * * *", "per_link": "contacts"}}},
    ),
)

TRIGGERS: dict[str, TriggerDef] = {
    t.name: t for t in (*GHL_TRIGGERS, *GHL_POLL_TRIGGERS, *TT_TRIGGERS, *SCHEDULES)
}
