"""What every dashboard page shares: the session check, CSRF, the templates and the headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ghltt import __version__
from ghltt.bridges import Services as BridgeServices
from ghltt.connectors.http import ConnectorError
from ghltt.core import GhlttError, InvalidInput
from ghltt.engine.imports.eta import describe
from ghltt.vault import VaultError, classify
from ghltt.web.auth import services
from ghltt.web.connections_api import bridge_services
from ghltt.web.dashboard.session import (
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    Session,
    SessionSigner,
    csrf_ok,
)

HERE = Path(__file__).parent
STATIC = HERE / "static"

# No inline script or style anywhere: htmx, the page script and the CSS are files of ours.
# Forms post to ghltt only, and the GHL OAuth form is redirected to GHL's authorize page.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self' {authorize}; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP.format(authorize=""),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """Raised by :func:`require_session`; answered with a redirect to the login page (or a
    401 to htmx and to anything that is not a page load)."""


class CsrfRejected(Exception):
    pass


def signer(request: Request) -> SessionSigner:
    state = request.app.state
    found: SessionSigner | None = getattr(state, "dashboard_signer", None)
    if found is None:
        key = bridge(request).vault.derive_key("dashboard-session")
        hours = services(request).settings.dashboard_session_hours
        found = SessionSigner(key, max_age=int(hours * 3600))
        state.dashboard_signer = found
    return found


def bridge(request: Request) -> BridgeServices:
    return bridge_services(request)


def current_session(request: Request) -> Session | None:
    return signer(request).read(request.cookies.get(COOKIE))


async def require_session(request: Request) -> Session:
    """Every dashboard route but the login page depends on this; state changes need CSRF."""
    session = current_session(request)
    if session is None:
        raise LoginRequired
    if request.method not in ("GET", "HEAD"):
        presented = request.headers.get(CSRF_HEADER)
        if presented is None:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            presented = value if isinstance(value, str) else None
        if not csrf_ok(session, presented):
            raise CsrfRejected
    request.state.session = session
    return session


def login_redirect(request: Request) -> Response:
    if request.method != "GET" or request.headers.get("hx-request"):
        return Response(
            "log in first", status_code=401, media_type="text/plain", headers=SECURITY_HEADERS
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def _ago(value: datetime | None) -> str:
    if value is None:
        return "never"
    seconds = (datetime.now(UTC) - value).total_seconds()
    return human_seconds(abs(seconds)) + (" ago" if seconds >= 0 else " from now")


def human_seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{int(seconds * 1000)} ms"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}".replace(".0 ", " ")
    return f"{seconds:.1f} s".replace(".0 ", " ")


def _duration(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return ""
    return human_seconds(max((end - start).total_seconds(), 0))


def _count(value: int | None) -> str:
    return f"{value or 0:,}".replace(",", "\u202f")


def viewer_datetime(text: str, offset_minutes: int, where: str) -> datetime:
    """A ``datetime-local`` value in the viewer's zone (``tz``: JavaScript's offset)."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("is not a date and time", where=where) from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return (naive + timedelta(minutes=offset_minutes)).replace(tzinfo=UTC)


templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _eta(progress: dict[str, Any]) -> str:
    """An import direction's estimate, or what it waits for, as the CLI words it."""
    return describe(progress.get("eta"), progress.get("waiting"))


templates.filters.update(when=_when, ago=_ago, count=_count, eta=_eta)
templates.globals.update(duration=_duration, csrf_field=CSRF_FIELD, version=__version__)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    session: Session | None = getattr(request.state, "session", None)
    page = templates.get_template(name).render(
        request=request,
        session=session,
        csrf=session.csrf if session else "",
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status, headers=_page_headers(request))


def _page_headers(request: Request) -> dict[str, str]:
    state = request.app.state
    found: dict[str, str] | None = getattr(state, "dashboard_headers", None)
    if found is None:
        authorize = urlsplit(services(request).settings.ghl_authorize_url)
        origin = f"{authorize.scheme}://{authorize.netloc}"
        found = {**SECURITY_HEADERS, "Content-Security-Policy": CSP.format(authorize=origin)}
        state.dashboard_headers = found
    return found


def redirect(to: str, message: str | None = None) -> Response:
    """After a form: back to ``to`` (htmx follows ``HX-Redirect``)."""
    if message:
        path, hash_, fragment = to.partition("#")
        path += ("&" if "?" in path else "?") + "note=" + quote(message)
        to = path + hash_ + fragment
    return RedirectResponse(to, status_code=303, headers={"HX-Redirect": to})


class Outcome:
    """What an action on a page said: shown to the user, never as a traceback."""

    def __init__(self) -> None:
        self.error: str | None = None


@asynccontextmanager
async def user_errors(system: str = "remote") -> AsyncIterator[Outcome]:
    """Turn the errors a user can cause or fix into a message on the page."""
    outcome = Outcome()
    try:
        yield outcome
    except ConnectorError as exc:
        failure = classify(exc, connection_id="?", system=system)
        outcome.error = f"{system.upper()}: {failure.message}"
    except VaultError as exc:
        outcome.error = str(exc)
    except GhlttError as exc:
        outcome.error = str(exc)
