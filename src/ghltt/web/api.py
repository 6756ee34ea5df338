"""The JSON API: runs and dead letters out, replay. (Events come in through ``intake``.)"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from ghltt.core import InvalidInput
from ghltt.store import RunRepository
from ghltt.web.auth import require_token, services

router = APIRouter(prefix="/api", dependencies=[Depends(require_token)])


@router.get("/runs", summary="Recent runs, newest first")
async def list_runs(request: Request, status: str | None = None, limit: int = 50) -> Any:
    if not 1 <= limit <= 1000:
        raise InvalidInput("must be between 1 and 1000", where="query.limit")
    repo = RunRepository(services(request).db)
    records = await run_in_threadpool(repo.list, status=status, limit=limit)
    return [r.as_dict() for r in records]


@router.get("/runs/{run_id}", summary="One run with its steps")
async def show_run(request: Request, run_id: str) -> Any:
    repo = RunRepository(services(request).db)
    record = await run_in_threadpool(repo.get, run_id)
    if record is None:
        raise HTTPException(404, detail=f"no run with id {run_id!r}")
    return record.as_dict(steps=True)


@router.post("/runs/{target}/replay", status_code=202, summary="Replay a run, event or workflow")
async def replay(request: Request, target: str) -> Any:
    new_id = await run_in_threadpool(services(request).admin.replay, target)
    return {"workflow_id": new_id}


@router.get("/dead-letters", summary="Runs that exhausted their retries")
async def dead_letters(request: Request, limit: int = 50) -> Any:
    letters = await run_in_threadpool(services(request).admin.dead_letters, limit)
    return [d.as_dict() for d in letters]
