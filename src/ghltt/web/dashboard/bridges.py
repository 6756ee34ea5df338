"""Bridges: add one, switch its mode (shadow to live shows the last shadow plans first),
enable and disable templates with a parameter form, and validate a pasted recipe file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ghltt.bridges import MODES, BridgeView
from ghltt.core import InvalidInput
from ghltt.engine.catalog import action_catalog
from ghltt.engine.mapping.errors import Invalid, Problem
from ghltt.engine.recipes import required_scopes
from ghltt.engine.recipes.loader import check_recipe_text
from ghltt.engine.recipes.templates import list_templates, load_template, sync_template_names
from ghltt.store.dashboard import DashboardQueries
from ghltt.web.auth import services
from ghltt.web.dashboard.context import bridge, redirect, render, require_session, user_errors

router = APIRouter(dependencies=[Depends(require_session)])

SHADOW_PLANS_SHOWN = 10
MAX_RECIPE_BYTES = 256 * 1024


@dataclass(frozen=True)
class ParamField:
    """One input of a recipe's parameter form, typed by the recipe's default value."""

    name: str
    kind: str  # checkbox, number, text, json
    value: str
    checked: bool = False


def param_fields(defaults: dict[str, Any], current: dict[str, Any]) -> list[ParamField]:
    fields = []
    for name, default in defaults.items():
        value = current.get(name, default)
        if isinstance(default, bool):
            fields.append(ParamField(name, "checkbox", "true", checked=bool(value)))
        elif isinstance(default, int | float):
            fields.append(ParamField(name, "number", str(value)))
        elif isinstance(default, str):
            fields.append(ParamField(name, "text", str(value)))
        else:
            fields.append(ParamField(name, "json", orjson.dumps(value).decode()))
    return fields


def read_params(defaults: dict[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values, typed like the defaults; InvalidInput names the field."""
    values: dict[str, Any] = {}
    for name, default in defaults.items():
        raw = form.get(f"param.{name}")
        text = raw if isinstance(raw, str) else ""
        where = f"params.{name}"
        if isinstance(default, bool):
            values[name] = text == "true"
        elif isinstance(default, int | float):
            try:
                number = float(text)
            except ValueError:
                raise InvalidInput("must be a number", where=where) from None
            values[name] = (
                int(number) if isinstance(default, int) and number.is_integer() else number
            )
        elif isinstance(default, str):
            values[name] = text
        else:
            try:
                values[name] = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise InvalidInput("must be JSON (a list or an object)", where=where) from None
            if type(values[name]) is not type(default):
                raise InvalidInput(f"must be a {type(default).__name__}", where=where)
    return values


def _page(request: Request) -> dict[str, Any]:
    svc = bridge(request)
    return {
        "bridges": svc.bridges.all(),
        "connections": svc.connections.all(),
        "templates": list_templates(),
        "modes": MODES,
    }


@router.get("/bridges")
async def bridges_page(request: Request) -> Response:
    return render(request, "bridges.html", **await run_in_threadpool(_page, request))


@router.post("/bridges")
async def add_bridge(
    request: Request,
    name: str = Form(""),
    ghl_connection: str = Form(""),
    tt_connection: str = Form(""),
    mode: str = Form("shadow"),
) -> Response:
    async with user_errors("tt") as failed:
        view = await bridge(request).bridges.add(
            name=name.strip(), ghl_connection=ghl_connection, tt_connection=tt_connection, mode=mode
        )
        return redirect(f"/bridges#{view.id}", f"Bridge {view.name} added in {view.mode} mode.")
    return redirect("/bridges", f"Not added: {failed.error}")


@router.post("/bridges/{ref}/mode")
async def switch_mode(
    request: Request, ref: str, mode: str = Form(""), reviewed: str = Form("")
) -> Response:
    """Going live from shadow shows the last shadow plans first: that is the staging step."""
    svc = bridge(request).bridges
    async with user_errors() as failed:
        view = await run_in_threadpool(svc.show, ref)
        if view.mode == "shadow" and mode == "live" and reviewed != "yes":
            plans = await run_in_threadpool(
                DashboardQueries(services(request).db).runs_with_outcome,
                view.id,
                "planned",
                SHADOW_PLANS_SHOWN,
            )
            return render(request, "go_live.html", bridge=view, plans=plans)
        changed = await run_in_threadpool(svc.set_mode, view.id, mode)
        return redirect(f"/bridges#{changed.id}", f"{changed.name} is now in {changed.mode} mode.")
    return redirect("/bridges", f"Mode not changed: {failed.error}")


