"""The GHL triggers: one per webhook event GHL documents (``connectors/ghl/events.py``). A
trigger is named as recipes name events (``ghl.<kind>``), gives the payload's JSON Schema and an
example, and says how it is detected: by webhook, verified and deduplicated at ``/webhooks``
(the reconcile poll catches what a missed delivery leaves behind for contacts, tasks, notes and
appointments)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ghltt.connectors.ghl.events import webhook_events

__all__ = ["GHL_TRIGGERS", "TriggerDef"]

Detection = Literal["webhook", "poll", "schedule"]


@dataclass(frozen=True)
class TriggerDef:
    """One trigger: the event kind a recipe names in ``trigger.events`` and what it carries."""

    name: str  # ``<source>.<kind>``: what a recipe's ``trigger.events`` lists
    kind: str
    detection: Detection
    summary: str
    payload_schema: Mapping[str, Any]
    example: Mapping[str, Any]
    source_type: str  # the remote's own name for the event (GHL's payload ``type``)

    @property
    def system(self) -> str:
        return self.name.split(".", 1)[0]


GHL_TRIGGERS: tuple[TriggerDef, ...] = tuple(
    TriggerDef(
        f"ghl.{spec.kind}",
        spec.kind,
        "webhook",
        spec.summary,
        spec.schema,
        spec.example,
        spec.type,
    )
    for spec in sorted(webhook_events().values(), key=lambda e: e.kind)
)
