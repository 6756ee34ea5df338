"""``ghltt runs``: list, inspect and replay durable runs; see dead letters."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from ghltt.cli.context import console, fail, settings, store
from ghltt.core import GhlttError
from ghltt.jobs import JobAdmin
from ghltt.store import RunRepository

app = typer.Typer(help="List, inspect and replay runs; see dead letters.", no_args_is_help=True)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


@app.command("list")
def list_runs(
    status: str = typer.Option(
        None, help="Only runs in this status: running, succeeded, failed, held, retried."
    ),
    limit: int = typer.Option(20, min=1, max=1000, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show recent runs, newest first. Example: ghltt runs list --status failed"""
    records = RunRepository(store(settings())).list(status=status, limit=limit)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in records], default=str, indent=2))
        return
    table = Table("run", "recipe", "event", "status", "started", "error")
    for r in records:
        table.add_row(
            r.id, r.recipe, r.event_id, r.status, _when(r.started_at), (r.error or "")[:60]
        )
    console.print(table)


@app.command("show")
def show(run_id: str = typer.Argument(..., help="A run id (or its workflow id).")) -> None:
    """Show one run with every step: name, input, output, error, attempts."""
    record = RunRepository(store(settings())).get(run_id)
    if record is None:
        fail(f"no run with id {run_id!r} (see 'ghltt runs list')")
    typer.echo(json.dumps(record.as_dict(steps=True), default=str, indent=2))


@app.command("replay")
def replay(
    target: str = typer.Argument(..., help="A run id, an event id or a workflow id."),
) -> None:
    """Run again what failed, after fixing its cause.

    A dead letter resumes from its first failed step (what succeeded is not redone); anything
    else runs again from the start. A running executor ('ghltt serve' or 'ghltt worker')
    picks it up. Example: ghltt runs replay 3f2a...
    """
    loaded = settings()
    admin = JobAdmin(loaded, store(loaded))
    try:
        new_id = admin.replay(target)
    except GhlttError as exc:
        fail(str(exc))
    finally:
        admin.close()
    console.print(f"replaying as workflow {new_id}", highlight=False)


@app.command("dead-letters")
def dead_letters(limit: int = typer.Option(20, min=1, max=1000)) -> None:
    """List runs that exhausted their retries; replay each with 'ghltt runs replay'."""
    loaded = settings()
    admin = JobAdmin(loaded, store(loaded))
    try:
        letters = admin.dead_letters(limit)
    finally:
        admin.close()
    table = Table("workflow", "event", "status", "error")
    for d in letters:
        event = d.event_id or f"batch of {d.events}"
        table.add_row(d.workflow_id, event, d.status, (d.error or "")[:80])
    console.print(table)
