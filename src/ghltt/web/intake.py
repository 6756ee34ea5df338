"""Event intake over HTTP: the hot path, so plain Starlette endpoints rather than FastAPI routes.

FastAPI's routing and dependency machinery cost more per request than everything else the
intake does (measured: about 230 µs of a 400 µs request on a 2-core machine), and bursts of
thousands of webhooks are exactly when that matters. The endpoints keep the app's error
handlers and middleware; their OpenAPI entries are declared in :func:`openapi_paths`.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from ghltt.core import Event, EventOrigin, EventSource, InvalidInput, dedup_key_for
from ghltt.store.routing import bridge_by_id
from ghltt.web import metrics
from ghltt.web.auth import authenticate, services
from ghltt.web.errors import problem
from ghltt.web.hooks import hook_state
from ghltt.web.intake_writer import IntakeOverloaded
from ghltt.web.responses import JSONResponse

MAX_EVENTS_PER_REQUEST = 1000
KIND_PATTERN = r"^[A-Za-z0-9_]*[A-Za-z0-9][A-Za-z0-9_]*(\.[A-Za-z0-9_]*[A-Za-z0-9][A-Za-z0-9_]*)+$"
NO_BRIDGE = "default"  # an event for no bridge in particular: kept and listed, runs nothing


class EventIn(BaseModel):
    """An event submitted by hand. ``dedup_key`` defaults to a hash of the event's content."""

    model_config = ConfigDict(extra="forbid")

    bridge: str = Field(
        default=NO_BRIDGE,
        min_length=1,
        max_length=64,
        description="The id of an existing bridge ('ghltt bridges list'); none by default.",
    )
    source: EventSource = EventSource.MANUAL
    kind: str = Field(
        min_length=3,
        max_length=100,
        pattern=KIND_PATTERN,
        description="object.verb, e.g. contact.updated",
    )
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


_Batch = Annotated[list[EventIn], Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)]
_EVENTS: TypeAdapter[EventIn | list[EventIn]] = TypeAdapter(EventIn | _Batch)  # type: ignore[arg-type]


def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise HTTPException(415, detail="send the body as JSON with Content-Type: application/json")


_MESSAGES = {
    "string_pattern_mismatch": "must look like 'object.verb', e.g. 'contact.updated'",
    "too_short": "send at least one event",
    "too_long": f"at most {MAX_EVENTS_PER_REQUEST} events per request",
}


def _first_error(exc: ValidationError, *, batch: bool = False) -> InvalidInput:
    """The first problem of the shape sent (one event or a list), not of the other one."""
    branch = "list[EventIn]" if batch else "EventIn"
    errors = exc.errors()
    first = next((e for e in errors if e["loc"][:1] == (branch,)), errors[0])
    loc = [str(p) for p in first["loc"] if p not in ("EventIn", "list[EventIn]")]
    return InvalidInput(_MESSAGES.get(first["type"], first["msg"]), where=".".join(loc) or "body")


async def parse_events(request: Request) -> list[Event]:
    require_json(request)
    body = await request.body()
    try:
        parsed = _EVENTS.validate_json(body)
    except ValidationError as exc:
        raise _first_error(exc, batch=body.lstrip()[:1] == b"[") from None
    items = parsed if isinstance(parsed, list) else [parsed]
    try:
        return [item.to_event() for item in items]
    except ValidationError as exc:
        raise _first_error(exc) from None


async def _require_bridges(request: Request, events: list[Event]) -> None:
    """An event for a bridge that does not exist would never run: refuse it (cached lookups,
    so a burst costs no store reads)."""
    db = services(request).db
    cache = hook_state(request.app).routes
    for index, bridge in enumerate(e.bridge for e in events):
        if bridge == NO_BRIDGE:
            continue
        if await cache.get(f"bridge:{bridge}", partial(bridge_by_id, db, bridge)) is None:
            where = f"{index}.bridge" if len(events) > 1 else "bridge"
            raise InvalidInput(
                f"no bridge with id {bridge[:64]!r} ('ghltt bridges list' shows them)",
                where=where,
            )


async def submit_events(request: Request) -> JSONResponse:
    """POST /api/events: commit events (one or a list), then answer 202 with their ids."""
    authenticate(request)
    events = await parse_events(request)
    await _require_bridges(request, events)
    try:
        accepted = await services(request).intake.submit(events)
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


async def baseline_events(request: Request) -> JSONResponse:
    """The intake's twin that stores nothing: the yardstick of ``bench/intake.py``."""
    authenticate(request)
    events = await parse_events(request)
    results = [{"event_id": e.id, "duplicate": False} for e in events]
    return JSONResponse({"accepted": results}, status_code=202)


def routes(*, baseline: bool) -> list[Route]:
    found = [Route("/api/events", submit_events, methods=["POST"])]
    if baseline:
        found.append(Route("/bench/baseline/events", baseline_events, methods=["POST"]))
    return found


def openapi_paths() -> tuple[dict[str, Any], dict[str, Any]]:
    """OpenAPI entries for the Starlette endpoints, which FastAPI cannot see, and the schemas
    they refer to (for ``components.schemas``)."""
    schema = _EVENTS.json_schema(ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    defs["AcceptedEvent"] = {
        "type": "object",
        "required": ["event_id", "duplicate"],
        "properties": {"event_id": {"type": "string"}, "duplicate": {"type": "boolean"}},
    }
    accepted = {
        "type": "object",
        "required": ["accepted"],
        "properties": {
            "accepted": {"type": "array", "items": {"$ref": "#/components/schemas/AcceptedEvent"}}
        },
    }
    paths = {
        "/api/events": {
            "post": {
                "summary": "Submit events by hand (one or a list of up to 1,000)",
                "operationId": "submit_events",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": schema}},
                },
                "responses": {
                    "202": {
                        "description": "Committed: each event's id and whether it was new",
                        "content": {"application/json": {"schema": accepted}},
                    },
                    "422": {"description": "Invalid event or unknown bridge; names the field"},
                    "429": {"description": "Intake queue full; retry after Retry-After"},
                },
            }
        }
    }
    return paths, defs
