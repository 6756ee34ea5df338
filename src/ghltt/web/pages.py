"""The app's own HTML: a home page, and Swagger UI served from ghltt rather than a CDN.

Both are public, like ``/healthz`` and the OpenAPI document: they say what runs here and
nothing about its bridges or accounts, which only the JSON API shows, with the API token.
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

from ghltt import __version__

DOCS = "/docs"
ASSETS = "/docs/assets"
_OAUTH2_REDIRECT = "/docs/oauth2-redirect"

# No script and no style of its own: the page needs neither, and the policy says so.
_HOME_HEADERS = {"Content-Security-Policy": "default-src 'none'"}
_HOME = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ghltt</title></head>
<body>
<h1>ghltt {__version__}</h1>
<p>GoHighLevel and TrackingTime, kept in sync. This process is running.</p>
<ul>
<li><a href="/healthz">/healthz</a>: liveness</li>
<li><a href="{DOCS}">{DOCS}</a>: the JSON API (it takes the API token: 'ghltt token show')</li>
</ul>
</body>
</html>
"""


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(_HOME, headers=_HOME_HEADERS)


def install(app: FastAPI) -> None:
    """Serve ``/``, ``/docs`` and Swagger UI's assets; build the app with ``docs_url=None``."""

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
            Route("/", home, methods=["GET"], include_in_schema=False),
            Route(DOCS, docs, methods=["GET"], include_in_schema=False),
            Route(_OAUTH2_REDIRECT, oauth2_redirect, methods=["GET"], include_in_schema=False),
            Mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui"),
        ]
    )
