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
from ghltt.engine.recipe_params import Param, check_value, kind_of, param_schema, set_params
from ghltt.engine.recipe_sources import bridge_recipe
from ghltt.engine.recipes import Recipe, required_scopes
from ghltt.engine.recipes.loader import check_recipe_text
from ghltt.engine.recipes.templates import list_templates, sync_template_names
from ghltt.store.dashboard import DashboardQueries
from ghltt.web.auth import services
from ghltt.web.dashboard.context import bridge, redirect, render, require_session, user_errors

router = APIRouter(dependencies=[Depends(require_session)])

SHADOW_PLANS_SHOWN = 10
MAX_RECIPE_BYTES = 256 * 1024


@dataclass(frozen=True)
class ParamField:
    """One input of a recipe's parameter form, from the recipe's parameter schema: a checkbox
    for true/false, a select for allowed values, a number with its bounds, one line per item
    for a list of plain values, JSON for the rest."""

    param: Param
    kind: str  # checkbox, select, number, text, lines, json
    value: str  # as the input shows it
    error: str | None = None

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def step(self) -> str:
        return "1" if self.param.kind == "whole number" else "any"

    @property
    def options(self) -> list[str]:
        return [_shown(v) for v in self.param.enum or ()]


def _input_kind(param: Param) -> str:
    if param.kind == "true/false":
        return "checkbox"
    if param.enum is not None:
        return "select"
    if param.kind in ("number", "whole number"):
        return "number"
    if param.kind == "text":
        return "text"
    if param.kind == "list" and _item_kind(param) in ("text", "whole number", "number"):
        return "lines"
    return "json"


def _item_kind(param: Param) -> str | None:
    """What a list parameter's items are: as declared, else as its default's items are."""
    if param.items is not None:
        return param.items
    kinds = {kind_of(v) for v in param.default or ()}
    return kinds.pop() if len(kinds) == 1 else None


def _shown(value: Any) -> str:
    """A value as an input shows it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return orjson.dumps(value).decode()


def param_fields(
    schema: Mapping[str, Param],
    current: Mapping[str, Any],
    entered: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[ParamField]:
    """The form's inputs, showing the value set on the bridge (or the default), or what was
    entered when the form comes back with ``errors``."""
    fields = []
    for name, param in schema.items():
        kind = _input_kind(param)
        value = current.get(name, param.default)
        if entered is not None and name in entered:
            shown = entered[name]
        elif kind == "lines":
            shown = "\n".join(_shown(v) for v in value or ())
        elif kind == "json":
            shown = orjson.dumps(value).decode()
        else:
            shown = _shown(value)
        fields.append(ParamField(param, kind, shown, (errors or {}).get(name)))
    return fields


def read_params(
    schema: Mapping[str, Param], form: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The form's values typed by the schema and checked against it (type, allowed values,
    bounds, items); with what was entered and each field's error, to show the form again."""
    values: dict[str, Any] = {}
    entered: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, param in schema.items():
        raw = form.get(f"param.{name}")
        text = raw if isinstance(raw, str) else ""
        entered[name] = text
        try:
            value = _typed(param, _input_kind(param), text)
            values[name] = check_value(param, value, name)
        except InvalidInput as exc:
            said = str(exc)
            errors[name] = said.removeprefix(f"{name}: ") if exc.where == name else said
    return values, entered, errors


def _typed(param: Param, kind: str, text: str) -> Any:
    if kind == "checkbox":
        return text == "true"
    if kind == "select":
        chosen = [v for v in param.enum or () if _shown(v) == text]
        if not chosen:
            raise InvalidInput("choose one of the listed values", where=param.name)
        return chosen[0]
    if kind == "number":
        return _number(param.kind, text.strip(), param.name)
    if kind == "text":
        return text
    if kind == "lines":
        item = _item_kind(param) or "text"
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if item == "text":
            return lines
        return [_number(item, line, f"{param.name}, line {n}") for n, line in enumerate(lines, 1)]
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise InvalidInput("must be JSON (a list or an object)", where=param.name) from None


def _number(kind: str, text: str, where: str) -> int | float:
    try:
        number = float(text)
    except ValueError:
        wanted = "a whole number" if kind == "whole number" else "a number"
        raise InvalidInput(f"must be {wanted}", where=where) from None
    if kind == "whole number":
        if not number.is_integer():
            raise InvalidInput("must be a whole number", where=where)
        return int(number)
    return number


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
        compiled, _ = await run_in_threadpool(bridge_recipe, svc, view.id, name)
        current = (svc.settings(view.id).get("recipe_params") or {}).get(name) or {}
        fields = param_fields(param_schema(compiled), dict(current))
        return _recipe_form(request, view, compiled, fields)
    return redirect("/bridges", f"No such recipe: {failed.error}")


def _recipe_form(
    request: Request, view: BridgeView, compiled: Recipe, fields: list[ParamField]
) -> Response:
    return render(
        request,
        "recipe_form.html",
        status=422 if any(f.error for f in fields) else 200,
        bridge=view,
        recipe=compiled,
        fields=fields,
        scopes=sorted(required_scopes(compiled, action_catalog())),
        enabled=_enabled(view, compiled.name),
    )


def _enabled(view: BridgeView, name: str) -> bool:
    return any(r.recipe == name and r.enabled for r in view.recipes)


@router.post("/bridges/{ref}/recipes/{name}")
async def enable_recipe(request: Request, ref: str, name: str) -> Response:
    """Save the recipe's parameters for this bridge and enable it (scopes are checked); a
    value the schema refuses brings the form back with the error at its field."""
    svc = bridge(request).bridges
    form = await request.form()
    async with user_errors() as failed:
        view = await run_in_threadpool(svc.show, ref)
        compiled, version = await run_in_threadpool(bridge_recipe, svc, view.id, name)
        schema = param_schema(compiled)
        values, entered, errors = read_params(schema, form)
        if errors:
            return _recipe_form(request, view, compiled, param_fields(schema, {}, entered, errors))
        if values:
            await run_in_threadpool(set_params, svc, view.id, name, values)
        needed = sorted(required_scopes(compiled, action_catalog()))
        warnings = await run_in_threadpool(svc.enable_recipe, view.id, name, needed, version)
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
