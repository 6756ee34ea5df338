"""``ghltt plan``, the API's plan and the dashboard's preview: the exact writes a recipe would
make for an event on a bridge, made by reading both accounts as a shadow run does, and writing
nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ghltt.bridges import Services
from ghltt.core import Event, utcnow
from ghltt.engine import sync
from ghltt.engine.context import open_bridge_context
from ghltt.engine.dispatch import run_recipe
from ghltt.engine.recipes import Recipe, SyncRecipe


async def preview(
    services: Services, bridge_id: str, recipe: Recipe, event: Event
) -> dict[str, Any]:
    """The run's report (``outcome``, ``reason``, ``writes``...) in shadow mode, with the
    bridge's parameters, whatever mode the bridge is in."""
    ctx = await open_bridge_context(services, bridge_id, now=utcnow())
    shadow = replace(ctx, mode="shadow")  # the report says what would be written
    event = event.model_copy(update={"bridge": bridge_id})
    try:
        if isinstance(recipe, SyncRecipe):
            report = (await sync.plan(recipe, event, shadow)).report
        else:
            report = await run_recipe(recipe, event, shadow)
    finally:
        await ctx.aclose()
    result: dict[str, Any] = report.as_dict()
    return result
