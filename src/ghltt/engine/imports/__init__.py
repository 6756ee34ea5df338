"""Imports: a sync recipe's existing records brought across, page by page from a checkpoint,
matched before created, through the sync's own plan/apply. See docs/imports.md."""

from ghltt.engine.imports.matching import Ambiguous, MatchIndex
from ghltt.engine.imports.model import (
    DIRECTIONS,
    OUTCOMES,
    Direction,
    Filters,
    Progress,
    outcome_totals,
)
from ghltt.engine.imports.run import (
    CATCH_UP_OVERLAP,
    PAGE_SIZE,
    Importer,
    check_request,
    create_import,
)
from ghltt.engine.imports.sources import Unsupported

__all__ = [
    "CATCH_UP_OVERLAP",
    "DIRECTIONS",
    "OUTCOMES",
    "PAGE_SIZE",
    "Ambiguous",
    "Direction",
    "Filters",
    "Importer",
    "MatchIndex",
    "Progress",
    "Unsupported",
    "check_request",
    "create_import",
    "outcome_totals",
]
