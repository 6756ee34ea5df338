"""The action catalog, generated from the connectors' operation declarations plus ghltt's own
steps. See ``actions.py`` and docs/engine.md."""

from ghltt.engine.catalog.actions import (
    ACTIONS,
    GENERATED,
    action_catalog,
    call_action,
    register_action,
)
from ghltt.engine.catalog.records import as_record, ghl_record, tt_record
from ghltt.engine.catalog.spec import ActionDef, Call

__all__ = [
    "ACTIONS",
    "GENERATED",
    "ActionDef",
    "Call",
    "action_catalog",
    "as_record",
    "call_action",
    "ghl_record",
    "register_action",
    "tt_record",
]
