"""JSON API of recipes and bridge settings (behind the API token): the shipped templates and
their export, enabling a template or a recipe text on a bridge (kept as a version), versions,
parameters, validation and plans; a bridge's settings, mode and shadow plans. The CLI's
``ghltt recipes``, ``ghltt plan`` and ``ghltt bridges set|mode|planned`` do the same."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ghltt.core import Event, InvalidInput, NotFound
from ghltt.engine.catalog import action_catalog
from ghltt.engine.mapping import Invalid
from ghltt.engine.preview import preview
from ghltt.engine.recipe_export import export_text
from ghltt.engine.recipe_params import set_params, show_params, unset_params
from ghltt.engine.recipe_sources import compile_recipe, enable_template, enable_text
from ghltt.engine.recipes import Recipe
from ghltt.engine.recipes.templates import list_templates, load_template, template_names
from ghltt.store import InboxRepository
from ghltt.web.connections_api import bridge_services, remote_errors
from ghltt.web.strict_query import API_GUARDS

router = APIRouter(prefix="/api", dependencies=API_GUARDS, tags=["recipes"])


# ---- models ---------------------------------------------------------------------------------
class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TemplateOut(BaseModel):
    name: str
    kind: str
    description: str


class ExportOut(BaseModel):
    template: str
    file_name: str
    text: str = Field(description="The YAML, its parameters documented in a leading comment.")


class RecipeSourceIn(_In):
    """A shipped template by name, or a recipe file's text."""

    template: str | None = Field(default=None, description="A template name.")
    text: str | None = Field(default=None, description="A recipe file's YAML text.")
    file: str = Field(default="recipe.yaml", max_length=500, description="Its name in errors.")

    @model_validator(mode="after")
    def _one(self) -> RecipeSourceIn:
        if (self.template is None) == (self.text is None):
            raise ValueError("give either template or text")
        return self


class EnabledOut(BaseModel):
    bridge: str
    recipe: str
    enabled: bool
    version: int | None = Field(description="The stored version it runs; null: the template.")
    new_version: bool
    scopes: list[str]
    warnings: list[str]


class VersionOut(BaseModel):
    bridge_id: str
    recipe: str
    version: int
    sha256: str
    source: str
    created_at: datetime
    running: bool
    text: str | None = None


class ParamOut(BaseModel):
    name: str
    type: str
    default: Any
    description: str | None = Field(default=None, description="What it is for, if declared.")
    enum: list[Any] | None = Field(default=None, description="The values it may take.")
    minimum: float | None = None
    maximum: float | None = None
    items: str | None = Field(default=None, description="A list's item type, if declared.")
    is_set: bool = Field(description="Has this bridge a value of its own?")
    value: Any = Field(default=None, description="The bridge's value, when is_set.")
    effective: Any


class ParamsOut(BaseModel):
    bridge: str
    recipe: str
    version: int | None
    params: list[ParamOut]


class ParamsIn(_In):
    set: dict[str, Any] = Field(default_factory=dict, description="Values, typed as in JSON.")
    unset: list[str] = Field(default_factory=list, description="Back to the default.")


class ProblemOut(BaseModel):
    file: str
    line: int | None
    col: int | None
    field: str
    message: str


class ValidationOut(BaseModel):
    valid: bool
    recipe: str | None
    kind: str | None
    problems: list[ProblemOut]


class PlanIn(RecipeSourceIn):
    event_id: str | None = Field(default=None, description="An event in the inbox.")
    event: dict[str, Any] | None = Field(default=None, description="Or an event as JSON.")


class PlanOut(BaseModel):
    recipe: str
    mode: str
    outcome: str
    reason: str
    writes: list[dict[str, Any]]


class BridgeSettingsIn(_In):
    timezone: str | None = Field(default=None, description="IANA zone of both accounts.")
    location_timezone: str | None = Field(default=None, description="The GHL location's zone.")
    tt_timezone: str | None = Field(default=None, description="The TT account's zone.")
    poll_interval: str | int | None = Field(
        default=None, description="Seconds, or 90s, 5m, 1h; at least 1 minute."
    )
    ghl_webhook_public_key: str | None = Field(
        default=None, description="PEM public key (Ed25519 or RSA), or 'default'."
    )


