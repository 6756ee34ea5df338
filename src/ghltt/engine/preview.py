"""What a recipe would write for an event, read from both accounts as a shadow run reads
them, and written nowhere: ``ghltt plan`` and the dashboard's plan preview."""

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
    """The run report of ``recipe`` for ``event`` in shadow mode (its planned writes)."""
    ctx = await open_bridge_context(services, bridge_id, now=utcnow())
    shadow = replace(ctx, mode="shadow")  # the report says what would be written
    try:
        if isinstance(recipe, SyncRecipe):
            report = (await sync.plan(recipe, event, shadow)).report
        else:
            report = await run_recipe(recipe, event, shadow)
    finally:
        await ctx.aclose()
    result: dict[str, Any] = report.as_dict()
    return result
