"""Reconciliation: a scheduled poll per bridge that turns what changed into events.

Webhooks are the fast path; this is the safety net. Each stream (``ghl.contacts``,
``tt.users``, …) keeps a cursor in ``sync_cursors``; a poll reads what changed since it (minus
an overlap window), emits ``origin=poll`` events shaped like the webhook ones, and commits them
together with the advanced cursors. See ``docs/reconcile.md``.
"""

from ghltt.engine.reconcile.model import StreamResult
from ghltt.engine.reconcile.run import CommitResult, ReconcileReport, commit_in, reconcile
from ghltt.engine.reconcile.settings import (
    ALL_STREAMS,
    DEFAULT_INTERVAL,
    DEFAULT_STREAMS,
    GHL_STREAMS,
    TT_STREAMS,
    ReconcileSchedule,
    ReconcileSettings,
    schedule_for,
)

__all__ = [
    "ALL_STREAMS",
    "DEFAULT_INTERVAL",
    "DEFAULT_STREAMS",
    "GHL_STREAMS",
    "TT_STREAMS",
    "CommitResult",
    "ReconcileReport",
    "ReconcileSchedule",
    "ReconcileSettings",
    "StreamResult",
    "commit_in",
    "reconcile",
    "schedule_for",
]
