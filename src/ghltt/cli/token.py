"""``ghltt token``: the bearer token of the JSON API."""

from __future__ import annotations

import typer

from ghltt.cli.context import console, fail, settings, store
from ghltt.store import TokenRepository
from ghltt.store.tokens import ensure_first_token, rotate_token, token_file

app = typer.Typer(help="Show or rotate the JSON API's bearer token.", no_args_is_help=True)


@app.command("show")
def show() -> None:
    """Print the API token, creating it if ghltt has never started.

    Use it as 'Authorization: Bearer <token>'. Example: curl -H "Authorization: Bearer
    $(ghltt token show)" http://127.0.0.1:8000/api/runs
    """
    loaded = settings()
    ensure_first_token(TokenRepository(store(loaded)), loaded.data_dir)
    path = token_file(loaded.data_dir)
    if not path.exists():
        fail(f"{path} is missing (the token was made elsewhere); run 'ghltt token rotate'")
    console.print(path.read_text().strip(), highlight=False, soft_wrap=True)


@app.command("rotate")
def rotate() -> None:
    """Make a new API token and revoke every older one (running servers notice within 5 s)."""
    loaded = settings()
    token = rotate_token(TokenRepository(store(loaded)), loaded.data_dir)
    console.print(token, highlight=False, soft_wrap=True)
