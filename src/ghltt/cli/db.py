"""``ghltt db``: the store's schema."""

from __future__ import annotations

import typer

from ghltt.cli.context import console, settings
from ghltt.store import migrate, open_database

app = typer.Typer(help="Manage the store's schema (SQLite or PostgreSQL).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration. Safe to run again: it does nothing when current.

    Example: GHLTT_DATABASE_URL=postgresql://localhost/ghltt ghltt db upgrade
    """
    db = open_database(settings().store_url)
    migrate.upgrade(db)
    console.print(f"store schema at revision {migrate.current_revision(db)}")


@app.command("current")
def current() -> None:
    """Show the schema revision of the store and whether it is the newest."""
    db = open_database(settings().store_url)
    rev, head = migrate.current_revision(db), migrate.head_revision(db)
    console.print(f"revision {rev or 'none'} (newest: {head})")
    if rev != head:
        raise typer.Exit(1)
