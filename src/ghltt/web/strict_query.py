"""Refuse query parameters a route does not take: a misspelt filter (``?stauts=failed``) would
otherwise be ignored, and the answer would look filtered when it is not."""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from starlette.requests import Request

from ghltt.core import InvalidInput
from ghltt.web.auth import require_token

_KNOWN: dict[int, frozenset[str]] = {}


async def known_query(request: Request) -> None:
    """FastAPI dependency: 422 naming the first unknown query parameter."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = _KNOWN.get(id(route))
    if known is None:
        known = _KNOWN[id(route)] = frozenset(_query_names(dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise InvalidInput(f"not a parameter here (it takes: {takes})", where=f"query.{unknown[0]}")


def _query_names(dependant: Any) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


# What every /api router runs before its routes.
API_GUARDS = [Depends(require_token), Depends(known_query)]
