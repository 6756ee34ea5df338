"""Bearer-token authentication for the JSON API."""

from __future__ import annotations

from fastapi import Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ghltt.web.services import Services

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ghltt"'}
# Declares the routes' security in OpenAPI; the check itself is ``authenticate``'s.
_BEARER = HTTPBearer(scheme_name="bearer", auto_error=False, description="ghltt token show")


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def require_token(
    request: Request, _: HTTPAuthorizationCredentials | None = Security(_BEARER)
) -> None:
    """FastAPI dependency form of :func:`authenticate`."""
    authenticate(request)


def authenticate(request: Request) -> None:
    """Accept the request only with a current API token; 401 with a challenge otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401,
            detail="missing bearer token: send 'Authorization: Bearer <token>' "
            "(see 'ghltt token show')",
            headers=_CHALLENGE,
        )
    if services(request).tokens.accepts(token.strip()):
        return
    raise HTTPException(401, detail="invalid or revoked bearer token", headers=_CHALLENGE)
