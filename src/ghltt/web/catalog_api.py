"""``GET /api/catalog``: the actions and triggers recipes can use, as ``ghltt catalog`` lists
them. Read-only and the same for every caller, but behind the API token like the rest."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query

from ghltt.engine.catalog.describe import CatalogEntry, entries, find_entry
from ghltt.web.strict_query import API_GUARDS

router = APIRouter(prefix="/api", dependencies=API_GUARDS, tags=["catalog"])


@router.get(
    "/catalog", summary="Actions and triggers recipes can use", response_model=list[CatalogEntry]
)
async def list_catalog(
    system: Literal["ghl", "tt", "ghltt"] | None = None,
    kind: Literal["action", "trigger"] | None = None,
    search: str | None = Query(default=None, max_length=100),
) -> list[CatalogEntry]:
    return entries(system=system, kind=kind, search=search)


@router.get(
    "/catalog/{name}",
    summary="One action or trigger, with its schemas and example",
    response_model=CatalogEntry,
)
async def show_catalog_entry(name: str) -> CatalogEntry:
    entry = find_entry(name)
    if entry is None:
        raise HTTPException(404, detail=f"no action or trigger named {name!r}")
    return entry
