"""One reconcile of one bridge: poll every selected stream, then commit events and cursors.

Polling and committing are separate steps on purpose. ``reconcile`` only reads (remote APIs
and stored cursors); ``ReconcileReport.commit`` writes the new events and every advanced cursor
in one transaction, so a crash either keeps both or neither and the next poll re-reads the
same changes (their dedup keys make any repeat a duplicate).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog

from ghltt.connectors.ghl import GhlClient
from ghltt.connectors.http import ConnectorError
from ghltt.connectors.trackingtime import TrackingTimeClient
from ghltt.core import Event, utcnow
from ghltt.engine.reconcile import ghl as ghl_streams
from ghltt.engine.reconcile import tt as tt_streams
from ghltt.engine.reconcile.ghl_submissions import SUBMISSIONS, poll_submissions
from ghltt.engine.reconcile.model import LinkedIds, PollContext, StreamResult
from ghltt.engine.reconcile.settings import ReconcileSettings
from ghltt.engine.reconcile.tt_timesheets import TIMESHEETS, poll_timesheets
from ghltt.store.cursors import CursorRepository
from ghltt.store.database import Connection, Database
from ghltt.store.links import LinkRepository
from ghltt.store.polls import save_poll, save_poll_in

__all__ = ["CommitResult", "ReconcileReport", "commit_in", "reconcile"]

log = structlog.get_logger(__name__)

Stored = dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CommitResult:
    inserted: int
    duplicates: int


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    bridge_id: str
    now: datetime
    streams: dict[str, StreamResult] = field(default_factory=dict)

    @property
    def events(self) -> list[Event]:
        return [e for result in self.streams.values() for e in result.events]

    @property
    def cursors(self) -> dict[str, dict[str, Any]]:
        """The cursors to store: only streams that were polled successfully."""
        return {s: r.cursor for s, r in self.streams.items() if r.cursor is not None}

    @property
    def errors(self) -> dict[str, str]:
        return {s: r.error for s, r in self.streams.items() if r.error is not None}

    def commit(self, db: Database) -> CommitResult:
        """Insert the events and save the cursors in one transaction."""
        inserted, duplicates = save_poll(db, self.bridge_id, self.events, self.cursors)
        return CommitResult(inserted=inserted, duplicates=duplicates)


def commit_in(conn: Connection, report: ReconcileReport) -> CommitResult:
    """``commit`` inside a transaction the caller owns."""
    inserted, duplicates = save_poll_in(conn, report.bridge_id, report.events, report.cursors)
    return CommitResult(inserted=inserted, duplicates=duplicates)


async def _guarded(stream: str, poll: Callable[[], Awaitable[StreamResult]]) -> StreamResult:
    """A remote failure costs this stream one poll; its cursor stays, the others advance."""
    try:
        return await poll()
    except ConnectorError as exc:
        log.warning("reconcile.stream_failed", stream=stream, error=type(exc).__name__)
        return StreamResult(stream=stream, error=f"{type(exc).__name__}: {exc}")


async def _ghl(
    ghl: GhlClient,
    ctx: PollContext,
    wanted: tuple[str, ...],
    stored: Stored,
    linked: LinkedIds | None,
) -> list[StreamResult]:
    results: list[StreamResult] = []
    if "ghl.contacts" in wanted:
        try:
            found = await ghl_streams.poll_contacts(ghl, ctx, stored.get("ghl.contacts"))
        except ConnectorError as exc:
            failed = f"{type(exc).__name__}: {exc}"
            log.warning("reconcile.stream_failed", stream="ghl.contacts", error=failed)
            # Tasks and notes hang off the contacts read: they fail with it.
            dependants = [s for s in ("ghl.contacts", "ghl.tasks", "ghl.notes") if s in wanted]
            results.extend(StreamResult(stream=s, error=failed) for s in dependants)
        else:
            results.append(found.result)
            for stream in ("ghl.tasks", "ghl.notes"):
                if stream in wanted:
                    poll = partial(
                        ghl_streams.poll_activities, ghl, ctx, stream, stored.get(stream), found
                    )
                    results.append(await _guarded(stream, poll))
        if linked is not None and ctx.settings.id_scan_calls:
            ids = ghl_streams.CONTACT_IDS
            scan = partial(ghl_streams.scan_contact_ids, ghl, ctx, stored.get(ids), linked)
            results.append(await _guarded(ids, scan))
    if "ghl.appointments" in wanted:
        poll = partial(ghl_streams.poll_appointments, ghl, ctx, stored.get("ghl.appointments"))
        results.append(await _guarded("ghl.appointments", poll))
    if SUBMISSIONS in wanted:
        poll = partial(poll_submissions, ghl, ctx, stored.get(SUBMISSIONS))
        results.append(await _guarded(SUBMISSIONS, poll))
    return results


async def _tt(
    tt: TrackingTimeClient,
    ctx: PollContext,
    wanted: tuple[str, ...],
    stored: Stored,
    linked: LinkedIds | None,
) -> list[StreamResult]:
    results: list[StreamResult] = []
    for stream in wanted:
        if stream in tt_streams.SNAPSHOT_STREAMS:
            # Linked customers past the customer list's cap are read by id.
            ids = linked if stream == tt_streams.CUSTOMERS else None
            poll = partial(tt_streams.poll_snapshot, tt, ctx, stream, stored.get(stream), ids)
        elif stream == TIMESHEETS:
            poll = partial(poll_timesheets, tt, ctx, stored.get(stream))
        else:
            poll = partial(tt_streams.poll_time_entries, tt, ctx, stored.get(stream))
        results.append(await _guarded(stream, poll))
    return results


def _linked_contacts(links: LinkRepository, bridge_id: str) -> LinkedIds:
    async def linked(after: str | None, limit: int) -> list[str]:
        return await asyncio.to_thread(links.ghl_ids_after, bridge_id, "contact", after, limit)

    return linked


def _linked_customers(links: LinkRepository, bridge_id: str) -> LinkedIds:
    async def linked(after: str | None, limit: int) -> list[str]:
        return await asyncio.to_thread(links.tt_ids_after, bridge_id, "customer", after, limit)

    return linked


async def reconcile(
    bridge_id: str,
    ghl: GhlClient | None,
    tt: TrackingTimeClient | None,
    cursors: CursorRepository,
    *,
    streams: Iterable[str] | None = None,
    now: datetime | None = None,
    overlap: timedelta | None = None,
    backfill: bool = False,
    settings: ReconcileSettings | None = None,
    links: LinkRepository | None = None,
) -> ReconcileReport:
    """Poll what changed on each side since the stored cursors; nothing is written here.

    ``streams`` defaults to ``settings.streams`` (every stream); a side whose client is None
    is skipped. With ``links``, the contacts stream also scans linked contact ids for deletes,
    and the customers stream reads linked customers its capped list lacked.
    ``overlap`` overrides both systems' overlap windows. Call
    ``report.commit(engine)`` to store the events and advance the cursors atomically.
    """
    settings = settings or ReconcileSettings()
    if streams is not None:
        settings = settings.model_copy(
            update={"streams": ReconcileSettings(streams=tuple(streams)).streams}
        )
    ctx = PollContext(
        bridge=bridge_id,
        now=now or utcnow(),
        settings=settings,
        backfill=backfill,
        overlap=overlap,
    )
    stored = await asyncio.to_thread(cursors.get_all, bridge_id)
    ghl_wanted = tuple(s for s in settings.streams if s.startswith("ghl."))
    tt_wanted = tuple(s for s in settings.streams if s.startswith("tt."))
    jobs: list[Awaitable[list[StreamResult]]] = []
    if ghl is not None and ghl_wanted:
        linked = _linked_contacts(links, bridge_id) if links is not None else None
        jobs.append(_ghl(ghl, ctx, ghl_wanted, stored, linked))
    if tt is not None and tt_wanted:
        customers = _linked_customers(links, bridge_id) if links is not None else None
        jobs.append(_tt(tt, ctx, tt_wanted, stored, customers))
    # The two systems have separate budgets: poll them side by side.
    results = [r for batch in await asyncio.gather(*jobs) for r in batch]
    report = ReconcileReport(
        bridge_id=bridge_id, now=ctx.now, streams={r.stream: r for r in results}
    )
    log.info(
        "reconcile.polled",
        bridge=bridge_id,
        events=len(report.events),
        streams=len(results),
        failed=sorted(report.errors),
    )
    return report
