"""Retention: history older than the retention period leaves the store, in small batches.

What goes: finished runs (succeeded, or retried in their event's own workflow) with their steps,
the provenance rows a newer write of the same field superseded, and processed events no run
refers to any more, and the passing `once` keys: claims on making a record's counterpart or its
pair, and the names TT customer adds were sent under, which only a run's retries look at. What
stays: failed runs (they are dead letters until replayed, which reopens them), events not
processed yet, record links, snapshots, cursors and the other `once` keys (an automation step's:
they decide what happens next, not what happened), and the newest provenance of every field,
which keeps saying where the value came from after its run is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ghltt.store.database import Database
from ghltt.store.tables import inbox_events, once_keys, provenance, run_steps, runs

# A finished run in one of these states is history; a failed one is a dead letter.
PRUNABLE_RUN_STATUSES = ("succeeded", "retried")


# The engine's passing once keys, by recipe: claims (``<sync>:create``, ``<sync>:pairing``)
# and the names of TT customer adds (``tt.customer.add``). A retried run reads them within
# minutes; after the retention period they are only clutter.
_PASSING_SUFFIXES = (":create", ":pairing")
_PASSING_RECIPES = ("tt.customer.add",)


@dataclass(slots=True)
class Pruned:
    """How many rows of each kind one pruning removed."""

    runs: int = 0
    steps: int = 0
    provenance: int = 0
    events: int = 0
    once_keys: int = 0
    workflows: int = 0
    batches: int = field(default=0, compare=False)

    def as_dict(self) -> dict[str, int]:
        return {
            "runs": self.runs,
            "steps": self.steps,
            "provenance": self.provenance,
            "events": self.events,
            "once_keys": self.once_keys,
            "workflows": self.workflows,
        }


def _superseded() -> sa.Exists:
    """A provenance row is superseded when a newer row holds the same field of the same record."""
    newer = provenance.alias("newer")
    c = provenance.c
    return (
        sa.select(newer.c.id)
        .where(
            (newer.c.bridge_id == c.bridge_id)
            & (newer.c.target_system == c.target_system)
            & (newer.c.object_type == c.object_type)
            & (newer.c.object_id == c.object_id)
            & (newer.c.field == c.field)
            & (newer.c.id > c.id)
        )
        .exists()
    )


def _prune_runs(db: Database, before: datetime, batch: int, pruned: Pruned) -> bool:
    """One batch of old runs, in one transaction; False when none was left."""
    with db.begin() as conn:
        ids: list[str] = list(
            conn.scalars(
                sa.select(runs.c.id)
                .where(
                    runs.c.status.in_(PRUNABLE_RUN_STATUSES)
                    & (runs.c.finished_at.is_not(None))
                    & (runs.c.finished_at < before)
                )
                .limit(batch)
            )
        )
        if not ids:
            return False
        mine = provenance.c.run_id.in_(ids)
        pruned.provenance += conn.execute(provenance.delete().where(mine & _superseded())).rowcount
        # The newest provenance of a field outlives its run: it still answers "from where".
        conn.execute(provenance.update().where(mine).values(run_id=None))
        pruned.steps += conn.execute(run_steps.delete().where(run_steps.c.run_id.in_(ids))).rowcount
        pruned.runs += conn.execute(runs.delete().where(runs.c.id.in_(ids))).rowcount
    pruned.batches += 1
    return True


def _prune_events(db: Database, before: datetime, batch: int, pruned: Pruned) -> bool:
    with db.begin() as conn:
        unreferenced = ~sa.select(runs.c.id).where(runs.c.event_id == inbox_events.c.id).exists()
        ids: list[str] = list(
            conn.scalars(
                sa.select(inbox_events.c.id)
                .where(
                    inbox_events.c.processed_at.is_not(None)
                    & (inbox_events.c.processed_at < before)
                    & unreferenced
                )
                .limit(batch)
            )
        )
        if not ids:
            return False
        pruned.events += conn.execute(
            inbox_events.delete().where(inbox_events.c.id.in_(ids))
        ).rowcount
    pruned.batches += 1
    return True


def _prune_orphan_provenance(db: Database, batch: int, pruned: Pruned) -> bool:
    """Provenance whose run is already gone, once a newer write of its field superseded it."""
    with db.begin() as conn:
        ids: list[int] = list(
            conn.scalars(
                sa.select(provenance.c.id)
                .where(provenance.c.run_id.is_(None) & _superseded())
                .limit(batch)
            )
        )
        if not ids:
            return False
        pruned.provenance += conn.execute(
            provenance.delete().where(provenance.c.id.in_(ids))
        ).rowcount
    pruned.batches += 1
    return True


def _prune_passing_keys(db: Database, before: datetime, batch: int, pruned: Pruned) -> bool:
    c = once_keys.c
    passing = sa.or_(
        c.recipe.in_(_PASSING_RECIPES),
        *(c.recipe.endswith(suffix, autoescape=True) for suffix in _PASSING_SUFFIXES),
    )
    key = sa.tuple_(c.bridge_id, c.recipe, c.key)
    old = sa.select(c.bridge_id, c.recipe, c.key).where(passing & (c.created_at < before))
    with db.begin() as conn:
        gone = conn.execute(once_keys.delete().where(key.in_(old.limit(batch)))).rowcount
    pruned.once_keys += gone
    pruned.batches += 1 if gone else 0
    return bool(gone)


def prune_history(db: Database, *, before: datetime, batch: int = 500) -> Pruned:
    """Remove the history older than ``before``; short transactions, so writers never wait long."""
    pruned = Pruned()
    while _prune_runs(db, before, batch, pruned):
        pass
    while _prune_orphan_provenance(db, batch, pruned):
        pass
    while _prune_events(db, before, batch, pruned):
        pass
    while _prune_passing_keys(db, before, batch, pruned):
        pass
    return pruned
