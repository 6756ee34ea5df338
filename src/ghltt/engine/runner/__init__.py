"""The runner: one run of one recipe for one event, converging state through the clients.

``run_recipe(recipe, event, ctx)`` dispatches on the recipe's kind; the context is
``ghltt.engine.context.BridgeContext`` (an opened bridge, repositories, time, run id).
The result is a JSON-serialisable ``RunReport``. See docs/engine.md.
"""

from ghltt.bridges import Transports
from ghltt.core import Event
from ghltt.engine import sync
from ghltt.engine.automation import run_automation
from ghltt.engine.catalog import ACTIONS, ActionDef, action_catalog, call_action
from ghltt.engine.context import BridgeContext, Repositories, open_bridge_context
from ghltt.engine.recipes import AutomationRecipe, Recipe
from ghltt.engine.report import RunReport, Write


async def run_recipe(recipe: Recipe, event: Event, ctx: BridgeContext) -> RunReport:
    if isinstance(recipe, AutomationRecipe):
        return await run_automation(recipe, event, ctx)
    return await sync.run_sync(recipe, event, ctx)


__all__ = [
    "ACTIONS",
    "ActionDef",
    "BridgeContext",
    "Repositories",
    "RunReport",
    "Transports",
    "Write",
    "action_catalog",
    "call_action",
    "open_bridge_context",
    "run_recipe",
]
