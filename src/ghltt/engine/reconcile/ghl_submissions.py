"""Form and survey submissions: GHL sends no webhook for them (none of its documented events is
one), so the poll lists them by ``startAt`` (a day: GHL takes dates) and reports the ones it has
not seen, as ``form.submitted`` and ``survey.submitted`` events whose payload is the submission.

The cursor is a window cursor over ``createdAt``: the day the window starts is read again, and
the ids seen within the overlap keep a re-read from reporting a submission twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ghltt.connectors.ghl import GhlClient
from ghltt.connectors.trackingtime.changes import WindowCursor, WindowTracker
from ghltt.core import Event, EventOrigin, EventSource
from ghltt.engine.reconcile.events import as_utc, poll_key
from ghltt.engine.reconcile.model import PollContext, StreamResult

__all__ = ["SUBMISSIONS", "poll_submissions"]

SUBMISSIONS = "ghl.submissions"
_MAX_PAGES = 50  # a poll reads at most this many pages per kind; the cursor resumes the rest


@dataclass(frozen=True, slots=True)
class _Kind:
    operation: str  # the connector operation that lists them
    kind: str  # the event kind


_KINDS = (
    _Kind("forms.submissions", "form.submitted"),
    _Kind("surveys.submissions", "survey.submitted"),
)


def _created(record: dict[str, Any]) -> datetime | None:
    return as_utc(record.get("createdAt"))


async def _since(
    ghl: GhlClient, operation: str, floor: datetime | None, page_limit: int
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": page_limit}
    if floor is not None:
        query["startAt"] = floor.date().isoformat()
    for page in range(1, _MAX_PAGES + 1):
        answer = await ghl.invoke(operation, {**query, "page": page})
        found.extend(
            s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in answer.submissions
        )
        if not (answer.meta or {}).get("nextPage"):
            break
    return found


async def poll_submissions(
    ghl: GhlClient, ctx: PollContext, stored: dict[str, Any] | None
) -> StreamResult:
    """Both kinds, each with its own cursor under the stream's (``{kind: window cursor}``)."""
    cursors: dict[str, Any] = {}
    events: list[Event] = []
    read = 0
    for spec in _KINDS:
        mine = (stored or {}).get(spec.kind)
        tracker: WindowTracker[dict[str, Any]] = WindowTracker(
            key=lambda r: str(r["id"]), updated_at=_created, overlap=ctx.overlap_for(SUBMISSIONS)
        )
        if mine is not None:
            cursor = WindowCursor.from_json(mine)
        else:
            cursor = WindowCursor() if ctx.backfill else WindowCursor(high_water=ctx.now)
        floor = tracker.since(cursor)
        if stored is None and ctx.backfill:
            floor = ctx.now - timedelta(days=ctx.settings.backfill_days)
        found = await _since(ghl, spec.operation, floor, ctx.settings.page_limit)
        read += len(found)
        changes = tracker.diff(found, cursor)
        cursors[spec.kind] = changes.cursor.to_json()
        if ctx.emits(stored if mine is not None else None):
            events.extend(_event(ghl, ctx, spec.kind, r) for r in changes.updated)
    return StreamResult(
        stream=SUBMISSIONS, events=events, cursor=cursors, read=read, first_run=stored is None
    )


def _event(ghl: GhlClient, ctx: PollContext, kind: str, record: dict[str, Any]) -> Event:
    submission_id = str(record["id"])
    return Event(
        bridge=ctx.bridge,
        source=EventSource.GHL,
        kind=kind,
        object_type=kind.split(".", 1)[0],
        object_id=submission_id[:100],
        occurred_at=_created(record) or ctx.now,
        origin=EventOrigin.POLL,
        # A submission never changes: its id alone names it.
        dedup_key=poll_key(SUBMISSIONS, submission_id, "submitted"),
        payload={**record, "locationId": ghl.location_id},
    )
