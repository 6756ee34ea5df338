"""``ghltt recipes``: validate recipe files and list the templates that ship with ghltt."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from ghltt.engine.recipes import load_recipes
from ghltt.engine.recipes.connector_catalog import connector_catalog
from ghltt.templates import list_templates, sync_template_names

app = typer.Typer(
    help="Validate recipe files and list the shipped templates.", no_args_is_help=True
)
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)
_SUFFIXES = (".yaml", ".yml")


def _expand(paths: list[Path]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"{path}: no such file or directory")
    return files, missing


@app.command("validate")
def validate(
    paths: list[Path] = typer.Argument(..., help="Recipe files or directories of *.yaml files."),
) -> None:
    """Check recipe files; print each problem as file:line:col: field: message.

    Exits 2 when any file has a problem. Example: ghltt recipes validate recipes/
    """
    files, problems = _expand(paths)
    if not files and not problems:
        problems.append("no recipe files (*.yaml, *.yml) found")
    recipes, found = load_recipes(files, connector_catalog(), extra_syncs=sync_template_names())
    for line in [*problems, *(str(p) for p in found)]:
        typer.echo(line)
    if problems or found:
        count = len(problems) + len(found)
        _err.print(f"{count} problem{'s' if count > 1 else ''} in {len(files)} file(s)")
        raise typer.Exit(2)
    _err.print(f"ok: {len(recipes)} recipe(s) valid")


@app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the templates that ship with ghltt, with their kind and what they do."""
    templates = list_templates()
    if as_json:
        rows = [{"name": t.name, "kind": t.kind, "description": t.description} for t in templates]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("template", "kind", "description")
    for t in templates:
        table.add_row(t.name, t.kind, t.description)
    _out.print(table)
