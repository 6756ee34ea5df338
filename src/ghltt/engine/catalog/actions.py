"""The action catalog: each action name a recipe may use, its typed inputs and scopes, and the
call it makes. Sync runs and automation steps both call actions through here.

An action is ``<system>.<operation>``: one line below exposes an operation the connector
declares (``connectors/ghl/catalog.py``, ``connectors/trackingtime/catalog.py``), and the
generic adapter (``generate.py``) builds the rest from that declaration. ``composed.py`` holds
the few actions a declaration cannot express.

How each write stays idempotent: GHL contacts go through upsert; tags are set membership;
TT records carry a third-party id the sync looks up before adding; ``once`` keys guard
automation creates (tasks, notes) that have no natural key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ghltt.engine.catalog.composed import COMPOSED
from ghltt.engine.catalog.generate import ghl, tt
from ghltt.engine.catalog.ghl_actions import GHL_ACTIONS
from ghltt.engine.catalog.spec import ActionDef
from ghltt.engine.context import BridgeContext
from ghltt.engine.objects import OBJECTS

__all__ = ["ACTIONS", "GENERATED", "action_catalog", "call_action", "register_action"]

# TT reads of the records a sync pairs ask for their custom fields: mappings read them.
_READ_CUSTOM = {"include_custom_fields": True}

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
    tt("users.get"),
    tt("users.add", open_inputs=True),
    tt("users.update", open_inputs=True),
    tt("users.close"),
    tt("users.open"),
    tt("users.assigned_tasks"),
    tt("customers.get", params=_READ_CUSTOM),
    tt("customers.add", open_inputs=True),
    tt("customers.update", open_inputs=True),
    tt("customers.delete"),
    tt("customers.close"),
    tt("customers.open"),
    tt("projects.get", params=_READ_CUSTOM),
    tt("projects.add", open_inputs=True),
    tt("projects.update", open_inputs=True),
    tt("projects.delete"),
    tt("projects.close"),
    tt("projects.open"),
    tt("tasks.get", params=_READ_CUSTOM),
    tt("tasks.add"),
    tt("tasks.update", open_inputs=True),
    tt("tasks.delete"),
    tt("tasks.close"),
    tt("tasks.open"),
    tt("events.get", params=_READ_CUSTOM),
    tt("events.list"),
    tt("events.delete"),
)

# A create or update of a synced type writes that type's fields (and ``custom:<key>`` fields
# where it has custom fields): its object type says so, once, for every such action.
_WRITTEN_BY = {a: o for o in OBJECTS.values() for a in (o.create, o.update)}


def _typed(action: ActionDef) -> ActionDef:
    obj = _WRITTEN_BY.get(action.name)
    if obj is None:
        return action
    return replace(action, object_type=obj.type, custom_fields=obj.custom_fields)


ACTIONS: dict[str, ActionDef] = {a.name: _typed(a) for a in (*GENERATED, *GHL_ACTIONS, *COMPOSED)}


def action_catalog() -> dict[str, ActionDef]:
    """The catalog in the shape the recipe loader takes (``ActionCatalog``)."""
    return dict(ACTIONS)


async def call_action(ctx: BridgeContext, name: str, inp: Mapping[str, Any]) -> Any:
    """Run one action; its input is copied (actions pop routing fields from it)."""
    return await ACTIONS[name].call(ctx, dict(inp))


def register_action(action: ActionDef) -> None:
    """Add an action to the catalog, for recipes to use: what a plugin module (the ``plugins``
    setting) does when it is imported, before any recipe is loaded."""
    ACTIONS[action.name] = action
