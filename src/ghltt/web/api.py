"""The JSON API: runs, events and dead letters out, replay. (Events come in through ``intake``.)

Lists take the same filters as the CLI's (``bridge`` by name or id, ``since`` as 2h or an ISO
date), and ids may be given as any unique prefix, as the CLI shows them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from ghltt.core import EventSource, utcnow
from ghltt.core.since import SINCE_PATTERN, parse_since
from ghltt.store import InboxRepository, RunRepository
from ghltt.store.bridges import bridge_id_of
from ghltt.store.database import Database
from ghltt.store.inbox import EventFilter
from ghltt.store.runs import RunFilter
from ghltt.web.auth import services
from ghltt.web.strict_query import API_GUARDS

router = APIRouter(prefix="/api", dependencies=API_GUARDS)

Limit = Query(50, ge=1, le=1000, description="How many, newest first (1 to 1000).")
Offset = Query(0, ge=0, le=10_000_000, description="Skip this many (the next page).")
Bridge = Query(None, description="Only this bridge (its name or id).")
Since = Query(
    None,
    pattern=SINCE_PATTERN,
    description="Only since then: a span back from now (30m, 2h, 7d) or an ISO date.",
)


def _bridge(db: Database, ref: str | None) -> str | None:
    return None if ref is None else bridge_id_of(db, ref)


def _since(text: str | None) -> datetime | None:
    return None if text is None else parse_since(text, utcnow(), where="query.since")


@router.get("/runs", summary="Recent runs, newest first")
async def list_runs(
    request: Request,
    status: str | None = None,
    bridge: str | None = Bridge,
    recipe: str | None = None,
    event: str | None = Query(None, description="Only the runs of this event (id or prefix)."),
    source: EventSource | None = Query(None, description="Only runs of events from there."),
    record: str | None = Query(None, description="Only runs about this GHL or TT record id."),
    since: str | None = Since,
    limit: int = Limit,
    offset: int = Offset,
) -> list[dict[str, Any]]:
    db = services(request).db

    def query() -> list[dict[str, Any]]:
        where = RunFilter(
            status=status,
            bridge_id=_bridge(db, bridge),
            recipe=recipe,
            event_id=InboxRepository(db).resolve(event) if event else None,
            source=source.value if source else None,
            record_id=record,
            since=_since(since),
        )
        return [
            r.as_dict() for r in RunRepository(db).list(where=where, limit=limit, offset=offset)
        ]

    return await run_in_threadpool(query)


@router.get("/runs/{run_id}", summary="One run with its steps (id, prefix or workflow id)")
async def show_run(request: Request, run_id: str) -> dict[str, Any]:
    repo = RunRepository(services(request).db)
    record = await run_in_threadpool(repo.find, run_id)
    return record.as_dict(steps=True)


@router.post("/runs/{target}/replay", status_code=202, summary="Replay a run, event or workflow")
async def replay(request: Request, target: str) -> dict[str, Any]:
    done = await run_in_threadpool(services(request).admin.replay, target)
    return done.as_dict()


@router.get("/dead-letters", summary="What exhausted its retries, with its cause")
async def dead_letters(
    request: Request,
    bridge: str | None = Bridge,
    recipe: str | None = None,
    since: str | None = Since,
    limit: int = Limit,
    offset: int = Offset,
) -> list[dict[str, Any]]:
    svc = services(request)

    def query() -> list[dict[str, Any]]:
        where = RunFilter(bridge_id=_bridge(svc.db, bridge), recipe=recipe, since=_since(since))
        return [d.as_dict() for d in svc.admin.dead_letters(where, limit=limit, offset=offset)]

    return await run_in_threadpool(query)


@router.get("/events", summary="Events that arrived, newest first, with their outcome")
async def list_events(
    request: Request,
    bridge: str | None = Bridge,
    source: str | None = None,
    kind: str | None = None,
    outcome: str | None = None,
    since: str | None = Since,
    limit: int = Limit,
    offset: int = Offset,
) -> list[dict[str, Any]]:
    db = services(request).db

    def query() -> list[dict[str, Any]]:
        where = EventFilter(
            bridge_id=_bridge(db, bridge),
            source=source,
            kind=kind,
            outcome=outcome,
            since=_since(since),
        )
        return [e.as_dict() for e in InboxRepository(db).recent(where, limit=limit, offset=offset)]

    return await run_in_threadpool(query)


@router.get("/events/{event_id}", summary="One event with its payload and runs (id or prefix)")
async def show_event(request: Request, event_id: str) -> dict[str, Any]:
    db = services(request).db

    def query() -> dict[str, Any]:
        inbox = InboxRepository(db)
        stored = inbox.get(inbox.resolve(event_id))
        assert stored is not None  # resolved just now
        data = stored.as_dict(payload=True)
        runs = RunRepository(db).list(event_id=stored.event.id, limit=100)
        data["runs"] = [r.as_dict() for r in runs]
        return data

    return await run_in_threadpool(query)
