"""Runs: the list (paged and filtered in SQL), one run's timeline, replay, and a live tail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio
import orjson
import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from ghltt.core import GhlttError, InvalidInput, utcnow
from ghltt.jobs.bridge_schedules import RECONCILE_RUN
from ghltt.store import InboxRepository, RunRepository
from ghltt.store.dashboard import DashboardQueries, parse_cursor
from ghltt.store.runs import RUN_STATUSES, SOURCES, RunFilter
from ghltt.web.auth import services
from ghltt.web.dashboard.context import (
    SECURITY_HEADERS,
    bridge,
    redirect,
    render,
    require_session,
    templates,
    viewer_datetime,
)
from ghltt.web.dashboard.replays import replays

log = structlog.get_logger(__name__)
router = APIRouter(dependencies=[Depends(require_session)])

PAGE = 50
WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7)}
TAIL_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Query:
    """The filter form as given, for the page to show it back, and the filter it means."""

    values: dict[str, str]
    filter: RunFilter
    before: tuple[datetime, str] | None


def parse_query(params: Any) -> Query:
    """The runs filter of a query string; InvalidInput names a bad field."""
    keys = ("status", "bridge", "recipe", "source", "record", "window", "since", "until", "tz")
    values = {k: str(params.get(k) or "").strip() for k in keys}
    if values["status"] and values["status"] not in RUN_STATUSES:
        raise InvalidInput(f"must be one of {', '.join(RUN_STATUSES)}", where="status")
    if values["source"] and values["source"] not in SOURCES:
        raise InvalidInput(f"must be one of {', '.join(SOURCES)}", where="source")
    if values["window"] and values["window"] not in WINDOWS:
        raise InvalidInput(f"must be one of {', '.join(WINDOWS)}", where="window")
    try:
        offset = int(values["tz"] or 0)
    except ValueError:
        raise InvalidInput("must be minutes from UTC", where="tz") from None
    since = viewer_datetime(values["since"], offset, "since") if values["since"] else None
    until = viewer_datetime(values["until"], offset, "until") if values["until"] else None
    if values["window"]:
        since = max(filter(None, [since, utcnow() - WINDOWS[values["window"]]]))
    before_text = str(params.get("before") or "")
    before = parse_cursor(before_text) if before_text else None
    if before_text and before is None:
        raise InvalidInput("is not a page cursor", where="before")
    run_filter = RunFilter(
        status=values["status"] or None,
        bridge_id=values["bridge"] or None,
        recipe=values["recipe"] or None,
        source=values["source"] or None,
        since=since,
        until=until,
        record_id=values["record"] or None,
    )
    return Query(values, run_filter, before)


def _choices(request: Request) -> dict[str, Any]:
    views = bridge(request).bridges.all()
    # A run's recipe is named "<bridge>:<recipe>" (its durable queue's key), so the choices
    # come from what the bridges enable, not from a scan of the runs.
    recipes = {f"{b.id}:{r.recipe}" for b in views for r in b.recipes} | {RECONCILE_RUN}
    return {
        "statuses": RUN_STATUSES,
        "sources": SOURCES,
        "windows": list(WINDOWS),
        "bridges": [(b.id, b.name) for b in views],
        "recipes": sorted(recipes),
    }


@router.get("/runs")
async def runs_page(request: Request) -> Response:
    choices = await run_in_threadpool(_choices, request)
    try:
        query = parse_query(request.query_params)
    except InvalidInput as exc:
        return render(
            request, "runs.html", status=422, error=str(exc), items=[], query=None, **choices
        )
    queries = DashboardQueries(services(request).db)
    items = await run_in_threadpool(
        lambda: queries.runs_page(query.filter, before=query.before, limit=PAGE + 1)
    )
    more = len(items) > PAGE
    items = items[:PAGE]
    older = _page_url(request, items[-1].cursor) if more else None
    return render(
        request, "runs.html", error=None, items=items, query=query, older=older, **choices
    )


def _page_url(request: Request, cursor: str) -> str:
    params = dict(request.query_params)
    params["before"] = cursor
    return str(request.url.replace_query_params(**params).include_query_params())


@router.get("/runs/tail")
async def tail(request: Request) -> Response:
    """New and changed runs as server-sent events (``event: run``, a table row each)."""
    queries = DashboardQueries(services(request).db)
    row = templates.get_template("_run_row.html")

    async def events() -> AsyncIterator[str]:
        since = utcnow() - timedelta(seconds=2)
        yield "retry: 2000\n\n"
        idle = 0.0
        while not await request.is_disconnected():
            changed = await run_in_threadpool(queries.changed_since, since)
            for item in changed:
                html = row.render(item=item).replace("\n", " ")
                yield f"event: run\ndata: {html}\n\n"
                at = item.run.finished_at or item.run.started_at
                if at and at > since:
                    since = at
            idle = 0.0 if changed else idle + TAIL_POLL_SECONDS
            if idle >= 15:
                yield ": still here\n\n"
                idle = 0.0
            await anyio.sleep(TAIL_POLL_SECONDS)

    headers = {**SECURITY_HEADERS, "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/runs/{run_id}")
async def run_page(request: Request, run_id: str) -> Response:
    db = services(request).db
    record = await run_in_threadpool(RunRepository(db).get, run_id)
    if record is None:
        return render(request, "missing.html", status=404, what=f"run {run_id}")
    stored = await run_in_threadpool(InboxRepository(db).get, record.event_id)
    return render(request, "run.html", run=record, event=stored.event if stored else None)


async def _replay(request: Request, run_id: str) -> tuple[str | None, str]:
    """The JSON API's replay; the new workflow's id, or None and why not."""
    try:
        replayed = await run_in_threadpool(services(request).admin.replay, run_id)
        return replayed.workflow_id, ""
    except GhlttError as exc:
        return None, str(exc)
    except Exception as exc:  # the executor's database: down, or never started
        log.warning("replay failed", run=run_id, error=type(exc).__name__)
        return None, "the durable executor cannot be reached; see the server log"


@router.post("/runs/{run_id}/replay")
async def replay(request: Request, run_id: str) -> Response:
    new_id, why = await _replay(request, run_id)
    if new_id is None:
        return redirect(f"/runs/{run_id}", f"Not replayed: {why}")
    return redirect(f"/runs/{run_id}", f"Replaying as {new_id}; watch it in the live tail.")


@router.post("/runs/replay-dead")
async def replay_dead(request: Request) -> Response:
    """Replay every dead letter (failed run) that the list's filter matches, in the
    background; the page it leads to shows the progress."""
    form = await request.form()
    try:
        query = parse_query(form)
    except InvalidInput as exc:
        return redirect("/runs", f"Nothing replayed: {exc}")
    started = replays.start(services(request).admin, query.filter)
    note = "Replaying the dead letters this filter matches."
    return redirect(f"/runs/replays/{started.id}", note)


@router.get("/runs/replays/{replay_id}")
async def bulk_replay_page(request: Request, replay_id: str) -> Response:
    found = replays.get(replay_id)
    if found is None:
        return render(request, "missing.html", status=404, what=f"bulk replay {replay_id}")
    return render(request, "bulk_replay.html", replay=found)


@router.get("/runs/replays/{replay_id}/progress")
async def bulk_replay_progress(request: Request, replay_id: str) -> Response:
    """The progress partial the page polls (htmx) until the replay is done."""
    found = replays.get(replay_id)
    if found is None:
        return render(request, "missing.html", status=404, what=f"bulk replay {replay_id}")
    return render(request, "_bulk_progress.html", replay=found)


@dataclass(frozen=True)
class FieldChange:
    name: str
    value: str
    source: str  # where the value came from (provenance), e.g. "ghl: email"


@dataclass(frozen=True)
class WriteView:
    system: str
    action: str
    object_type: str
    object_id: str | None
    fields: list[FieldChange]


def writes_of(output: Any) -> list[WriteView]:
    """A step's report as field-level changes, each with its provenance."""
    if not isinstance(output, dict):
        return []
    sources: dict[tuple[str, str, str], str] = {}
    for p in output.get("provenance") or []:
        if isinstance(p, dict):
            key = (str(p.get("target_system")), str(p.get("object_type")), str(p.get("field")))
            sources[key] = f"{str(p.get('source_system', '')).upper()}: {p.get('source_path', '')}"
    views = []
    for w in output.get("writes") or []:
        if not isinstance(w, dict):
            continue
        system, object_type = str(w.get("system")), str(w.get("object_type"))
        fields = [
            FieldChange(
                name=str(name),
                value=orjson.dumps(value, default=str).decode(),
                source=sources.get((system, object_type, str(name)), ""),
            )
            for name, value in (w.get("fields") or {}).items()
        ]
        views.append(
            WriteView(system, str(w.get("action")), object_type, w.get("object_id"), fields)
        )
    return views


def pretty(value: Any) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_INDENT_2).decode()


templates.globals.update(writes_of=writes_of, pretty=pretty)
