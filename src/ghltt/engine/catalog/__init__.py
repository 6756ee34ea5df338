"""The catalog: actions generated from the connectors' operation declarations plus ghltt's own
steps, and the triggers recipes start on. See ``actions.py``, ``triggers.py`` and
docs/engine.md; ``describe.py`` is what users read of it."""

from ghltt.engine.catalog.actions import (
    ACTIONS,
    GENERATED,
    action_catalog,
    call_action,
    register_action,
)
from ghltt.engine.catalog.records import as_record, ghl_record, tt_record
from ghltt.engine.catalog.spec import ActionDef, Call, TriggerDef
from ghltt.engine.catalog.triggers import TRIGGERS

__all__ = [
    "ACTIONS",
    "GENERATED",
    "TRIGGERS",
    "ActionDef",
    "Call",
    "TriggerDef",
    "action_catalog",
    "as_record",
    "call_action",
    "ghl_record",
    "register_action",
    "tt_record",
]
