"""The JSON API of imports: start one (or a plan) in the executor, list, show, pause, resume,
cancel, and follow its progress as server-sent events (what the dashboard shows)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ghltt.core import InvalidInput, NotFound
from ghltt.engine.imports import Filters, create_import
from ghltt.jobs.imports import recipe_of
from ghltt.store.bridges import BridgeRepository
from ghltt.store.imports import OPEN, ImportRecord, ImportRepository
from ghltt.web.auth import services
from ghltt.web.strict_query import API_GUARDS

router = APIRouter(prefix="/api/imports", dependencies=API_GUARDS)

# How often the progress stream looks at the import's checkpoint.
STREAM_INTERVAL = 1.0


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bridge: str = Field(min_length=1)
    recipe: str = Field(min_length=1)
    direction: Literal["ghl_to_tt", "tt_to_ghl", "both"] = "both"
    since: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    query: str | None = None
    limit: int | None = Field(default=None, ge=1, le=10_000_000)
    plan: bool = False
    catch_up: bool = False


def _repo(request: Request) -> ImportRepository:
    return ImportRepository(services(request).db)


def found(repo: ImportRepository, import_id: str) -> ImportRecord:
    record = repo.get(import_id)
    if record is None:
        raise NotFound(f"no import with id {import_id!r}")
    return record


def create(request: Request, body: ImportRequest) -> ImportRecord:
    """The import (or plan) ``body`` asks for, in the store; InvalidInput says what is wrong."""
    try:
        recipe = recipe_of(body.recipe)
    except (KeyError, FileNotFoundError):
        raise InvalidInput(f"no recipe {body.recipe!r}", where="body.recipe") from None
    except NotFound as exc:
        raise InvalidInput(str(exc), where="body.recipe") from None
    bridge = BridgeRepository(services(request).db).resolve(body.bridge)
    directions = recipe.model.directions if body.direction == "both" else (body.direction,)
    filters = Filters(body.since, tuple(body.tags), body.query, body.limit)
    try:
        return create_import(
            _repo(request),
            bridge.id,
            recipe,
            directions,
            filters,
            plan_only=body.plan,
            catch_up=body.catch_up,
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), where="body") from None


@router.post("", status_code=202, summary="Start an import (or a plan) in the executor")
async def start(request: Request, body: ImportRequest) -> dict[str, Any]:
    record = await run_in_threadpool(create, request, body)
    workflow = await run_in_threadpool(services(request).admin.start_import, record.id)
    return {**record.as_dict(), "workflow_id": workflow}


@router.get("", summary="Recent imports and plans, newest first")
async def list_imports(
    request: Request,
    bridge: str | None = None,
    limit: int = Query(50, ge=1, le=1000, description="How many, newest first (1 to 1000)."),
) -> list[dict[str, Any]]:
    records = await run_in_threadpool(_repo(request).recent, bridge, limit=limit)
    return [r.as_dict() for r in records]


def _detail(repo: ImportRepository, import_id: str) -> dict[str, Any]:
    record = found(repo, import_id)
    return {**record.as_dict(), "failures": [f.as_dict() for f in repo.failures(import_id)]}


@router.get("/{import_id}", summary="One import: its checkpoint, samples and set-aside records")
async def show(request: Request, import_id: str) -> dict[str, Any]:
    return await run_in_threadpool(_detail, _repo(request), import_id)


# What each steering action moves an import to, and from which states it may.
MOVES: dict[str, tuple[str, frozenset[str]]] = {
    "pause": ("paused", frozenset({"pending", "running"})),
    "cancel": ("cancelled", OPEN | frozenset({"failed"})),
    "resume": ("pending", frozenset({"paused", "failed"})),
}


def move(repo: ImportRepository, import_id: str, action: str) -> ImportRecord:
    """Pause, cancel or resume (the caller then hands a resumed import to the executor)."""
    status, only_from = MOVES[action]
    record = found(repo, import_id)
    if not repo.set_status(import_id, status, only_from=only_from):
        raise InvalidInput(f"import {import_id} is {record.status}", where="path.import_id")
    return found(repo, import_id)


@router.post("/{import_id}/pause", summary="Stop after the current page")
async def pause(request: Request, import_id: str) -> dict[str, Any]:
    await run_in_threadpool(move, _repo(request), import_id, "pause")
    return await show(request, import_id)


@router.post("/{import_id}/cancel", summary="Stop for good after the current page")
async def cancel(request: Request, import_id: str) -> dict[str, Any]:
    await run_in_threadpool(move, _repo(request), import_id, "cancel")
    return await show(request, import_id)


@router.post("/{import_id}/resume", status_code=202, summary="Go on from the last checkpoint")
async def resume(request: Request, import_id: str) -> dict[str, Any]:
    await run_in_threadpool(move, _repo(request), import_id, "resume")
    workflow = await run_in_threadpool(services(request).admin.start_import, import_id)
    return {**(await show(request, import_id)), "workflow_id": workflow}


def progress_events(
    request: Request,
    repo: ImportRepository,
    import_id: str,
    frame: Callable[[ImportRecord], str],
) -> AsyncIterator[str]:
    """An import's progress as server-sent events: ``progress`` with ``frame(record)`` each
    time it changes, then ``end`` with its status once it is over (or the client left)."""

    async def events() -> AsyncIterator[str]:
        last: str | None = None
        while True:
            record = await run_in_threadpool(repo.get, import_id)
            if record is None:
                return
            body = frame(record)
            if body != last:
                data = "".join(f"data: {line}\n" for line in body.splitlines() or [""])
                yield f"event: progress\n{data}\n"
                last = body
            if record.status not in OPEN or await request.is_disconnected():
                yield f"event: end\ndata: {json.dumps({'status': record.status})}\n\n"
                return
            await anyio.sleep(STREAM_INTERVAL)

    return events()


@router.get(
    "/{import_id}/events",
    summary="Progress as server-sent events until it is over",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def progress_stream(request: Request, import_id: str) -> StreamingResponse:
    repo = _repo(request)
    await run_in_threadpool(found, repo, import_id)
    stream = progress_events(
        request, repo, import_id, lambda r: json.dumps(r.as_dict(), default=str)
    )
    return StreamingResponse(stream, media_type="text/event-stream")