class BridgeSettingsOut(BaseModel):
    location_timezone: str
    tt_timezone: str
    poll_interval_seconds: int
    ghl_webhook_public_keys: dict[str, list[str]] | str = Field(
        description="Fingerprints of the bridge's own keys, or GHL's published keys."
    )


class PlannedOut(BaseModel):
    plans: int
    writes: int
    items: list[dict[str, Any]]


class ModeIn(_In):
    mode: Literal["shadow", "live", "sandbox"]
    apply_planned: bool = Field(
        default=False, description="Going live: apply what shadow planned, each plan once."
    )


class ModeOut(BaseModel):
    bridge: str
    mode: str
    pending_writes: int = Field(description="Planned writes still waiting after the switch.")
    applied_plans: int
    applied_writes: int


# ---- templates ------------------------------------------------------------------------------
@router.get("/templates", summary="The recipes shipped with ghltt")
async def templates() -> list[TemplateOut]:
    return [
        TemplateOut(name=t.name, kind=t.kind, description=t.description) for t in list_templates()
    ]


@router.get(
    "/templates/{name}/export",
    summary="A template as a recipe file to edit",
)
async def export_template(name: str) -> ExportOut:
    if name not in template_names():
        raise NotFound(f"no template named {name!r} (GET /api/templates lists them)")
    return ExportOut(template=name, file_name=f"{name}.yaml", text=export_text(name))


# ---- recipe text ----------------------------------------------------------------------------
def _compile(body: RecipeSourceIn) -> Recipe:
    if body.template is not None:
        return load_template(body.template, action_catalog())
    assert body.text is not None
    return compile_recipe(body.text, body.file)


@router.post(
    "/recipes/validate",
    summary="Check a recipe's text; every problem with its line",
)
async def validate_recipe(body: RecipeSourceIn) -> ValidationOut:
    try:
        recipe = _compile(body)
    except Invalid as exc:
        problems = [
            ProblemOut(file=p.file, line=p.line, col=p.col, field=p.field, message=p.message)
            for p in exc.problems
        ]
        return ValidationOut(valid=False, recipe=None, kind=None, problems=problems)
    kind = "sync" if recipe.model.kind == "sync" else "automation"
    return ValidationOut(valid=True, recipe=recipe.name, kind=kind, problems=[])


@router.post(
    "/bridges/{ref}/plan",
    summary="The writes a recipe would make for an event",
)
async def plan_recipe(request: Request, ref: str, body: PlanIn) -> PlanOut:
    svc = bridge_services(request)
    recipe = _compile(body)
    bridge_id = (await run_in_threadpool(svc.bridges.resolve, ref)).id
    event = await run_in_threadpool(_event, svc, body, bridge_id)
    async with remote_errors("remote"):
        report = await preview(svc, bridge_id, recipe, event)
    return PlanOut(**{k: report[k] for k in PlanOut.model_fields})


def _event(svc: Any, body: PlanIn, bridge_id: str) -> Event:
    if body.event_id is not None:
        stored = InboxRepository(svc.connections.db).get(body.event_id)
        if stored is None:
            raise NotFound(f"no event {body.event_id!r} in the inbox")
        return stored.event
    if body.event is None:
        raise InvalidInput("give event_id or event", where="body")
    data = {"dedup_key": "plan:api", **body.event, "bridge": bridge_id}
    try:
        return Event.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(["event", *(str(p) for p in error["loc"])])
        raise InvalidInput(error["msg"], where=where) from None


# ---- recipes on a bridge --------------------------------------------------------------------
@router.post(
    "/bridges/{ref}/recipes",
    summary="Enable a template or a recipe text (versioned)",
)
async def enable_recipe(request: Request, ref: str, body: RecipeSourceIn) -> EnabledOut:
    bridges = bridge_services(request).bridges
    if body.template is not None:
        done = await run_in_threadpool(enable_template, bridges, ref, body.template)
    else:
        assert body.text is not None
        done = await run_in_threadpool(enable_text, bridges, ref, body.text, body.file)
    return EnabledOut(**done.public())


