"""Once keys: an automation step marked ``once`` acts at most once per key, bridge and recipe.

A key is claimed before the action runs (insert-if-absent, atomic in the database). The run
that claimed it may claim it again (a retried step of the same run); a failed action releases
it so a later run can try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.database import Bind
from ghltt.store.inbox import as_utc
from ghltt.store.tables import once_keys, runs

# The longest key stored; a longer one is cut to it.
KEY_LENGTH = 255

# Built once (every create of a sync asks it): building the clause cost more than running it.
_CLAIMED_SINCE = (
    sa.select(sa.func.count())
    .select_from(once_keys)
    .where(
        (once_keys.c.bridge_id == sa.bindparam("bridge_id"))
        & (once_keys.c.recipe == sa.bindparam("recipe"))
        & (once_keys.c.key == sa.bindparam("key"))
        & (once_keys.c.created_at >= sa.bindparam("since"))
    )
)


# The statuses of a run still under way (a batch's run is queued until it ends).
_UNDER_WAY = ("queued", "running")


@dataclass(frozen=True)
class Holder:
    """Who holds a key: the run (or claimant) that claimed it, when, and whether that run is
    known to have ended (False also for a claimant that is no run)."""

    run_id: str | None
    claimed_at: datetime
    ended: bool


class OnceRepository:
    def __init__(self, db: Bind) -> None:
        self.db = db

    def claim(self, bridge_id: str, recipe: str, key: str, run_id: str | None = None) -> bool:
        """True when this run may act for ``key``: newly claimed, or claimed earlier by the
        same ``run_id``."""
        key = key[:KEY_LENGTH]
        try:
            with self.db.begin() as conn:
                conn.execute(
                    once_keys.insert().values(
                        bridge_id=bridge_id,
                        recipe=recipe,
                        key=key,
                        run_id=run_id,
                        created_at=utcnow(),
                    )
                )
            return True
        except sa.exc.IntegrityError:
            holder = self.holder(bridge_id, recipe, key)
            return run_id is not None and holder == run_id

    def holder(self, bridge_id: str, recipe: str, key: str) -> str | None:
        c = once_keys.c
        with self.db.connect() as conn:
            found = conn.execute(
                sa.select(c.run_id).where(
                    (c.bridge_id == bridge_id) & (c.recipe == recipe) & (c.key == key[:KEY_LENGTH])
                )
            ).scalar()
        return None if found is None else str(found)

    def holder_of(self, bridge_id: str, recipe: str, key: str) -> Holder | None:
        """Who holds ``key`` (None: nobody), with whether its run ended, in one read."""
        c = once_keys.c
        stmt = (
            sa.select(c.run_id, c.created_at, runs.c.status)
            .select_from(once_keys.outerjoin(runs, runs.c.id == c.run_id))
            .where((c.bridge_id == bridge_id) & (c.recipe == recipe) & (c.key == key[:KEY_LENGTH]))
        )
        with self.db.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None:
            return None
        ended = row.status is not None and row.status not in _UNDER_WAY
        run_id = None if row.run_id is None else str(row.run_id)
        claimed_at = as_utc(row.created_at)
        assert claimed_at is not None
        return Holder(run_id, claimed_at, ended)

    def take_over(
        self, bridge_id: str, recipe: str, key: str, holder: str | None, run_id: str
    ) -> bool:
        """Claim ``key`` from ``holder`` (a run that ended or died); False when someone else
        took it over first, or it was released meanwhile."""
        c = once_keys.c
        held_by = c.run_id.is_(None) if holder is None else c.run_id == holder
        with self.db.begin() as conn:
            moved = conn.execute(
                once_keys.update()
                .where(
                    (c.bridge_id == bridge_id)
                    & (c.recipe == recipe)
                    & (c.key == key[:KEY_LENGTH])
                    & held_by
                )
                .values(run_id=run_id, created_at=utcnow())
            ).rowcount
        return bool(moved)

    def seen(self, bridge_id: str, recipe: str, key: str) -> bool:
        c = once_keys.c
        with self.db.connect() as conn:
            found = conn.execute(
                sa.select(sa.func.count())
                .select_from(once_keys)
                .where(
                    (c.bridge_id == bridge_id) & (c.recipe == recipe) & (c.key == key[:KEY_LENGTH])
                )
            ).scalar_one()
        return bool(found)

    def keys(self, bridge_id: str, recipe: str, prefix: str) -> list[str]:
        """The keys claimed under ``prefix``, oldest first."""
        c = once_keys.c
        with self.db.connect() as conn:
            found: list[Any] = list(
                conn.execute(
                    sa.select(c.key)
                    .where(
                        (c.bridge_id == bridge_id)
                        & (c.recipe == recipe)
                        & c.key.startswith(prefix, autoescape=True)
                    )
                    .order_by(c.created_at, c.key)
                ).scalars()
            )
        return [str(k) for k in found]

    def release(self, bridge_id: str, recipe: str, key: str) -> None:
        c = once_keys.c
        with self.db.begin() as conn:
            conn.execute(
                once_keys.delete().where(
                    (c.bridge_id == bridge_id) & (c.recipe == recipe) & (c.key == key[:KEY_LENGTH])
                )
            )

    def claimed_since(self, bridge_id: str, recipe: str, key: str, since: datetime) -> bool:
        """Is ``key`` claimed, at ``since`` or later (an older claim is a run that died)?"""
        params = {"bridge_id": bridge_id, "recipe": recipe, "key": key[:KEY_LENGTH], "since": since}
        with self.db.connect() as conn:
            found = conn.execute(_CLAIMED_SINCE, params).scalar_one()
        return bool(found)
