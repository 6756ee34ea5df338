"""Imports: the list with status and progress, a plan first and then the import it counted,
pause, resume and cancel, live progress over server-sent events, the records an import set
aside (replayed one by one), and catch-up schedules.

The pages call what ``/api/imports`` and ``ghltt import`` call: the request model and
checks of :mod:`ghltt.web.imports_api`, the executor's ``JobAdmin``, the engine's replay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.responses import Response, StreamingResponse

from ghltt.core import GhlttError, InvalidInput, NotFound
from ghltt.engine.imports import OUTCOMES, Filters, check_request, create_import, outcome_totals
from ghltt.engine.imports.replay import replay_set_aside
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.recipes.cron import check_cron
from ghltt.engine.recipes.templates import sync_template_names
from ghltt.jobs.imports import recipe_of
from ghltt.store.imports import OPEN, STATUSES, ImportRecord, ImportRepository
from ghltt.web.auth import services
from ghltt.web.dashboard.context import (
    SECURITY_HEADERS,
    bridge,
    redirect,
    render,
    require_session,
    templates,
    user_errors,
    viewer_datetime,
)
from ghltt.web.imports_api import ImportRequest, create, found, move, progress_events

log = structlog.get_logger(__name__)
router = APIRouter(dependencies=[Depends(require_session)])

PAGE = 50
DIRECTIONS = ("both", "ghl_to_tt", "tt_to_ghl")


def _repo(request: Request) -> ImportRepository:
    return ImportRepository(services(request).db)


def counts(record: ImportRecord) -> dict[str, int]:
    return outcome_totals(record.progress)


def summary(record: ImportRecord) -> str:
    return ", ".join(f"{n:,} {name}" for name, n in counts(record).items() if n) or "nothing yet"


def read(record: ImportRecord) -> str:
    """Records read so far, out of the total when every direction's source gave one."""
    seen = sum(counts(record).values())
    totals = [p.get("total") for p in record.progress.values()]
    if len(totals) == len(record.directions) and all(t is not None for t in totals):
        return f"{seen:,} of {sum(int(t) for t in totals):,}"
    return f"{seen:,}"


templates.globals.update(
    import_counts=counts, import_summary=summary, import_read=read, outcomes=OUTCOMES
)


def _message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "form"
    return f"{where}: {first['msg']}"


def import_request(form: Mapping[str, Any]) -> ImportRequest:
    """The import form as the JSON API's request; InvalidInput names the bad field."""
    text = {k: str(form.get(k) or "").strip() for k in ("since", "tags", "query", "limit", "tz")}
    try:
        offset = int(text["tz"] or 0)
    except ValueError:
        raise InvalidInput("must be minutes from UTC", where="tz") from None
    body: dict[str, Any] = {
        "bridge": str(form.get("bridge") or ""),
        "recipe": str(form.get("recipe") or ""),
        "direction": str(form.get("direction") or "both"),
        "tags": [t.strip() for t in text["tags"].split(",") if t.strip()],
        "query": text["query"] or None,
        "limit": text["limit"] or None,
        "plan": True,
        "catch_up": form.get("catch_up") == "yes",
    }
    if text["since"]:
        body["since"] = viewer_datetime(text["since"], offset, "since")
    try:
        return ImportRequest.model_validate(body)
    except ValidationError as exc:
        raise InvalidInput(_message(exc)) from None


async def _start(request: Request, import_id: str) -> str | None:
    """Hand an import to the executor; why not, or None once it is queued."""
    try:
        await run_in_threadpool(services(request).admin.start_import, import_id)
        return None
    except GhlttError as exc:
        return str(exc)
    except Exception as exc:  # the executor's database: down, or never started
        log.warning("import not started", import_id=import_id, error=type(exc).__name__)
        return "the durable executor cannot be reached; see the server log"


def _list_query(request: Request) -> tuple[dict[str, str], int]:
    values = {k: str(request.query_params.get(k) or "").strip() for k in ("bridge", "status")}
    if values["status"] and values["status"] not in STATUSES:
        raise InvalidInput(f"must be one of {', '.join(STATUSES)}", where="status")
    page_text = request.query_params.get("page") or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= 10_000:
        raise InvalidInput("must be a page number from 1", where="page")
    return values, int(page_text)


def _schedules(request: Request) -> tuple[list[Any], str | None]:
    try:
        return services(request).admin.import_schedules(), None
    except GhlttError as exc:
        return [], str(exc)
    except Exception as exc:
        log.warning("import schedules unreadable", error=type(exc).__name__)
        return [], "the durable executor cannot be reached; see the server log"


