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
from typing import Any

from ghltt.engine.catalog.composed import COMPOSED
from ghltt.engine.catalog.generate import ghl, tt
from ghltt.engine.catalog.spec import ActionDef
from ghltt.engine.context import BridgeContext

__all__ = ["ACTIONS", "GENERATED", "action_catalog", "call_action", "register_action"]

# custom_fields=True: the body may carry ``custom:<key>`` fields. TT reads of the records a
# sync pairs ask for their custom fields: mappings read them.
_READ_CUSTOM = {"include_custom_fields": True}

GENERATED: tuple[ActionDef, ...] = (
    ghl("contacts.get"),
    ghl("contacts.upsert", "ghl.contact", custom_fields=True),
    ghl("contacts.update", "ghl.contact", custom_fields=True),
    ghl("contacts.delete"),
    ghl("tags.add"),
    ghl("tags.remove"),
    ghl("tasks.get"),
    ghl("tasks.create", "ghl.task"),
    ghl("tasks.update", "ghl.task", require=("title", "dueDate", "completed")),
    ghl("tasks.set_completed", "ghl.task"),
    ghl("tasks.delete"),
    ghl("notes.get"),
    ghl("notes.create", "ghl.note"),
    ghl("notes.update", "ghl.note"),
    ghl("notes.delete"),
    ghl("appointments.get"),
    ghl("appointments.create", "ghl.appointment", open_inputs=True),
    ghl("appointments.update", "ghl.appointment", open_inputs=True),
    ghl("appointments.delete"),
    tt("users.get"),
    tt("users.assigned_tasks"),
    tt("customers.get", params=_READ_CUSTOM),
    tt("customers.add", "tt.customer", open_inputs=True, custom_fields=True),
    tt("customers.update", "tt.customer", open_inputs=True, custom_fields=True),
    tt("customers.delete"),
    tt("customers.close"),
    tt("customers.open"),
    tt("projects.get", params=_READ_CUSTOM),
    tt("projects.close"),
    tt("projects.open"),
    tt("tasks.get", params=_READ_CUSTOM),
    tt("tasks.add", "tt.task", custom_fields=True),
    tt("tasks.update", "tt.task", open_inputs=True, custom_fields=True),
    tt("tasks.delete"),
    tt("tasks.close"),
    tt("tasks.open"),
    tt("events.get", params=_READ_CUSTOM),
    tt("events.list"),
    tt("events.delete"),
)

ACTIONS: dict[str, ActionDef] = {a.name: a for a in (*GENERATED, *COMPOSED)}


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