@router.get(
    "/bridges/{ref}/recipes/{recipe}/versions",
    summary="A recipe's stored versions",
)
async def recipe_versions(request: Request, ref: str, recipe: str) -> list[VersionOut]:
    bridges = bridge_services(request).bridges

    def read() -> list[VersionOut]:
        row = bridges.resolve(ref)
        state = bridges.recipes.state(row.id, recipe)
        running = state.version if state is not None and state.enabled else None
        return [
            VersionOut(**v.public(), running=v.version == running)
            for v in bridges.recipes.versions(row.id, recipe)
        ]

    return await run_in_threadpool(read)


@router.get(
    "/bridges/{ref}/recipes/{recipe}/versions/{version}",
    summary="One version with its text",
)
async def recipe_version(request: Request, ref: str, recipe: str, version: int) -> VersionOut:
    bridges = bridge_services(request).bridges

    def read() -> VersionOut:
        row = bridges.resolve(ref)
        found = bridges.recipes.version(row.id, recipe, version)
        if found is None:
            raise NotFound(f"recipe {recipe} has no version {version} on bridge {row.name}")
        state = bridges.recipes.state(row.id, recipe)
        running = state is not None and state.enabled and state.version == version
        return VersionOut(**found.public(text=True), running=running)

    return await run_in_threadpool(read)


@router.get(
    "/bridges/{ref}/recipes/{recipe}/params",
    summary="A recipe's parameters",
)
async def recipe_params(request: Request, ref: str, recipe: str) -> ParamsOut:
    bridges = bridge_services(request).bridges
    return ParamsOut(**await run_in_threadpool(show_params, bridges, ref, recipe))


@router.patch(
    "/bridges/{ref}/recipes/{recipe}/params",
    summary="Set parameters (checked against the recipe)",
)
async def change_params(request: Request, ref: str, recipe: str, body: ParamsIn) -> ParamsOut:
    bridges = bridge_services(request).bridges

    def change() -> dict[str, Any]:
        if body.set:
            set_params(bridges, ref, recipe, body.set)
        if body.unset:
            unset_params(bridges, ref, recipe, body.unset)
        return show_params(bridges, ref, recipe)

    return ParamsOut(**await run_in_threadpool(change))


# ---- bridge settings and mode ---------------------------------------------------------------
@router.patch(
    "/bridges/{ref}/settings",
    summary="Time zones, poll interval, GHL webhook key",
)
async def bridge_settings(request: Request, ref: str, body: BridgeSettingsIn) -> BridgeSettingsOut:
    bridges = bridge_services(request).bridges
    values = body.model_dump(exclude_none=True)
    view = await run_in_threadpool(bridges.configure, ref, values)
    return BridgeSettingsOut(**view.settings)


@router.get("/bridges/{ref}/planned", summary="Shadow plans not applied yet")
async def planned(request: Request, ref: str) -> PlannedOut:
    pending = await run_in_threadpool(bridge_services(request).bridges.planned, ref)
    return PlannedOut(**pending.public())


@router.put(
    "/bridges/{ref}/mode",
    summary="Switch mode; going live may apply shadow's plans",
)
async def bridge_mode(request: Request, ref: str, body: ModeIn) -> ModeOut:
    bridges = bridge_services(request).bridges

    def switch() -> ModeOut:
        if body.apply_planned and body.mode != "live":
            raise InvalidInput("apply_planned goes with live", where="mode")
        view = bridges.set_mode(ref, body.mode)
        applied = bridges.apply_planned(view.id) if body.apply_planned else None
        pending = bridges.planned(view.id)
        return ModeOut(
            bridge=view.name,
            mode=view.mode,
            pending_writes=pending.writes,
            applied_plans=len(applied.plans) if applied else 0,
            applied_writes=applied.writes if applied else 0,
        )

    return await run_in_threadpool(switch)
