"""What shadow mode planned and was not applied yet, read from the runs it recorded.

A shadow run records its report (outcome ``planned`` and the writes it would make) as its
step's output. A plan is *pending* while it is the newest run of its recipe for its record (a
later run, shadow or live, supersedes it) and no apply event has been put in the inbox for it.
Applying puts one event per pending plan in the inbox, keyed ``apply-planned:<run id>``, so
applying twice puts nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ghltt.store.inbox import as_utc
from ghltt.store.tables import inbox_events, run_steps, runs

APPLY_KEY_PREFIX = "apply-planned:"


@dataclass(frozen=True, slots=True)
class PlannedRun:
    run_id: str
    recipe: str
    event_id: str
    started_at: datetime | None
    writes: list[dict[str, Any]]

    def public(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "recipe": self.recipe,
            "event_id": self.event_id,
            "started_at": self.started_at,
            "writes": self.writes,
        }


def apply_key(run_id: str) -> str:
    return APPLY_KEY_PREFIX + run_id


def pending_plans(db: sa.Engine, bridge_id: str) -> list[PlannedRun]:
    """The bridge's shadow plans that are the newest run of their recipe for their record and
    have not been applied, oldest first."""
    stmt = (
        sa.select(
            runs.c.id,
            runs.c.recipe,
            runs.c.event_id,
            runs.c.started_at,
            inbox_events.c.source,
            inbox_events.c.object_type,
            inbox_events.c.object_id,
            run_steps.c.output,
        )
        .join(inbox_events, inbox_events.c.id == runs.c.event_id)
        .outerjoin(run_steps, run_steps.c.run_id == runs.c.id)
        .where(runs.c.bridge_id == bridge_id)
        .order_by(runs.c.started_at, runs.c.id, run_steps.c.position)
    )
    applied_stmt = sa.select(inbox_events.c.dedup_key).where(
        inbox_events.c.bridge_id == bridge_id,
        inbox_events.c.dedup_key.like(APPLY_KEY_PREFIX + "%"),
    )
    newest: dict[tuple[Any, ...], PlannedRun | None] = {}
    with db.connect() as conn:
        keys: list[Any] = list(conn.execute(applied_stmt).scalars())
        applied = {str(k).removeprefix(APPLY_KEY_PREFIX) for k in keys}
        for row in conn.execute(stmt):
            key = (row.recipe, row.source, row.object_type, row.object_id or row.event_id)
            output = row.output if isinstance(row.output, dict) else {}
            current = newest.get(key)
            if current is not None and current.run_id == row.id:
                continue  # a later step of the same run
            planned = output.get("outcome") == "planned" and output.get("writes")
            newest.pop(key, None)  # keep insertion order: the newest run last
            newest[key] = (
                PlannedRun(
                    row.id,
                    str(output.get("recipe") or row.recipe),
                    row.event_id,
                    as_utc(row.started_at),
                    list(output.get("writes") or []),
                )
                if planned
                else None
            )
    return [p for p in newest.values() if p is not None and p.run_id not in applied]
