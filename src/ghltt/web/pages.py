"""Swagger UI, served from ghltt rather than a CDN (the dashboard at ``/`` is ``dashboard``).

It is public, like ``/healthz`` and the OpenAPI document: it says what runs here and nothing
about bridges or accounts, which only the JSON API (with the API token) and the dashboard
(behind its login) show.
Swagger UI's files come from the ``swagger-ui-bundle`` package (Apache-2.0), so ``/docs``
works on a machine that reaches nothing but ghltt.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS = "/docs"
ASSETS = "/docs/assets"
_OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install(app: FastAPI) -> None:
    """Serve ``/docs`` and Swagger UI's assets; build the app with ``docs_url=None``."""

    async def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            oauth2_redirect_url=_OAUTH2_REDIRECT,
        )

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.router.routes.extend(
        [
            Route(DOCS, docs, methods=["GET"], include_in_schema=False),
            Route(_OAUTH2_REDIRECT, oauth2_redirect, methods=["GET"], include_in_schema=False),
            Mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui"),
        ]
    )
