"""``ghltt db``: the store's schema."""

from __future__ import annotations

import typer

from ghltt.cli.context import console, settings, store
from ghltt.store import migrate

app = typer.Typer(help="Manage the store's schema (SQLite or PostgreSQL).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration. Safe to run again: it does nothing when current.

    Example: GHLTT_DATABASE_URL=postgresql://localhost/ghltt ghltt db upgrade
    """
    db = store(settings())
    migrate.upgrade(db)
    console.print(f"store schema at revision {migrate.current_revision(db)}")


@app.command("current")
def current() -> None:
    """Show the schema revision of the store and whether it is the newest."""
    db = store(settings())
    rev, head = migrate.current_revision(db), migrate.head_revision(db)
    console.print(f"revision {rev or 'none'} (newest: {head})")
    if rev != head:
        raise typer.Exit(1)