async def _list_page(
    request: Request, status: int = 200, error: str | None = None, form: Any = None
) -> Response:
    views = await run_in_threadpool(bridge(request).bridges.all)
    names = {b.id: b.name for b in views}
    context: dict[str, Any] = {
        "bridges": views,
        "names": names,
        "recipes": sync_template_names(),
        "directions": DIRECTIONS,
        "statuses": STATUSES,
        "form": form or {},
        "items": [],
        "values": {},
        "newer": None,
        "older": None,
    }
    context["schedules"], context["schedules_error"] = await run_in_threadpool(_schedules, request)
    try:
        values, page = _list_query(request)
        chosen = values["bridge"]
        if chosen and chosen not in names:
            chosen = next((i for i, n in names.items() if n == chosen), "")
            if not chosen:
                raise InvalidInput(f"no bridge {values['bridge']!r}", where="bridge")
        rows = await run_in_threadpool(
            lambda: _repo(request).recent(
                chosen or None,
                limit=PAGE + 1,
                offset=(page - 1) * PAGE,
                status=values["status"] or None,
            )
        )
    except InvalidInput as exc:
        return render(request, "imports.html", status=422, error=str(exc), **context)
    params = {k: v for k, v in values.items() if v}
    context.update(
        values=values,
        items=rows[:PAGE],
        newer=_page_url(params, page - 1) if page > 1 else None,
        older=_page_url(params, page + 1) if len(rows) > PAGE else None,
    )
    return render(request, "imports.html", status=status, error=error, **context)


def _page_url(params: dict[str, str], page: int) -> str:
    return "/imports?" + urlencode({**params, "page": str(page)})


@router.get("/imports")
async def imports_page(request: Request) -> Response:
    return await _list_page(request)


@router.post("/imports")
async def plan_import(request: Request) -> Response:
    """Plan first: count what an import would do and show sample diffs, writing nothing."""
    form = await request.form()
    try:
        body = import_request(form)
        record = await run_in_threadpool(create, request, body)
    except GhlttError as exc:  # a bad field, an unknown bridge or recipe
        return await _list_page(request, status=422, error=f"Not planned: {exc}", form=form)
    why = await _start(request, record.id)
    if why:
        return redirect(f"/imports/{record.id}", f"Planned, but not started: {why}")
    return redirect(f"/imports/{record.id}", "Planning: counting what the import would do.")


@router.post("/imports/schedules")
async def add_schedule(request: Request) -> Response:
    """A catch-up import on a cron line, as ``ghltt import schedule`` makes it."""
    form = await request.form()
    ref, name = str(form.get("bridge") or ""), str(form.get("recipe") or "")
    cron, zone = str(form.get("cron") or "").strip(), str(form.get("timezone") or "").strip()
    direction = str(form.get("direction") or "both")
    async with user_errors() as failed:
        try:
            check_cron(cron)
        except ValueError as exc:
            raise InvalidInput(str(exc), where="cron") from None
        if direction not in DIRECTIONS:
            raise InvalidInput(f"must be one of {', '.join(DIRECTIONS)}", where="direction")
        recipe = _sync_recipe(name)
        view = await run_in_threadpool(bridge(request).bridges.show, ref)
        directions = recipe.model.directions if direction == "both" else (direction,)
        try:
            check_request(recipe, directions, Filters())
        except ValueError as exc:
            raise InvalidInput(str(exc), where="direction") from None
        await run_in_threadpool(
            lambda: services(request).admin.schedule_import(
                view.id, recipe.name, cron, directions=list(directions), timezone=zone or None
            )
        )
        return redirect("/imports#schedules", f"{recipe.name} on {view.name} runs at '{cron}'.")
    return redirect("/imports#schedules", f"Not scheduled: {failed.error}")


@router.post("/imports/schedules/remove")
async def remove_schedule(request: Request) -> Response:
    form = await request.form()
    ref, name = str(form.get("bridge") or ""), str(form.get("recipe") or "")
    async with user_errors() as failed:
        view = await run_in_threadpool(bridge(request).bridges.show, ref)
        gone = await run_in_threadpool(services(request).admin.unschedule_import, view.id, name)
        return redirect("/imports#schedules", "Removed." if gone else "There was no such schedule.")
    return redirect("/imports#schedules", f"Not removed: {failed.error}")


def _sync_recipe(name: str) -> SyncRecipe:
    try:
        return recipe_of(name)
    except (KeyError, FileNotFoundError):
        raise InvalidInput(f"no recipe {name!r}", where="recipe") from None
    except NotFound as exc:
        raise InvalidInput(str(exc), where="recipe") from None


