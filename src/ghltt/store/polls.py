"""A reconciliation poll's outcome: the events it saw and the cursors it reached, kept together
(a cursor never advances past events that were not stored)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ghltt.core import Event
from ghltt.store.cursors import CursorRepository
from ghltt.store.inbox import insert_new


def save_poll(
    db: sa.Engine,
    bridge_id: str,
    events: Sequence[Event],
    cursors: Mapping[str, Mapping[str, Any]],
) -> tuple[int, int]:
    """``save_poll_in`` in a transaction of its own."""
    with db.begin() as conn:
        return save_poll_in(conn, bridge_id, events, cursors)


def save_poll_in(
    conn: sa.Connection,
    bridge_id: str,
    events: Sequence[Event],
    cursors: Mapping[str, Mapping[str, Any]],
) -> tuple[int, int]:
    """Insert the events and save the cursors in the caller's transaction; (inserted,
    duplicates)."""
    outcome = insert_new(conn, events)
    for stream, cursor in cursors.items():
        CursorRepository.save_in(conn, bridge_id, stream, cursor)
    inserted = sum(1 for _, new in outcome.values() if new)
    return inserted, len(outcome) - inserted
