"""Sync runs: ``plan()`` reads both sides and returns the writes that would converge them
(``plan.py``); ``apply()`` performs them and records the pair (``apply.py``). Shadow mode and
``ghltt plan`` call plan() alone. See docs/engine.md.
"""

from ghltt.core import Event
from ghltt.engine.context import BridgeContext
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.report import RunReport
from ghltt.engine.sync.apply import apply
from ghltt.engine.sync.pairs import record_pair
from ghltt.engine.sync.plan import Plan, plan, plan_record
from ghltt.engine.sync.state import Found
from ghltt.engine.sync.writes import Created, Operation, PlannedWrite


async def run_sync(recipe: SyncRecipe, event: Event, ctx: BridgeContext) -> RunReport:
    """One sync run: the plan, applied unless the bridge only plans (shadow mode)."""
    planned = await plan(recipe, event, ctx)
    return await apply(planned) if ctx.writes else planned.report


__all__ = [
    "Created",
    "Found",
    "Operation",
    "Plan",
    "PlannedWrite",
    "apply",
    "plan",
    "plan_record",
    "record_pair",
    "run_sync",
]
