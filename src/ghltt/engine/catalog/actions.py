"""The action catalog: each action name a recipe may use, its typed inputs and scopes, and the
call it makes. Sync runs and automation steps both call actions through here.

An action is ``<system>.<operation>``: one line exposes an operation the connector declares
(``connectors/ghl/catalog.py``, ``connectors/trackingtime/catalog.py``): GHL's below,
TrackingTime's in ``tt_actions.py``; the generic adapter (``generate.py``) builds the rest
from that declaration. ``composed.py`` holds what a declaration cannot express.

How each write stays idempotent: GHL contacts go through upsert; tags are set membership;
TT records carry a third-party id the sync looks up before adding; ``once`` keys guard
automation creates (tasks, notes) that have no natural key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ghltt.engine.catalog.composed import COMPOSED
from ghltt.engine.catalog.generate import ghl
from ghltt.engine.catalog.ghl_actions import GHL_ACTIONS
from ghltt.engine.catalog.schema import inputs_schema
from ghltt.engine.catalog.spec import ActionDef
from ghltt.engine.catalog.tt_actions import TT_ACTIONS
from ghltt.engine.context import BridgeContext
from ghltt.engine.objects import OBJECTS

__all__ = ["ACTIONS", "GENERATED", "action_catalog", "call_action", "register_action"]

GENERATED: tuple[ActionDef, ...] = (
    ghl("contacts.get"),
    ghl("contacts.upsert"),
    ghl("contacts.update"),
    ghl("contacts.delete"),
    ghl("tags.add"),
    ghl("tags.remove"),
    ghl("tasks.get"),
    ghl("tasks.create"),
    ghl("tasks.update", require=("title", "dueDate", "completed")),
    ghl("tasks.set_completed", "ghl.task"),
    ghl("tasks.delete"),
    ghl("notes.get"),
    ghl("notes.create"),
    ghl("notes.update"),
    ghl("notes.delete"),
    ghl("appointments.get"),
    ghl("appointments.create", open_inputs=True),
    ghl("appointments.update", open_inputs=True),
    ghl("appointments.delete"),
    # Setup: the fields recipes map (``ghltt bridges check --fix`` makes what is missing).
    ghl("location_custom_fields.list"),
    ghl("location_custom_fields.create"),
    *TT_ACTIONS,
)

# A create or update of a synced type writes that type's fields (and ``custom:<key>`` fields
# where it has custom fields): its object type says so, once, for every such action.
_WRITTEN_BY = {a: o for o in OBJECTS.values() for a in (o.create, o.update)}


def _typed(action: ActionDef) -> ActionDef:
    obj = _WRITTEN_BY.get(action.name)
    if obj is None:
        return action
    return replace(action, object_type=obj.type, custom_fields=obj.custom_fields)


def _described(action: ActionDef) -> ActionDef:
    """An action declared without an input schema (ghltt's own, a plugin's) gets one from its
    described inputs, so every entry has one."""
    if action.input_schema is not None:
        return action
    return replace(action, input_schema=inputs_schema(action.inputs))


ACTIONS: dict[str, ActionDef] = {
    a.name: _described(_typed(a)) for a in (*GENERATED, *GHL_ACTIONS, *COMPOSED)
}


def action_catalog() -> dict[str, ActionDef]:
    """The catalog in the shape the recipe loader takes (``ActionCatalog``)."""
    return dict(ACTIONS)


async def call_action(ctx: BridgeContext, name: str, inp: Mapping[str, Any]) -> Any:
    """Run one action; its input is copied (actions pop routing fields from it)."""
    return await ACTIONS[name].call(ctx, dict(inp))


def register_action(action: ActionDef) -> None:
    """Add an action to the catalog, for recipes to use: what a plugin module (the ``plugins``
    setting) does when it is imported, before any recipe is loaded."""
    ACTIONS[action.name] = _described(action)
