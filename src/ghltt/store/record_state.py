"""What a sync run reads of its record before fetching it, in one statement: the record's link,
its snapshot, and whether an event about the linked counterpart waits in the inbox. Three
lookups by key, joined on a single row so that they cost one round trip, not three."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ghltt.store.database import Bind, reader
from ghltt.store.links import Link, link_of
from ghltt.store.tables import inbox_events, record_links, record_snapshots


@dataclass(frozen=True, slots=True)
class RecordState:
    link: Link | None
    # The record's snapshot (mapped values and parent pair at our last sync); None: none.
    snapshot: dict[str, Any] | None
    # Whether an event about the link's other side waits, not processed yet (False: no link).
    counterpart_pending: bool


def _state_of(system: str) -> sa.Select[Any]:
    """Built once per side: the link of a ``system`` record, its snapshot, and the pending
    check on the other side's id (the partial index of pending events answers it)."""
    other = "tt" if system == "ghl" else "ghl"
    links, snaps, events = record_links.c, record_snapshots.c, inbox_events.c
    bridge = sa.bindparam("bridge_id", type_=sa.String())
    record_id = sa.bindparam("record_id", type_=sa.String())
    pending = (
        sa.select(events.id)
        .where(
            events.bridge_id == bridge,
            events.source == other,
            events.object_id == getattr(links, f"{other}_id"),
            events.processed_at.is_(None),
        )
        .exists()
    )
    one = sa.select(sa.literal(1).label("one")).subquery("one")
    joined = one.outerjoin(
        record_links,
        (links.bridge_id == bridge)
        & (links.ghl_type == sa.bindparam("ghl_type"))
        & (links.tt_type == sa.bindparam("tt_type"))
        & (getattr(links, f"{system}_id") == record_id),
    ).outerjoin(
        record_snapshots,
        (snaps.bridge_id == bridge)
        & (snaps.system == system)
        & (snaps.object_type == sa.bindparam("object_type"))
        & (snaps.object_id == record_id),
    )
    return sa.select(
        record_links,
        snaps.state.label("snapshot_state"),
        pending.label("counterpart_pending"),
    ).select_from(joined)


_STATE_OF = {"ghl": _state_of("ghl"), "tt": _state_of("tt")}


def record_state(
    db: Bind,
    system: str,
    bridge_id: str,
    ghl_type: str,
    tt_type: str,
    object_type: str,
    record_id: str,
) -> RecordState:
    """The state of a ``system`` record (``ghl`` or ``tt``) of a sync between ``ghl_type``
    and ``tt_type``; ``object_type`` is its snapshot's type (the object's name)."""
    params = {
        "bridge_id": bridge_id,
        "ghl_type": ghl_type,
        "tt_type": tt_type,
        "object_type": object_type,
        "record_id": str(record_id),
    }
    with reader(db).connect() as conn:
        row = conn.execute(_STATE_OF[system], params).one()
    state = row._mapping["snapshot_state"]
    linked = row._mapping["id"] is not None
    return RecordState(
        link=link_of(row) if linked else None,
        snapshot=dict(state) if isinstance(state, dict) else None,
        counterpart_pending=linked and bool(row._mapping["counterpart_pending"]),
    )
