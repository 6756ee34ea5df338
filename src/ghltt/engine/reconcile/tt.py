"""TrackingTime streams: whole-list snapshots (users, customers, projects, tasks) and time
entries by ``updated_at``.

TT pushes no webhook for users and customers at all, so these polls are their only intake.
The snapshot lists come whole, which also reveals deletes: a record gone from a complete list.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ghltt.connectors.trackingtime import (
    Changes,
    SnapshotCursor,
    TimeEntry,
    TrackingTimeClient,
    WindowCursor,
    content_hash,
)
from ghltt.connectors.trackingtime.models import TtModel
from ghltt.core import Event
from ghltt.engine.reconcile.events import tt_event
from ghltt.engine.reconcile.model import PollContext, StreamResult

__all__ = ["SNAPSHOT_STREAMS", "poll_snapshot", "poll_time_entries"]

EVENTS = "tt.events"
# stream → the object (and kind prefix) it reports
SNAPSHOT_STREAMS = {
    "tt.users": "user",
    "tt.customers": "customer",
    "tt.projects": "project",
    "tt.tasks": "task",
}


async def _snapshot_changes(
    tt: TrackingTimeClient, stream: str, cursor: SnapshotCursor | None
) -> Changes[Any]:
    if stream == "tt.users":
        return await tt.users.changes(cursor)
    if stream == "tt.customers":
        return await tt.customers.changes(cursor)
    if stream == "tt.projects":
        return await tt.projects.changes(cursor)
    return await tt.tasks.changes(cursor)


def _hash_part(version: str) -> str:
    # A snapshot version is "<updated_at>#<content hash>"; the hash alone names the content.
    return version.rpartition("#")[2]


async def poll_snapshot(
    tt: TrackingTimeClient, ctx: PollContext, stream: str, stored: dict[str, Any] | None
) -> StreamResult:
    obj = SNAPSHOT_STREAMS[stream]
    before = SnapshotCursor.from_json(stored) if stored is not None else None
    changes = await _snapshot_changes(tt, stream, before)
    after: SnapshotCursor = changes.cursor
    events: list[Event] = []
    if ctx.emits(stored):
        for verb, records in (("created", changes.created), ("updated", changes.updated)):
            for record in records:
                events.append(_snapshot_event(tt, ctx, stream, f"{obj}.{verb}", record, after))
        old = before.versions if before is not None else {}
        for gone in changes.deleted:
            version = f"deleted-{_hash_part(old.get(gone, ''))}"
            events.append(
                tt_event(
                    ctx.bridge,
                    stream=stream,
                    kind=f"{obj}.deleted",
                    object_id=gone,
                    version=version,
                    occurred_at=ctx.now,
                    account_id=tt.account_id,
                    record={"id": int(gone) if gone.isdigit() else gone},
                )
            )
    return StreamResult(
        stream=stream,
        events=events,
        cursor=after.to_json(),
        read=len(after.versions),
        first_run=stored is None,
    )


def _snapshot_event(
    tt: TrackingTimeClient,
    ctx: PollContext,
    stream: str,
    kind: str,
    record: TtModel,
    cursor: SnapshotCursor,
) -> Event:
    object_id = str(getattr(record, "id", ""))
    zone = tt.account_timezone
    when = record.timestamp("updated_at", zone) or record.timestamp("created_at", zone)
    return tt_event(
        ctx.bridge,
        stream=stream,
        kind=kind,
        object_id=object_id,
        version=_hash_part(cursor.versions.get(object_id, "")),
        occurred_at=when or ctx.now,
        account_id=tt.account_id,
        record=record.model_dump(mode="json", by_alias=True),
    )


async def poll_time_entries(
    tt: TrackingTimeClient, ctx: PollContext, stored: dict[str, Any] | None
) -> StreamResult:
    """Time entries by ``updated_at`` with the overlap window (TT's own tracker)."""
    cursor = WindowCursor.from_json(stored) if stored is not None else None
    first_since = None
    if stored is None and ctx.backfill:
        first_since = ctx.now - timedelta(days=ctx.settings.backfill_days)
    changes = await tt.events.changes(
        cursor, overlap=ctx.overlap_for(EVENTS), first_since=first_since
    )
    events = []
    for entry in changes.updated if ctx.emits(stored) else []:
        events.append(_entry_event(tt, ctx, entry))
    return StreamResult(
        stream=EVENTS,
        events=events,
        cursor=changes.cursor.to_json(),
        read=len(changes.updated),
        first_run=stored is None,
    )


def _entry_event(tt: TrackingTimeClient, ctx: PollContext, entry: TimeEntry) -> Event:
    zone = tt.account_timezone
    updated = entry.timestamp("updated_at", zone)
    created = entry.timestamp("created_at", zone)
    # Never edited since it was added: what the webhook would have called event.created.
    kind = "event.created" if updated is None or updated == created else "event.updated"
    when = updated or created or ctx.now
    data = entry.model_dump(mode="json")
    stamp = str(int(when.timestamp()))
    return tt_event(
        ctx.bridge,
        stream=EVENTS,
        kind=kind,
        object_id=str(entry.id),
        version=f"{stamp}-{content_hash(data)[:12]}",
        occurred_at=when,
        account_id=tt.account_id,
        record=data,
    )
