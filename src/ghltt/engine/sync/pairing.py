"""Pairings under way: a ``link:`` step says it is making a sync's counterpart before its
create, and the sync waits for that pair instead of making a second counterpart.

The step's create is answered before the step records the pair, and meanwhile the created
record's own event (GHL's TaskCreate webhook for signup's GHL task) may already run the sync:
it would see a record with no link and copy it back (a second TT task). The mark lives in
``once_keys`` (recipe ``<sync>:pairing``, key ``<side>:<parent id>``) from just before the
create until the pair is recorded; the sync, about to create a counterpart for a record of
that side under that parent, raises ``PairingUnderWay`` (its run is tried again, and then finds
the link). A mark older than ``STALE_AFTER`` is a run that died between the two: ignored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ghltt.core import utcnow
from ghltt.engine.context import BridgeContext

__all__ = ["STALE_AFTER", "PairingUnderWay", "begin", "end", "under_way"]

STALE_AFTER = timedelta(seconds=60)


class PairingUnderWay(Exception):
    """A ``link:`` step is creating this record's pair right now: try again shortly."""


def _recipe(sync: str) -> str:
    return f"{sync}:pairing"


def _key(side: str, parent_id: Any) -> str:
    return f"{side}:{'*' if parent_id in (None, '') else parent_id}"


def begin(ctx: BridgeContext, sync: str, side: str, parent_id: Any) -> str | None:
    """Mark a create of a ``side`` record under ``parent_id``; the key to ``end``, or None
    when another run's mark is already there (it stands for both)."""
    key = _key(side, parent_id)
    claimed = ctx.repos.once.claim(ctx.bridge_id, _recipe(sync), key, ctx.run_id)
    return key if claimed else None


def end(ctx: BridgeContext, sync: str, key: str | None) -> None:
    if key is not None:
        ctx.repos.once.release(ctx.bridge_id, _recipe(sync), key)


def under_way(ctx: BridgeContext, sync: str, side: str, parent_id: Any) -> bool:
    since = utcnow() - STALE_AFTER
    return ctx.repos.once.claimed_since(ctx.bridge_id, _recipe(sync), _key(side, parent_id), since)
