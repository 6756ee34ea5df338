"""The catalog: browse and search the actions and triggers recipes can use (the entries of
``ghltt catalog`` and ``/api/catalog``), each with its schemas, scopes and detection.

The catalog is code, not data: it is filtered in memory and paged here."""

from __future__ import annotations

import functools
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ghltt.core import InvalidInput
from ghltt.engine.catalog.describe import CatalogEntry, Kind, entries, find_entry
from ghltt.web.dashboard.context import render, require_session, templates

router = APIRouter(dependencies=[Depends(require_session)])

PAGE = 50
SYSTEMS = ("ghl", "tt", "ghltt")
KINDS = ("action", "trigger")
MAX_SEARCH = 100


def group_of(entry: CatalogEntry) -> str:
    """What an entry is about: the middle of its name (``ghl.contacts.create``: contacts)."""
    parts = entry.name.split(".")
    return parts[1] if len(parts) > 2 else parts[0]


@functools.cache
def groups() -> tuple[str, ...]:
    return tuple(sorted({group_of(e) for e in entries()}))


def type_of(spec: Any) -> str:
    """A JSON Schema type in a few words: ``string or null``, ``array of Tag``."""
    if not isinstance(spec, dict):
        return "any"
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in spec:
            return " or ".join(type_of(s) for s in spec[key])
    kind = spec.get("type")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if kind == "array":
        return f"array of {type_of(spec.get('items'))}"
    if "enum" in spec:
        return " | ".join(str(v) for v in spec["enum"])
    return str(kind or "any")


def schema_fields(schema: Any) -> list[tuple[str, str, bool, str]]:
    """A schema's top-level fields: name, type, whether required, description."""
    if not isinstance(schema, dict):
        return []
    required = set(schema.get("required") or ())
    return [
        (name, type_of(spec), name in required, str((spec or {}).get("description") or ""))
        for name, spec in (schema.get("properties") or {}).items()
    ]


templates.globals.update(schema_fields=schema_fields)


def parse_filters(params: Any) -> tuple[dict[str, str], int]:
    """The query string's filters; InvalidInput names a bad one."""
    values = {k: str(params.get(k) or "").strip() for k in ("system", "kind", "group", "q")}
    for key, allowed in (("system", SYSTEMS), ("kind", KINDS), ("group", groups())):
        if values[key] and values[key] not in allowed:
            shown = ", ".join(allowed) if len(allowed) < 10 else "one listed in the form"
            raise InvalidInput(f"{values[key]!r} is not {shown}", where=key)
    if len(values["q"]) > MAX_SEARCH:
        raise InvalidInput(f"is longer than {MAX_SEARCH} characters", where="q")
    page_text = str(params.get("page") or "1")
    if not page_text.isdigit() or int(page_text) < 1:
        raise InvalidInput("must be a page number from 1", where="page")
    return values, int(page_text)


def _url(values: dict[str, str], page: int) -> str:
    params = {k: v for k, v in values.items() if v}
    params["page"] = str(page)
    return "/catalog?" + urlencode(params)


@router.get("/catalog")
async def catalog_page(request: Request) -> Response:
    context: dict[str, Any] = {
        "systems": SYSTEMS,
        "kinds": KINDS,
        "groups": groups(),
        "values": {},
        "items": [],
        "total": 0,
        "newer": None,
        "older": None,
    }
    try:
        values, page = parse_filters(request.query_params)
    except InvalidInput as exc:
        return render(request, "catalog.html", status=422, error=str(exc), **context)
    found = [
        e
        for e in entries(
            system=values["system"] or None,
            kind=cast(Kind | None, values["kind"] or None),  # checked above
            search=values["q"] or None,
        )
        if not values["group"] or group_of(e) == values["group"]
    ]
    pages = max((len(found) + PAGE - 1) // PAGE, 1)
    if page > pages:
        error = f"page: there are {pages} pages of {len(found)} entries"
        return render(request, "catalog.html", status=422, error=error, **context)
    context.update(
        values=values,
        items=found[(page - 1) * PAGE : page * PAGE],
        total=len(found),
        page=page,
        pages=pages,
        newer=_url(values, page - 1) if page > 1 else None,
        older=_url(values, page + 1) if page < pages else None,
    )
    return render(request, "catalog.html", error=None, **context)


@router.get("/catalog/{name}")
async def entry_page(request: Request, name: str) -> Response:
    entry = find_entry(name)
    if entry is None:
        return render(request, "missing.html", status=404, what=f"action or trigger {name!r}")
    return render(request, "catalog_entry.html", entry=entry, group=group_of(entry))
