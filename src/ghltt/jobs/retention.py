"""Hourly pruning of history older than ``GHLTT_RETENTION_DAYS``, as one durable schedule.

DBOS runs a schedule's tick once per deployment whatever the number of executors, so workers
never prune side by side. The store's tables are pruned by the store; DBOS's own workflow
records here, through its client: finished and cancelled workflows only, never a dead letter.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from dbos import DBOS, DBOSClient

from ghltt.jobs import workflows
from ghltt.store.database import Database
from ghltt.store.retention import Pruned, prune_history

log = structlog.get_logger(__name__)

RETENTION_SCHEDULE = "ghltt.retention"
RETENTION_CRON = "23 * * * *"  # hourly, off the round minutes other jobs like
PRUNE_TICK = "ghltt.prune_tick"
# Workflow records that are history, not dead letters.
PRUNABLE_WORKFLOW_STATUSES = ["SUCCESS", "CANCELLED"]


def cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


def prune_workflows(client: DBOSClient, before: datetime, batch: int = 500) -> int:
    """Delete the workflow records that finished before ``before``."""
    deleted = 0
    while True:
        found = client.list_workflows(
            status=PRUNABLE_WORKFLOW_STATUSES,
            completed_before=before.isoformat(),
            limit=batch,
            load_input=False,
            load_output=False,
        )
        if not found:
            return deleted
        client.delete_workflows([wf.workflow_id for wf in found])
        deleted += len(found)


def prune(
    db: Database, client: DBOSClient | None, days: int, *, now: datetime | None = None
) -> Pruned:
    """Everything retention removes: the store's history, then the workflow records (when
    there is a system database: ``None`` before any executor ever ran)."""
    before = cutoff(days, now)
    pruned = prune_history(db, before=before)
    if client is not None:
        pruned.workflows = prune_workflows(client, before)
    if any(pruned.as_dict().values()):
        log.info("history pruned", retention_days=days, **pruned.as_dict())
    return pruned


async def _prune_step(days: int) -> dict[str, int]:
    ctx = workflows._ctx()
    if ctx.workflows is None:
        return {}
    # Pruning a long history takes a while: off the event loop that runs the other workflows.
    pruned = await asyncio.to_thread(prune, ctx.db, ctx.workflows, days)
    return pruned.as_dict()


@DBOS.workflow(name=PRUNE_TICK)
async def prune_tick(when: datetime, context: dict[str, Any]) -> None:
    await DBOS.run_step_async({"name": "prune"}, _prune_step, int(context["days"]))
