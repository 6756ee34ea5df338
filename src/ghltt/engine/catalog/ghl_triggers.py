"""The GHL triggers: one per webhook event GHL documents (``connectors/ghl/events.py``). A
trigger is named as recipes name events (``ghl.<kind>``), gives the payload's JSON Schema and an
example, and is detected by webhook, verified and deduplicated at ``/webhooks`` (the reconcile
poll catches what a missed delivery leaves behind for contacts, tasks, notes and
appointments), plus the submissions only the poll finds (``GHL_POLL_TRIGGERS``)."""

from __future__ import annotations

from typing import Any

from ghltt.connectors.ghl.events import webhook_events
from ghltt.connectors.ghl.operations.marketing import Submission
from ghltt.engine.catalog.schema import output_schema
from ghltt.engine.catalog.spec import TriggerDef

__all__ = ["GHL_EVENT_TYPES", "GHL_POLL_TRIGGERS", "GHL_TRIGGERS"]

_EVENTS = sorted(webhook_events().values(), key=lambda e: e.kind)


def _submission_schema() -> dict[str, Any]:
    """The submission as listed, with the ``locationId`` the poll adds."""
    schema = output_schema(Submission)
    return {**schema, "properties": {**schema["properties"], "locationId": {"type": "string"}}}


# GHL pushes nothing when a form or survey is filled in: the reconcile poll lists the
# submissions (``engine/reconcile/ghl_submissions.py``); the payload is the submission.
GHL_POLL_TRIGGERS: tuple[TriggerDef, ...] = tuple(
    TriggerDef(
        f"ghl.{kind}.submitted",
        f"A {kind} was filled in (found by the poll: GHL pushes no event).",
        ("poll",),
        _submission_schema(),
        example={"trigger": {"events": [f"ghl.{kind}.submitted"]}},
    )
    for kind in ("form", "survey")
)

GHL_TRIGGERS: tuple[TriggerDef, ...] = tuple(
    TriggerDef(f"ghl.{e.kind}", e.summary, ("webhook",), e.schema, e.example) for e in _EVENTS
)
# Each trigger's event as GHL names it (the payload's ``type``).
GHL_EVENT_TYPES: dict[str, str] = {f"ghl.{e.kind}": e.type for e in _EVENTS}
