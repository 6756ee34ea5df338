"""``ghltt dashboard``: the browser dashboard's own password (besides the API token)."""

from __future__ import annotations

import typer

from ghltt.cli.context import console, fail, settings, store
from ghltt.core import InvalidInput
from ghltt.store.dashboard import DashboardAuthRepository
from ghltt.web.dashboard.passwords import MIN_LENGTH, hash_password

app = typer.Typer(help="The dashboard served at / by 'ghltt serve'.", no_args_is_help=True)


@app.command("set-password")
def set_password(
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="GHLTT_DASHBOARD_PASSWORD",
        help=f"At least {MIN_LENGTH} characters; asked for when not given (never echoed).",
    ),
) -> None:
    """Let the dashboard's login page take this password as well as the API token.

    Only a salted scrypt hash is stored. Example: ghltt dashboard set-password
    """
    try:
        hashed = hash_password(password)
    except InvalidInput as exc:
        fail(str(exc))
    DashboardAuthRepository(store(settings())).set_password_hash(hashed)
    console.print("the dashboard password is set; sessions already open stay open")


@app.command("clear-password")
def clear_password() -> None:
    """Remove the dashboard password: only the API token logs in."""
    removed = DashboardAuthRepository(store(settings())).clear()
    console.print("the dashboard password is removed" if removed else "no password was set")