@router.get("/bridges/{ref}/recipes/{name}")
async def recipe_form(request: Request, ref: str, name: str) -> Response:
    svc = bridge(request).bridges
    async with user_errors() as failed:
        view = await run_in_threadpool(svc.show, ref)
        compiled = load_template(name, action_catalog())
        current = (svc.settings(view.id).get("recipe_params") or {}).get(name) or {}
        return render(
            request,
            "recipe_form.html",
            bridge=view,
            recipe=compiled,
            fields=param_fields(dict(compiled.params), dict(current)),
            scopes=sorted(required_scopes(compiled, action_catalog())),
            enabled=_enabled(view, name),
        )
    return redirect("/bridges", f"No such template: {failed.error}")


def _enabled(view: BridgeView, name: str) -> bool:
    return any(r.recipe == name and r.enabled for r in view.recipes)


@router.post("/bridges/{ref}/recipes/{name}")
async def enable_recipe(request: Request, ref: str, name: str) -> Response:
    """Save the template's parameters for this bridge and enable it (scopes are checked)."""
    svc = bridge(request).bridges
    form = await request.form()
    async with user_errors() as failed:
        view = await run_in_threadpool(svc.show, ref)
        compiled = load_template(name, action_catalog())
        values = read_params(dict(compiled.params), form)
        params = dict(svc.settings(view.id).get("recipe_params") or {})
        params[name] = values
        await run_in_threadpool(svc.update_settings, view.id, {"recipe_params": params})
        needed = sorted(required_scopes(compiled, action_catalog()))
        warnings = await run_in_threadpool(svc.enable_recipe, view.id, name, needed)
        note = " ".join([f"{name} is enabled on {view.name}.", *warnings])
        return redirect(f"/bridges#{view.id}", note)
    return redirect(f"/bridges/{ref}/recipes/{name}", f"Not enabled: {failed.error}")


@router.post("/bridges/{ref}/recipes/{name}/disable")
async def disable_recipe(request: Request, ref: str, name: str) -> Response:
    async with user_errors() as failed:
        done = await run_in_threadpool(bridge(request).bridges.disable_recipe, ref, name)
        return redirect(f"/bridges#{ref}", f"{name} {'disabled' if done else 'was not enabled'}.")
    return redirect("/bridges", f"Not disabled: {failed.error}")


@router.get("/recipes/validate")
async def validate_form(request: Request) -> Response:
    return render(request, "validate.html", text="", problems=None, lines=[])


@router.post("/recipes/validate")
async def validate(request: Request) -> Response:
    """Check a pasted or uploaded recipe file; each problem is shown at its line."""
    form = await request.form()
    upload = form.get("file")
    text = form.get("text")
    name = "pasted.yaml"
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_RECIPE_BYTES + 1)
        name = upload.filename
        text = raw.decode("utf-8", errors="replace") if len(raw) <= MAX_RECIPE_BYTES else ""
    if not isinstance(text, str) or not text.strip():
        problems = [Problem(name, None, None, "", "paste a recipe, or choose a file under 256 KiB")]
        return render(request, "validate.html", status=422, text="", problems=problems, lines=[])
    try:
        _, problems = check_recipe_text(
            text, action_catalog(), file=name, sync_recipes=sync_template_names()
        )
    except Invalid as exc:
        problems = list(exc.problems)
    numbered = text.splitlines()
    # A parser may place a problem just past the end (an unclosed bracket): the last line.
    bad = {min(p.line, len(numbered)) for p in problems if p.line}
    lines = [(n, line, n in bad) for n, line in enumerate(numbered, start=1)]
    return render(
        request,
        "validate.html",
        status=422 if problems else 200,
        text=text,
        problems=problems,
        lines=lines,
    )
