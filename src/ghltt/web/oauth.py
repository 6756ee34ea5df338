"""GHL OAuth in the browser. ``POST /oauth/ghl/start`` is for a holder of the API token and
answers JSON with the authorize URL (a browser cannot send the bearer token, and the state must
only ever be issued to someone allowed to connect accounts). ``GET /oauth/ghl/callback`` is
where GHL sends the browser back; it answers a small HTML page, never the code or a token."""

from __future__ import annotations

from html import escape
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from ghltt.connectors.http import ConnectorError
from ghltt.core import GhlttError, InvalidInput
from ghltt.vault import classify
from ghltt.web.auth import require_token
from ghltt.web.connections_api import bridge_services

router = APIRouter(prefix="/oauth/ghl", tags=["oauth"])


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_type: Literal["Location", "Company"] = "Location"
    bridge: str | None = Field(default=None, description="ask for this bridge's recipes' scopes")
    scopes: list[str] = Field(default_factory=list, description="extra scopes to ask for")
    label: str | None = Field(default=None, max_length=200)
    reconnect: str | None = Field(default=None, description="the OAuth connection to renew")


@router.post("/start", dependencies=[Depends(require_token)], summary="The authorize URL")
async def start(request: Request, body: StartIn | None = None) -> dict[str, Any]:
    body = body or StartIn()
    flow = bridge_services(request).oauth
    authorize = await run_in_threadpool(
        lambda: flow.start(
            user_type=body.user_type,
            bridge=body.bridge,
            extra_scopes=body.scopes,
            label=body.label,
            reconnect=body.reconnect,
        )
    )
    return authorize.public()


def _page(title: str, text: str, status: int) -> HTMLResponse:
    html = (
        "<!doctype html><meta charset=utf-8><title>ghltt</title>"
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


_PAGE = {"text/html": {"schema": {"type": "string"}}}


@router.get(
    "/callback",
    summary="Where GHL sends the browser back",
    response_class=HTMLResponse,
    responses={
        200: {"content": _PAGE},
        400: {
            "description": "Not connected: the code or state is missing, wrong or used",
            "content": _PAGE,
        },
        502: {"description": "Not connected: GHL refused the code", "content": _PAGE},
    },
)
async def callback(
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    flow = bridge_services(request).oauth
    try:
        outcome = await flow.complete(code=code, state=state, error=error)
    except InvalidInput as exc:
        return _page("Not connected", str(exc), 400)
    except ConnectorError as exc:
        failure = classify(exc, connection_id="(new)", system="ghl")
        again = "Start again with 'ghltt connect ghl --oauth'."
        return _page(
            "Not connected", f"GHL refused ({failure.kind.value}): {failure.message}. {again}", 502
        )
    except GhlttError as exc:
        return _page("Not connected", str(exc), 500)
    view = outcome.connection
    notes = " ".join(outcome.warnings)
    return _page(
        "Connected",
        f"{view.label} ({view.identity}) is connected as {view.id}. {notes} "
        "You can close this window.",
        200,
    )
