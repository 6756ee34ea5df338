"""``ghltt catalog``: the actions and triggers recipes can use, and docs/catalog.md."""

from __future__ import annotations

import difflib
import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from ghltt.engine.catalog.describe import catalog_markdown, entries, find_entry

app = typer.Typer(
    help="List and show the actions and triggers recipes can use.", no_args_is_help=True
)
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


class System(StrEnum):
    ghl = "ghl"
    tt = "tt"
    ghltt = "ghltt"


class Kind(StrEnum):
    action = "action"
    trigger = "trigger"


@app.command("list")
def list_(
    system: System | None = typer.Option(None, "--system", help="Only this system's entries."),
    kind: Kind | None = typer.Option(None, "--kind", help="Only actions or only triggers."),
    search: str | None = typer.Option(
        None, "--search", help="A word to find in names and descriptions."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List catalog entries. Example: ghltt catalog list --system tt --kind trigger"""
    found = entries(
        system=system.value if system else None,
        kind=kind.value if kind else None,
        search=search,
    )
    if as_json:
        rows = [e.model_dump(mode="json") for e in found]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("name", "kind", "description", "idempotence / detection")
    for e in found:
        how = e.idempotence or ", ".join(e.detection)
        table.add_row(e.name, e.kind, e.description, how)
    _out.print(table)
    _err.print(f"{len(found)} entr{'y' if len(found) == 1 else 'ies'}")


@app.command("show")
def show(
    name: str = typer.Argument(..., help="An action or trigger, such as tt.tasks.add."),
    as_json: bool = typer.Option(False, "--json", help="Print the entry as JSON."),
) -> None:
    """Show one entry: its input and output (or payload) schema, scopes, idempotence, example."""
    entry = find_entry(name)
    if entry is None:
        close = difflib.get_close_matches(name, [e.name for e in entries()], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        _err.print(f"no action or trigger named {name!r}{hint} (see: ghltt catalog list)")
        raise typer.Exit(2)
    data = entry.model_dump(mode="json", exclude_none=True)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    schemas = ("input_schema", "output_schema", "payload_schema", "example")
    for key, value in data.items():
        if key == "scopes" and not value:
            value = ["none"]
        if key not in schemas and value not in ([], ""):
            label = key.replace("_", " ")
            typer.echo(f"{label}: {', '.join(value) if isinstance(value, list) else value}")
    for key in schemas:
        if key in data:
            typer.echo(f"\n{key.replace('_', ' ')}:\n{json.dumps(data[key], indent=2)}")


@app.command("docs")
def docs(
    path: Path = typer.Argument(Path("docs/catalog.md"), help="Where to write the page."),
) -> None:
    """Write docs/catalog.md from the catalog."""
    try:
        path.write_text(catalog_markdown(), encoding="utf-8")
    except OSError as exc:
        _err.print(f"cannot write {path}: {exc.strerror}")
        raise typer.Exit(2) from None
    _err.print(f"wrote {path}")
