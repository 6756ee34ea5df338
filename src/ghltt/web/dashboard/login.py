"""Logging in (with the API token, or the dashboard password) and out."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ghltt.store.dashboard import DashboardAuthRepository
from ghltt.web.auth import services
from ghltt.web.dashboard.context import SECURITY_HEADERS, render, require_session, signer
from ghltt.web.dashboard.passwords import verify_password
from ghltt.web.dashboard.session import COOKIE

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
async def login(request: Request, secret: str = Form(""), next: str = Form("/")) -> Response:
    secret = secret.strip()
    via = await run_in_threadpool(_accepts, request, secret) if secret else None
    if via is None:
        # The same answer and about the same time whichever check failed.
        await anyio.sleep(0.3)
        return render(
            request,
            "login.html",
            status=401,
            next=_safe_next(next),
            error="That is neither the API token nor the dashboard password.",
        )
    sign = signer(request)
    _, cookie = sign.new(via)
    response = RedirectResponse(_safe_next(next), status_code=303, headers=SECURITY_HEADERS)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=sign.max_age,
        httponly=True,
        samesite="strict",
        secure=services(request).settings.public_url.startswith("https://"),
        path="/",
    )
    return response


def _accepts(request: Request, secret: str) -> str | None:
    svc = services(request)
    if svc.tokens.accepts(secret):
        return "token"
    stored = DashboardAuthRepository(svc.db).password_hash()
    if stored and verify_password(secret, stored):
        return "password"
    return None


@router.post("/logout", dependencies=[Depends(require_session)])
async def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
