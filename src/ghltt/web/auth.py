"""Bearer-token authentication for the JSON API."""

from __future__ import annotations

from fastapi import HTTPException, Request

from ghltt.store.tokens import matches
from ghltt.web.services import Services

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ghltt"'}


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def require_token(request: Request) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401,
            detail="missing bearer token: send 'Authorization: Bearer <token>' "
            "(see 'ghltt token show')",
            headers=_CHALLENGE,
        )
    cache = services(request).tokens
    token = token.strip()
    if matches(token, cache.hashes()) or matches(token, cache.hashes(refresh=True)):
        return
    raise HTTPException(401, detail="invalid or revoked bearer token", headers=_CHALLENGE)
