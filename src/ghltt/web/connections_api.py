"""JSON API of connections and bridges (behind the API token). Responses never hold a secret:
secrets come in once (add, rotate) and go straight into the vault."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ghltt.bridges import Services, build_services
from ghltt.connectors.http import ConnectorError
from ghltt.engine.needs import check_enabled
from ghltt.vault import VaultError, classify
from ghltt.web.auth import services
from ghltt.web.strict_query import API_GUARDS

router = APIRouter(prefix="/api", dependencies=API_GUARDS, tags=["connections"])


def bridge_services(request: Request) -> Services:
    """Built once per app from its settings and store (tests may set it beforehand). With the
    executor in this process, its own: one rate budget per location for the runs and the
    API alike, which the dashboard then shows."""
    state = request.app.state
    built: Services | None = getattr(state, "bridge_services", None)
    if built is None:
        core = services(request)
        if core.runtime is not None and core.runtime.bridges is not None:
            built = core.runtime.bridges.services
        else:
            built = build_services(core.settings, core.db)
        state.bridge_services = built
    return built


@asynccontextmanager
async def remote_errors(system: str) -> AsyncIterator[None]:
    """A remote or vault failure is a clear 502/500 with what to do, never a traceback."""
    try:
        yield
    except ConnectorError as exc:
        failure = classify(exc, connection_id="?", system=system)
        raise HTTPException(502, detail=f"{system.upper()}: {failure.message}") from None
    except VaultError as exc:
        raise HTTPException(500, detail=str(exc)) from None


class ConnectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: Literal["ghl", "tt"]
    kind: Literal["pit", "api_key", "app_password", "bearer"]
    label: str = Field(min_length=1, max_length=200)
    secret: SecretStr
    location_id: str | None = Field(default=None, max_length=100)
    account_id: int | None = None
    scopes: list[str] | None = None


class SecretIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: SecretStr


class RotateIn(SecretIn):
    scopes: list[str] | None = None  # a GHL token's scopes now, recorded in place of the old


class BridgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    ghl_connection: str = Field(min_length=1)
    tt_connection: str = Field(min_length=1)
    mode: Literal["sandbox", "shadow", "live"] | None = Field(
        default=None, description="shadow (the default), live or sandbox"
    )


class RecipeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scopes: list[str] = Field(default_factory=list, description="GHL scopes its actions need")


@router.get("/connections", summary="Connections with their status (no secrets)")
async def list_connections(
    request: Request, system: Literal["ghl", "tt"] | None = None
) -> dict[str, Any]:
    svc = bridge_services(request)
    rows = await run_in_threadpool(svc.connections.all, system=system)
    return {"connections": [c.public() for c in rows]}


@router.post("/connections", status_code=201, summary="Add a connection (the secret is tried)")
async def add_connection(request: Request, body: ConnectionIn) -> dict[str, Any]:
    svc = bridge_services(request).connections
    secret = body.secret.get_secret_value()
    async with remote_errors(body.system):
        if body.system == "ghl":
            if body.kind not in ("pit", "api_key") or not body.location_id:
                raise HTTPException(
                    422, detail="location_id: a GHL pit or api_key connection needs it"
                )
            outcome = await svc.add_ghl_token(
                label=body.label,
                token=secret,
                location_id=body.location_id,
                kind=body.kind,
                granted=body.scopes,
            )
        else:
            if body.kind not in ("app_password", "bearer"):
                raise HTTPException(422, detail="kind: a TT connection is app_password or bearer")
            outcome = await svc.add_tt(
                label=body.label, secret=secret, kind=body.kind, account_id=body.account_id
            )
    return outcome.public()


@router.get("/connections/{ref}", summary="One connection (no secret)")
async def get_connection(request: Request, ref: str) -> dict[str, Any]:
    svc = bridge_services(request)
    view = await run_in_threadpool(svc.connections.get, ref)
    return view.public()


@router.post("/connections/{ref}/check", summary="One cheap call: identity and scopes")
async def check_connection(request: Request, ref: str) -> dict[str, Any]:
    async with remote_errors("remote"):
        outcome = await bridge_services(request).connections.check(ref)
    return outcome.public()


@router.post("/connections/{ref}/rotate", summary="Replace the secret, keep everything linked")
async def rotate_connection(request: Request, ref: str, body: RotateIn) -> dict[str, Any]:
    async with remote_errors("remote"):
        outcome = await bridge_services(request).connections.rotate(
            ref, body.secret.get_secret_value(), body.scopes
        )
    return outcome.public()


@router.post("/connections/{ref}/revoke", summary="Delete the secret and disable its recipes")
async def revoke_connection(request: Request, ref: str) -> dict[str, Any]:
    async with remote_errors("remote"):
        outcome = await bridge_services(request).connections.revoke(ref)
    return outcome.public()


@router.get("/bridges", summary="Bridges with their webhooks and recipes")
async def list_bridges(request: Request) -> dict[str, Any]:
    rows = await run_in_threadpool(bridge_services(request).bridges.all)
    return {"bridges": [b.public() for b in rows]}


@router.post("/bridges", status_code=201, summary="Pair a GHL and a TT connection")
async def add_bridge(request: Request, body: BridgeIn) -> dict[str, Any]:
    async with remote_errors("tt"):
        view = await bridge_services(request).bridges.add(
            name=body.name,
            ghl_connection=body.ghl_connection,
            tt_connection=body.tt_connection,
            mode=body.mode,
        )
    return view.public()


@router.get("/bridges/{ref}", summary="One bridge")
async def get_bridge(request: Request, ref: str) -> dict[str, Any]:
    view = await run_in_threadpool(bridge_services(request).bridges.show, ref)
    return view.public()


@router.delete("/bridges/{ref}", summary="Remove a bridge and its TT webhooks")
async def remove_bridge(request: Request, ref: str) -> dict[str, Any]:
    async with remote_errors("tt"):
        notes = await bridge_services(request).bridges.remove(ref)
    return {"removed": ref, "notes": notes}


@router.put("/bridges/{ref}/recipes/{recipe}", summary="Enable a recipe (scopes are checked)")
async def enable_recipe(request: Request, ref: str, recipe: str, body: RecipeIn) -> dict[str, Any]:
    bridges = bridge_services(request).bridges
    warnings = await run_in_threadpool(bridges.enable_recipe, ref, recipe, body.scopes)
    return {"bridge": ref, "recipe": recipe, "enabled": True, "warnings": warnings}


@router.delete("/bridges/{ref}/recipes/{recipe}", summary="Disable a recipe")
async def disable_recipe(request: Request, ref: str, recipe: str) -> dict[str, Any]:
    bridges = bridge_services(request).bridges
    found = await run_in_threadpool(bridges.disable_recipe, ref, recipe)
    if not found:
        raise HTTPException(404, detail=f"recipe {recipe!r} is not on bridge {ref!r}")
    return {"bridge": ref, "recipe": recipe, "enabled": False}


@router.post(
    "/bridges/{ref}/check",
    summary="Is the bridge ready for its recipes? Scopes, custom fields, webhook, delivery",
)
async def check_bridge(request: Request, ref: str, fix: bool = False) -> dict[str, Any]:
    """What 'ghltt bridges check' prints: one finding per scope set, custom field, webhook
    and test delivery, each ok, missing, failed or not checked, with its remedy. ``fix=true``
    creates the missing custom fields and registers a missing webhook."""
    async with remote_errors("remote"):
        report = await check_enabled(bridge_services(request), ref, fix=fix)
    return report.as_dict()
