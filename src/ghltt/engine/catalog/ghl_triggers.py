"""The GHL triggers: one per webhook event GHL documents (``connectors/ghl/events.py``). A
trigger is named as recipes name events (``ghl.<kind>``), gives the payload's JSON Schema and an
example, and is detected by webhook, verified and deduplicated at ``/webhooks`` (the reconcile
poll catches what a missed delivery leaves behind for contacts, tasks, notes and
appointments)."""

from __future__ import annotations

from ghltt.connectors.ghl.events import webhook_events
from ghltt.engine.catalog.spec import TriggerDef

__all__ = ["GHL_EVENT_TYPES", "GHL_TRIGGERS"]

_EVENTS = sorted(webhook_events().values(), key=lambda e: e.kind)

GHL_TRIGGERS: tuple[TriggerDef, ...] = tuple(
    TriggerDef(f"ghl.{e.kind}", e.summary, ("webhook",), e.schema, e.example) for e in _EVENTS
)
# Each trigger's event as GHL names it (the payload's ``type``).
GHL_EVENT_TYPES: dict[str, str] = {f"ghl.{e.kind}": e.type for e in _EVENTS}
