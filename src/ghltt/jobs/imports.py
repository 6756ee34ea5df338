"""Imports as durable jobs: one workflow per import, one checkpointed step per page.

The import's own checkpoint (in the store, written with each page) is the truth; DBOS makes
the job survive: after a kill -9 of the worker or the server, the workflow is recovered and
its next step starts from that checkpoint. A step that fails on something that is not a
record's (a 429 storm outlasting the requestor's retries, a 5xx, the network) is retried with
backoff, from the checkpoint again. Imports have a queue of their own, so real-time runs never
wait behind them; the import paces itself to a share of each rate budget.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from dbos import DBOS, StepOptions

from ghltt.bridges import BridgePool, Services
from ghltt.core import NotFound, utcnow
from ghltt.engine.context import BridgeContext, Repositories
from ghltt.engine.dispatch import shipped_recipe
from ghltt.engine.imports import Filters, Importer, create_import
from ghltt.engine.recipes import SyncRecipe
from ghltt.jobs.workflows import WORKFLOW_VERSION
from ghltt.store.database import Database
from ghltt.store.imports import OPEN, ImportRepository

log = structlog.get_logger(__name__)

IMPORTS_QUEUE = "ghltt-imports"
IMPORT_WORKFLOW = "ghltt.import"


@dataclass
class ImportJobs:
    db: Database
    services: Callable[[], Services]
    share: float
    page_size: int
    max_attempts: int
    retry_interval: float

    def __post_init__(self) -> None:
        self.pool = BridgePool(self.services)
        # Per import, kept across its steps (its index of the other side is read once).
        self.importers: dict[str, Importer] = {}


_jobs: ImportJobs | None = None


def set_context(jobs: ImportJobs | None) -> None:
    global _jobs
    _jobs = jobs


def _ctx() -> ImportJobs:
    if _jobs is None:
        raise RuntimeError("the job runtime is not started in this process")
    return _jobs


def recipe_of(name: str) -> SyncRecipe:
    recipe = shipped_recipe(name)
    if not isinstance(recipe, SyncRecipe):
        raise NotFound(f"{name} is not a sync recipe")
    return recipe


async def _page(import_id: str) -> bool:
    """One page of the import, in its opened bridge; whether there is more to do."""
    jobs = _ctx()
    repo = ImportRepository(jobs.db)
    record = repo.get(import_id)
    if record is None:
        raise NotFound(f"import {import_id} is not in the store")
    async with jobs.pool.use(record.bridge_id) as bridge:
        ctx = BridgeContext.of(bridge, Repositories.of(jobs.db), now=utcnow())
        importer = jobs.importers.get(import_id)
        if importer is None:
            importer = Importer(
                ctx,
                recipe_of(record.recipe),
                repo,
                record,
                share=jobs.share,
                page_size=jobs.page_size,
            )
            jobs.importers[import_id] = importer
        else:
            importer.ctx = ctx  # the bridge as opened now; the checkpoint says where it is
        more = await importer.step()
    if not more:
        jobs.importers.pop(import_id, None)
    return more


def _fail(import_id: str, error: str) -> None:
    ImportRepository(_ctx().db).set_status(
        import_id, "failed", error=error[:2000], only_from=frozenset({"pending", "running"})
    )
    _ctx().importers.pop(import_id, None)


@DBOS.workflow(name=IMPORT_WORKFLOW, max_recovery_attempts=50)
async def run_import(import_id: str) -> str:
    """Pages until the import is done, paused or cancelled."""
    jobs = _ctx()
    options: StepOptions = {
        "name": "import.page",
        "retries_allowed": True,
        "max_attempts": jobs.max_attempts,
        "interval_seconds": jobs.retry_interval,
        "backoff_rate": 2.0,
    }
    pages = 0
    try:
        while await DBOS.run_step_async(options, _page, import_id):
            pages += 1
    except Exception as exc:
        await DBOS.run_step_async({"name": "import.failed"}, _fail, import_id, str(exc))
        raise
    log.info("import stopped", import_id=import_id, pages=pages)
    return import_id


def import_workflow_id(import_id: str) -> str:
    """A fresh workflow per start or resume (the import's checkpoint carries it over)."""
    return f"import:{import_id}:{uuid.uuid4().hex[:8]}"


def enqueue_options(import_id: str) -> dict[str, Any]:
    return {
        "workflow_name": IMPORT_WORKFLOW,
        "queue_name": IMPORTS_QUEUE,
        "workflow_id": import_workflow_id(import_id),
        "app_version": WORKFLOW_VERSION,
    }


IMPORT_TICK = "ghltt.import_tick"


def schedule_name(bridge_id: str, recipe: str) -> str:
    return f"import:{bridge_id}:{recipe}"


async def _catch_up(context: dict[str, Any]) -> str | None:
    """A catch-up import for a schedule's firing; None while the last one is still open."""
    repo = ImportRepository(_ctx().db)
    bridge_id, name = str(context["bridge"]), str(context["recipe"])
    if any(r.recipe == name and r.status in OPEN for r in repo.recent(bridge_id, limit=20)):
        log.info("scheduled import skipped: one is still open", bridge=bridge_id, recipe=name)
        return None
    recipe = recipe_of(name)
    directions = tuple(context.get("directions") or recipe.model.directions)
    record = create_import(repo, bridge_id, recipe, directions, Filters(), catch_up=True)
    return record.id


@DBOS.workflow(name=IMPORT_TICK)
async def import_tick(when: datetime, context: dict[str, Any]) -> None:
    """A schedule fired: an incremental catch-up from the last finished import's end."""
    import_id = await DBOS.run_step_async({"name": "import.catch_up"}, _catch_up, context)
    if import_id is not None:
        await run_import(import_id)
