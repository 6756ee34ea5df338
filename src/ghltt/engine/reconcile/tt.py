"""TrackingTime streams: whole-list snapshots (users, customers, projects, tasks) and time
entries by ``updated_at``.

TT pushes no webhook for users and customers at all, so these polls are their only intake.
The snapshot lists come whole, which also reveals deletes: a record gone from a complete list.
The customer list stops at ``CUSTOMER_LIST_CAP``: past it, linked customers are read by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog

from ghltt.connectors.http import ConnectorError, NotFound
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
from ghltt.engine.reconcile.model import LinkedIds, PollContext, StreamResult

__all__ = ["CUSTOMERS", "SNAPSHOT_STREAMS", "poll_snapshot", "poll_time_entries"]

log = structlog.get_logger(__name__)

EVENTS = "tt.events"
CUSTOMERS = "tt.customers"
# Where the scan of linked customers beyond the list's cap stopped: a key of the customers
# cursor (``{"versions": …, "scan": {"after": <tt id>}}``), so the versions it compares and
# keeps are the snapshot's own and a customer moving into the list is no change.
SCAN = "scan"
# Linked ids read from the store at a time; those the list held cost no call.
_ID_PAGE = 500
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
    tt: TrackingTimeClient,
    ctx: PollContext,
    stream: str,
    stored: dict[str, Any] | None,
    linked: LinkedIds | None = None,
) -> StreamResult:
    """One whole-list read compared with the stored versions. With ``linked`` (the bridge's
    linked customer ids), a customer list that may be truncated is followed by the id scan."""
    obj = SNAPSHOT_STREAMS[stream]
    before = SnapshotCursor.from_json(stored) if stored is not None else None
    changes = await _snapshot_changes(tt, stream, before)
    versions = dict(changes.cursor.versions)
    emit = ctx.emits(stored)
    events: list[Event] = []
    if emit:
        for verb, records in (("created", changes.created), ("updated", changes.updated)):
            for record in records:
                version = versions[str(record.id)]
                events.append(_snapshot_event(tt, ctx, stream, f"{obj}.{verb}", record, version))
        old = before.versions if before is not None else {}
        for gone in changes.deleted:
            events.append(_deleted_event(tt, ctx, stream, gone, old.get(gone, "")))
    scan: dict[str, Any] | None = (stored or {}).get(SCAN)
    read = len(changes.seen)
    if linked is not None and _scans(stream, changes, ctx):
        after = (scan or {}).get("after")
        found = await _scan_customers(tt, ctx, linked, changes.seen, versions, after, emit)
        events.extend(found.events)
        scan, read = {"after": found.after}, read + found.read
    cursor = SnapshotCursor(versions).to_json()
    if scan is not None:
        cursor[SCAN] = scan
    return StreamResult(
        stream=stream, events=events, cursor=cursor, read=read, first_run=stored is None
    )


def _scans(stream: str, changes: Changes[Any], ctx: PollContext) -> bool:
    """Only the customer list has a cap; the scan runs when a read reached it."""
    return stream == CUSTOMERS and not changes.complete and ctx.settings.tt_id_scan_calls > 0


@dataclass(frozen=True, slots=True)
class _Scanned:
    events: list[Event]
    after: str | None  # the last linked id checked; None: all were, start over
    read: int


async def _scan_customers(
    tt: TrackingTimeClient,
    ctx: PollContext,
    linked: LinkedIds,
    listed: frozenset[str],
    versions: dict[str, str],
    after: str | None,
    emit: bool,
) -> _Scanned:
    """Linked customers a capped list lacked, read by id (``GET /customers/{id}``, custom fields
    included) from where the last poll stopped, at most ``tt_id_scan_calls`` reads; past the
    last linked id the next poll starts over. Each is compared with the version ``versions``
    keeps for it, as the list compares: changed, or read for the first time (no list showed
    it since it was linked), it is a ``customer.updated``; a 404 is a ``customer.deleted``.
    ``versions`` gets the new versions."""
    budget = ctx.settings.tt_id_scan_calls
    tracker = tt.customers.tracker()
    events: list[Event] = []
    calls = 0
    while True:
        ids = await linked(after, _ID_PAGE)
        for ident in ids:
            if ident in listed or not ident.isdigit():
                after = ident
                continue
            if calls == budget:
                return _Scanned(events, after, calls)
            calls += 1
            # Past it before the read: a customer whose read keeps failing cannot stall the
            # rotation; it waits for the next round.
            after = ident
            try:
                record = await tt.customers.get(int(ident), include_custom_fields=True)
            except NotFound:
                # Its last version stays: while it is still linked, each round makes the same
                # key (a duplicate), as does a complete list once it lacks the customer.
                if emit:
                    events.append(
                        _deleted_event(tt, ctx, CUSTOMERS, ident, versions.get(ident, ""))
                    )
                continue
            except ConnectorError as exc:
                # The rest waits for the next poll; what was read so far is kept.
                log.warning(
                    "reconcile.scan_stopped", stream=CUSTOMERS, at=ident, error=type(exc).__name__
                )
                return _Scanned(events, after, calls)
            previous = versions.get(ident)
            version, moved = tracker.moved(record, previous or "")
            versions[ident] = version
            if emit and (previous is None or moved):
                kind = "customer.updated"
                events.append(_snapshot_event(tt, ctx, CUSTOMERS, kind, record, version))
        if len(ids) < _ID_PAGE:
            return _Scanned(events, None, calls)


def _deleted_event(
    tt: TrackingTimeClient, ctx: PollContext, stream: str, gone: str, last: str
) -> Event:
    """A record gone since ``last`` (its stored version), as the snapshot reports it."""
    obj = SNAPSHOT_STREAMS[stream]
    return tt_event(
        ctx.bridge,
        stream=stream,
        kind=f"{obj}.deleted",
        object_id=gone,
        version=f"deleted-{_hash_part(last)}",
        occurred_at=ctx.now,
        account_id=tt.account_id,
        record={"id": int(gone) if gone.isdigit() else gone},
    )


def _snapshot_event(
    tt: TrackingTimeClient,
    ctx: PollContext,
    stream: str,
    kind: str,
    record: TtModel,
    version: str,
) -> Event:
    object_id = str(getattr(record, "id", ""))
    zone = tt.account_timezone
    when = record.timestamp("updated_at", zone) or record.timestamp("created_at", zone)
    return tt_event(
        ctx.bridge,
        stream=stream,
        kind=kind,
        object_id=object_id,
        version=_hash_part(version),
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
