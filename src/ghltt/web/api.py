"""The JSON API: events in by hand, runs and dead letters out, replay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ghltt.core import Event, EventOrigin, EventSource, InvalidInput, dedup_key_for
from ghltt.jobs import IntakeOverloaded
from ghltt.store import RunRepository
from ghltt.web import metrics
from ghltt.web.auth import require_token, services
from ghltt.web.errors import problem
from ghltt.web.responses import JSONResponse

MAX_EVENTS_PER_REQUEST = 1000


class EventIn(BaseModel):
    """An event submitted by hand. ``dedup_key`` defaults to a hash of the event's content."""

    model_config = ConfigDict(extra="forbid")

    bridge: str = Field(default="default", min_length=1, max_length=64)
    source: EventSource = EventSource.MANUAL
    kind: str = Field(min_length=1, max_length=100)
    object_type: str | None = Field(default=None, max_length=50)
    object_id: str | None = Field(default=None, max_length=100)
    occurred_at: datetime | None = None
    dedup_key: str | None = Field(default=None, min_length=1, max_length=200)
    changed_fields: list[str] | None = None
    payload: dict[str, Any] = Field(default_factory=dict)

    def to_event(self) -> Event:
        if self.dedup_key:
            key = f"{self.source.value}:{self.dedup_key}"
        else:
            content = self.model_dump(mode="json", exclude={"dedup_key"})
            key = dedup_key_for(
                self.source.value, None, orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
            )
        fields: dict[str, Any] = {
            "bridge": self.bridge,
            "source": self.source,
            "kind": self.kind,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "origin": EventOrigin.MANUAL,
            "dedup_key": key,
            "changed_fields": self.changed_fields,
            "payload": self.payload,
        }
        if self.occurred_at is not None:
            fields["occurred_at"] = self.occurred_at
        return Event(**fields)


_EVENTS: TypeAdapter[EventIn | list[EventIn]] = TypeAdapter(EventIn | list[EventIn])  # type: ignore[arg-type]


def _require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise HTTPException(415, detail="send the body as JSON with Content-Type: application/json")


async def parse_events(request: Request) -> list[Event]:
    _require_json(request)
    body = await request.body()
    try:
        parsed = _EVENTS.validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"] if p not in ("EventIn", "list[EventIn]")]
        where = ".".join(loc) or "body"
        raise InvalidInput(first["msg"], where=where) from None
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items:
        raise InvalidInput("send at least one event", where="body")
    if len(items) > MAX_EVENTS_PER_REQUEST:
        raise InvalidInput(f"at most {MAX_EVENTS_PER_REQUEST} events per request", where="body")
    try:
        return [item.to_event() for item in items]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(first["msg"], where=".".join(str(p) for p in first["loc"])) from None


router = APIRouter(prefix="/api", dependencies=[Depends(require_token)])


@router.post("/events", status_code=202, summary="Submit events by hand (one or a list)")
async def submit_events(request: Request) -> JSONResponse:
    events = await parse_events(request)
    svc = services(request)
    try:
        accepted = await svc.intake.submit(events)
    except IntakeOverloaded as exc:
        metrics.EVENTS_REFUSED.labels("overloaded").inc()
        return problem(429, "overloaded", str(exc), headers={"Retry-After": "1"})
    results = []
    for event, result in zip(events, accepted, strict=True):
        if result.duplicate:
            metrics.EVENTS_DUPLICATE.labels(event.source.value).inc()
        else:
            metrics.EVENTS_ACCEPTED.labels(event.source.value, event.origin.value).inc()
        results.append({"event_id": result.event_id, "duplicate": result.duplicate})
    return JSONResponse({"accepted": results}, status_code=202)


@router.get("/runs", summary="Recent runs, newest first")
async def list_runs(request: Request, status: str | None = None, limit: int = 50) -> Any:
    if not 1 <= limit <= 1000:
        raise InvalidInput("must be between 1 and 1000", where="query.limit")
    repo = RunRepository(services(request).engine)
    records = await run_in_threadpool(repo.list, status=status, limit=limit)
    return [_run_json(r) for r in records]


@router.get("/runs/{run_id}", summary="One run with its steps")
async def show_run(request: Request, run_id: str) -> Any:
    repo = RunRepository(services(request).engine)
    record = await run_in_threadpool(repo.get, run_id)
    if record is None:
        raise HTTPException(404, detail=f"no run with id {run_id!r}")
    return {**_run_json(record), "steps": [_step(s) for s in record.steps]}


@router.post("/runs/{target}/replay", status_code=202, summary="Replay a run, event or workflow")
async def replay(request: Request, target: str) -> Any:
    new_id = await run_in_threadpool(services(request).admin.replay, target)
    return {"workflow_id": new_id}


@router.get("/dead-letters", summary="Runs that exhausted their retries")
async def dead_letters(request: Request, limit: int = 50) -> Any:
    letters = await run_in_threadpool(services(request).admin.dead_letters, limit)
    return [
        {
            "workflow_id": d.workflow_id,
            "event_id": d.event_id,
            "status": d.status,
            "error": d.error,
            "created_at": d.created_at,
        }
        for d in letters
    ]


def _run_json(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "workflow_id": r.workflow_id,
        "event_id": r.event_id,
        "bridge": r.bridge_id,
        "recipe": r.recipe,
        "status": r.status,
        "error": r.error,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
    }


def _step(s: Any) -> dict[str, Any]:
    return {
        "position": s.position,
        "action": s.action,
        "status": s.status,
        "input": s.input,
        "output": s.output,
        "error": s.error,
        "attempts": s.attempts,
        "finished_at": s.finished_at,
    }