def _detail(request: Request, import_id: str) -> dict[str, Any] | None:
    repo = _repo(request)
    record = repo.get(import_id)
    if record is None:
        return None
    views = bridge(request).bridges.all()
    return {
        "record": record,
        "failures": repo.failures(import_id),
        "bridge_name": next((b.name for b in views if b.id == record.bridge_id), None),
        "open": record.status in OPEN,
    }


@router.get("/imports/{import_id}")
async def import_page(request: Request, import_id: str) -> Response:
    context = await run_in_threadpool(_detail, request, import_id)
    if context is None:
        return render(request, "missing.html", status=404, what=f"import {import_id}")
    return render(request, "import.html", **context)


@router.get("/imports/{import_id}/progress")
async def progress(request: Request, import_id: str) -> Response:
    """The import's live part (status, counts, controls) re-rendered as it changes."""
    repo = _repo(request)
    if await run_in_threadpool(repo.get, import_id) is None:
        return Response(
            f"no import {import_id}",
            status_code=404,
            media_type="text/plain",
            headers=SECURITY_HEADERS,
        )
    part = templates.get_template("_import_live.html")
    csrf = request.state.session.csrf

    def frame(record: ImportRecord) -> str:
        return part.render(record=record, csrf=csrf)

    headers = {**SECURITY_HEADERS, "X-Accel-Buffering": "no"}
    stream = progress_events(request, repo, import_id, frame)
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


@router.post("/imports/{import_id}/start")
async def start_from_plan(request: Request, import_id: str) -> Response:
    """The import a finished plan counted: same bridge, recipe, directions and filters."""
    repo = _repo(request)
    async with user_errors() as failed:
        plan = await run_in_threadpool(found, repo, import_id)
        if not plan.plan_only or plan.status != "finished":
            raise InvalidInput(f"{import_id} is not a finished plan", where="import")
        recipe = _sync_recipe(plan.recipe)
        record = await run_in_threadpool(
            lambda: create_import(
                repo, plan.bridge_id, recipe, plan.directions, Filters.of(plan.filters)
            )
        )
        why = await _start(request, record.id)
        if why:
            return redirect(f"/imports/{record.id}", f"Created, but not started: {why}")
        return redirect(f"/imports/{record.id}", "Importing: the counts below follow it live.")
    return redirect(f"/imports/{import_id}", f"Not started: {failed.error}")


async def _steer(request: Request, import_id: str, action: str) -> Response:
    async with user_errors() as failed:
        await run_in_threadpool(move, _repo(request), import_id, action)
        if action == "resume":
            why = await _start(request, import_id)
            if why:
                return redirect(f"/imports/{import_id}", f"Not resumed: {why}")
        done = {"pause": "Pausing after the current page.", "resume": "Resuming."}
        return redirect(f"/imports/{import_id}", done.get(action, "Cancelled."))
    return redirect(f"/imports/{import_id}", f"Not done: {failed.error}")


@router.post("/imports/{import_id}/pause")
async def pause(request: Request, import_id: str) -> Response:
    return await _steer(request, import_id, "pause")


@router.post("/imports/{import_id}/resume")
async def resume(request: Request, import_id: str) -> Response:
    return await _steer(request, import_id, "resume")


@router.post("/imports/{import_id}/cancel")
async def cancel(request: Request, import_id: str) -> Response:
    return await _steer(request, import_id, "cancel")


@router.post("/imports/{import_id}/replay")
async def replay(request: Request, import_id: str) -> Response:
    """One record the import set aside, applied again as it is now."""
    form = await request.form()
    system, _, record_id = str(form.get("record") or "").partition(":")
    repo = _repo(request)
    async with user_errors(system if system in ("ghl", "tt") else "remote") as failed:
        record = await run_in_threadpool(found, repo, import_id)
        pending = await run_in_threadpool(repo.failures, import_id)
        chosen = [
            f
            for f in pending
            if f.system == system and f.record_id == record_id and f.status != "replayed"
        ]
        if not chosen:
            raise InvalidInput(f"{import_id} set no {system}:{record_id} aside", where="record")
        results = await replay_set_aside(
            bridge(request), record, _sync_recipe(record.recipe), chosen
        )
        [(_, result)] = results
        note = f"{system}:{record_id}: {result.outcome} {result.reason}".rstrip()
        return redirect(f"/imports/{import_id}#failures", note)
    return redirect(f"/imports/{import_id}#failures", f"Not replayed: {failed.error}")
