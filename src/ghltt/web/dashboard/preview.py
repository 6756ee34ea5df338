"""Plan preview: pick an event, or a record by id, and see the writes a recipe would make
(``plan()`` in shadow mode), without making them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ghltt.core import InvalidInput
from ghltt.engine.catalog import action_catalog
from ghltt.engine.preview import preview
from ghltt.engine.recipes.templates import list_templates, load_template
from ghltt.store import InboxRepository
from ghltt.store.dashboard import DashboardQueries
from ghltt.web.auth import services
from ghltt.web.dashboard.context import bridge, render, require_session, user_errors

router = APIRouter(dependencies=[Depends(require_session)])


@router.get("/preview")
async def preview_page(
    request: Request,
    bridge_ref: str = "",
    recipe: str = "",
    event: str = "",
    record: str = "",
) -> Response:
    svc = bridge(request)
    bridges = await run_in_threadpool(svc.bridges.all)
    context: dict[str, Any] = {
        "bridges": bridges,
        "templates": list_templates(),
        "chosen": {"bridge": bridge_ref, "recipe": recipe, "event": event, "record": record},
        "events": [],
        "report": None,
        "error": None,
    }
    chosen = next((b for b in bridges if bridge_ref in (b.id, b.name)), None)
    if chosen is None:
        if bridge_ref:
            context["error"] = f"bridge: no bridge {bridge_ref!r}"
        elif bridges:
            context["chosen"]["bridge"] = bridges[0].id
        return render(request, "preview.html", **context)
    queries = DashboardQueries(services(request).db)
    context["events"] = await run_in_threadpool(
        lambda: queries.recent_events(chosen.id, object_id=record.strip() or None)
    )
    if not recipe or not (event or record):
        return render(request, "preview.html", **context)
    async with user_errors() as failed:
        event_id = event or (context["events"][0].id if context["events"] else "")
        if not event_id:
            raise InvalidInput("no event about this record has arrived yet", where="record")
        stored = await run_in_threadpool(InboxRepository(services(request).db).get, event_id)
        if stored is None or stored.event.bridge != chosen.id:
            raise InvalidInput(f"no event {event_id!r} on this bridge", where="event")
        compiled = load_template(recipe, action_catalog())
        context["report"] = await preview(svc, chosen.id, compiled, stored.event)
        context["chosen"]["event"] = event_id
    context["error"] = failed.error
    return render(request, "preview.html", status=422 if failed.error else 200, **context)
