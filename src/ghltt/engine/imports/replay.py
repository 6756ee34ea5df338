"""Records an import set aside (failed, ambiguous, invalid), applied again one by one as they
are now, after the data or the recipe was fixed: ``ghltt import replay`` and the dashboard."""

from __future__ import annotations

from collections.abc import Sequence

from ghltt.bridges import Services
from ghltt.core import utcnow
from ghltt.engine.context import open_bridge_context
from ghltt.engine.imports.model import RecordResult
from ghltt.engine.imports.run import Importer
from ghltt.engine.objects import System
from ghltt.engine.recipes import SyncRecipe
from ghltt.store.imports import ImportFailure, ImportRecord, ImportRepository


async def replay_set_aside(
    services: Services,
    record: ImportRecord,
    recipe: SyncRecipe,
    chosen: Sequence[ImportFailure],
) -> list[tuple[ImportFailure, RecordResult]]:
    """Each chosen record of ``record`` again, in a bridge opened for this alone; a record
    applied now is marked replayed, one that fails again stays set aside with its new reason."""
    ctx = await open_bridge_context(services, record.bridge_id, now=utcnow())
    try:
        importer = Importer(ctx, recipe, ImportRepository(services.connections.db), record)
        results = []
        for failure in chosen:
            system: System = "ghl" if failure.system == "ghl" else "tt"
            results.append((failure, await importer.replay(system, failure.record_id)))
        return results
    finally:
        await ctx.aclose()
