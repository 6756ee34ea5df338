"""``ghltt db``: the store's schema, and pruning its history."""

from __future__ import annotations

import typer

from ghltt.cli.context import console, fail, settings, store
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


@app.command("prune")
def prune(
    days: int | None = typer.Option(
        None, min=0, help="Keep this many days of history (default: GHLTT_RETENTION_DAYS)."
    ),
) -> None:
    """Remove history older than the retention period now (the executor does it hourly).

    Finished runs, processed events and finished workflow records go; dead letters, links,
    snapshots and pending events stay. Example: ghltt db prune --days 7
    """
    from ghltt.jobs import JobAdmin, retention  # DBOS: 'db upgrade' and 'db current' need none

    loaded = settings()
    keep = loaded.retention_days if days is None else days
    if keep == 0:
        fail("the retention period is 0 days (keep everything): give --days N to prune")
    db = store(loaded)
    admin = JobAdmin(loaded, db)
    try:
        pruned = retention.prune(db, admin.client if admin.has_run() else None, keep)
    finally:
        admin.close()
    counts = ", ".join(f"{n} {what}" for what, n in pruned.as_dict().items())
    console.print(f"pruned history older than {keep} days: {counts}", highlight=False)
