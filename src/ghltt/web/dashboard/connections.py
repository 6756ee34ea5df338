"""Connections: add a token or App Password, revalidate (identity, granted against needed
scopes), rotate, revoke, and GHL OAuth connect through the existing start and callback.
Secrets come in once and are never rendered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ghltt.core import InvalidInput
from ghltt.vault import GHL, TT, ConnectionView, Outcome, scopes
from ghltt.web.auth import services
from ghltt.web.dashboard.context import bridge, redirect, render, require_session, user_errors

router = APIRouter(dependencies=[Depends(require_session)])


@dataclass(frozen=True)
class ConnectionRow:
    view: ConnectionView
    needed: list[str]
    missing: list[str]
    excess: list[str]


def _rows(request: Request) -> list[ConnectionRow]:
    db = services(request).db
    rows = []
    for view in bridge(request).connections.all():
        if view.system != GHL:
            rows.append(ConnectionRow(view, [], [], []))
            continue
        needed = scopes.required_scopes(db, connection_id=view.id)
        check = scopes.compare(view.scopes, needed)
        rows.append(
            ConnectionRow(view, sorted(needed), sorted(check.missing), sorted(check.excess))
        )
    return rows


@router.get("/connections")
async def connections_page(request: Request) -> Response:
    rows = await run_in_threadpool(_rows, request)
    return render(
        request,
        "connections.html",
        rows=rows,
        oauth_ready=bridge(request).clients.remotes.oauth_configured,
    )


def _said(outcome: Outcome, done: str) -> str:
    view = outcome.connection
    if outcome.failure is not None:
        return f"{view.label}: {outcome.failure.message} {outcome.failure.remedy or ''}".strip()
    who = f" as {view.identity}" if view.identity else ""
    return " ".join([f"{view.label}: {done}{who}.", *outcome.warnings, *outcome.notes])


@router.post("/connections/add")
async def add_connection(
    request: Request,
    system: str = Form(""),
    label: str = Form(""),
    kind: str = Form(""),
    secret: str = Form(""),
    location: str = Form(""),
    account: str = Form(""),
) -> Response:
    """Add a GHL location (Private Integration token or API key) or a TrackingTime account
    (App Password or bearer token). The vault checks the secret against the remote before
    anything is stored; the secret is never sent back, not even in an error."""
    if not secret.strip():
        return redirect("/connections#add", "Not added: enter the secret")
    connections = bridge(request).connections
    async with user_errors(system if system in (GHL, TT) else "remote") as failed:
        if system == GHL:
            outcome = await connections.add_ghl_token(
                label=label.strip() or "GHL",
                token=secret.strip(),
                location_id=location.strip(),
                kind=kind or "pit",
            )
        elif system == TT:
            outcome = await connections.add_tt(
                label=label.strip() or "TrackingTime",
                secret=secret.strip(),
                kind=kind or "app_password",
                account_id=_account_id(account),
            )
        else:
            raise InvalidInput("must be ghl or tt", where="system")
        view = outcome.connection
        return redirect(f"/connections#{view.id}", _said(outcome, "added and valid"))
    return redirect("/connections#add", f"Not added: {failed.error}")


def _account_id(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise InvalidInput("must be the account's number, or empty", where="account")
    return int(text.strip())


@router.post("/connections/{ref}/check")
async def revalidate(request: Request, ref: str) -> Response:
    async with user_errors() as failed:
        outcome = await bridge(request).connections.check(ref)
        return redirect("/connections", _said(outcome, "valid"))
    return redirect("/connections", f"Not checked: {failed.error}")


@router.post("/connections/{ref}/rotate")
async def rotate(request: Request, ref: str, secret: str = Form("")) -> Response:
    if not secret.strip():
        return redirect("/connections", "Not rotated: enter the new secret")
    async with user_errors() as failed:
        outcome = await bridge(request).connections.rotate(ref, secret.strip())
        return redirect("/connections", _said(outcome, "rotated and valid"))
    return redirect("/connections", f"Not rotated: {failed.error}")


@router.post("/connections/{ref}/revoke")
async def revoke(request: Request, ref: str) -> Response:
    async with user_errors() as failed:
        outcome = await bridge(request).connections.revoke(ref)
        return redirect("/connections", _said(outcome, "revoked"))
    return redirect("/connections", f"Not revoked: {failed.error}")


@router.post("/connections/oauth")
async def oauth_connect(
    request: Request,
    user_type: Literal["Location", "Company"] = Form("Location"),
    label: str = Form(""),
    reconnect: str = Form(""),
) -> Response:
    """GHL OAuth: off to GHL's authorize page; GHL sends the browser back to the callback."""
    flow = bridge(request).oauth
    async with user_errors("ghl") as failed:
        authorize = await run_in_threadpool(
            lambda: flow.start(
                user_type=user_type,
                bridge=None,
                extra_scopes=[],
                label=label.strip() or None,
                reconnect=reconnect or None,
            )
        )
        return RedirectResponse(authorize.url, status_code=303)
    return redirect("/connections", f"Not started: {failed.error}")
