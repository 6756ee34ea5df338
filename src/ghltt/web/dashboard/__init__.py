"""The dashboard: server-rendered pages (Jinja2, htmx) behind a login, served at ``/``.

Pages call the same services as the JSON API (``ghltt.bridges``, ``ghltt.jobs``' admin and
the store's repositories); they add no business logic of their own. See docs/dashboard.md.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from ghltt.web.dashboard import (
    bridges,
    catalog,
    connections,
    imports,
    login,
    overview,
    preview,
    runs,
)
from ghltt.web.dashboard.context import (
    SECURITY_HEADERS,
    STATIC,
    CsrfRejected,
    LoginRequired,
    login_redirect,
)

STATIC_PATH = "/dashboard/static"

# Every page and partial; each router but the login page's requires a session.
ROUTERS = [
    login.router,
    overview.router,
    runs.router,
    connections.router,
    bridges.router,
    preview.router,
    imports.router,
    catalog.router,
]


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="dashboard-static")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        return login_redirect(request)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(_request: Request, _exc: CsrfRejected) -> Response:
        return Response(
            "the form's CSRF token is missing or stale: reload the page and try again",
            status_code=403,
            media_type="text/plain",
            headers=SECURITY_HEADERS,
        )
