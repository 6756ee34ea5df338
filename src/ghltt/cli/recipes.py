"""``ghltt recipes``: validate recipe files and list the templates that ship with ghltt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from ghltt.cli.services import open_services, vault_errors
from ghltt.core import Event, InvalidInput
from ghltt.engine.catalog import action_catalog
from ghltt.engine.preview import preview
from ghltt.engine.recipes import load_recipes, required_scopes
from ghltt.engine.recipes.templates import list_templates, load_template, sync_template_names
from ghltt.store import InboxRepository

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
    recipes, found = load_recipes(files, action_catalog(), extra_syncs=sync_template_names())
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


@app.command("enable")
def enable(
    bridge: str = typer.Argument(..., help="Bridge id or name."),
    recipe: str = typer.Argument(..., help="A template name ('ghltt recipes list')."),
) -> None:
    """Enable a template on a bridge, after checking the GHL scopes it needs are granted.

    A missing scope is an error that names it; an excess one a warning. Running executors pick
    it up within seconds. Example: ghltt recipes enable acme contacts
    """
    svc = open_services()
    with vault_errors():
        compiled = load_template(recipe, action_catalog())
        needed = sorted(required_scopes(compiled, action_catalog()))
        warnings = svc.bridges.enable_recipe(bridge, recipe, needed)
    for warning in warnings:
        _err.print(f"warning: {warning}", highlight=False)
    _out.print(f"enabled {recipe} on {bridge} (scopes: {', '.join(needed) or 'none'})")


@app.command("disable")
def disable(
    bridge: str = typer.Argument(..., help="Bridge id or name."),
    recipe: str = typer.Argument(..., help="The template name."),
) -> None:
    """Stop running a template on a bridge (its links and history stay)."""
    svc = open_services()
    with vault_errors():
        changed = svc.bridges.disable_recipe(bridge, recipe)
    _out.print(f"{'disabled' if changed else 'was not enabled:'} {recipe} on {bridge}")


def plan(
    recipe: str = typer.Argument(..., help="A template name ('ghltt recipes list')."),
    event: str = typer.Option(
        ..., "--event", help="An event id from the inbox, or a JSON file holding one event."
    ),
    bridge: str = typer.Option(None, "--bridge", help="Bridge id or name [default: the event's]."),
) -> None:
    """Print the exact writes a recipe would make for an event, and make none.

    Reads both accounts as a shadow run does. Example: ghltt plan contacts --event ev.json
    --bridge acme
    """
    import anyio

    svc = open_services()
    with vault_errors():
        loaded = _load_event(event, svc, bridge)
        compiled = load_template(recipe, action_catalog())
        bridge_id = svc.bridges.resolve(bridge or loaded.bridge).id
        report = anyio.run(
            preview, svc, bridge_id, compiled, loaded.model_copy(update={"bridge": bridge_id})
        )
    _out.print(f"{recipe}: {report['outcome']} {report.get('reason') or ''}".rstrip())
    for write in report["writes"]:
        _out.print(
            f"  {write['system']} {write['action']} {write['object_type']} "
            f"{write['object_id'] or '(new)'}",
            highlight=False,
        )
        for name, value in (write.get("fields") or {}).items():
            _out.print(f"    + {name}: {json.dumps(value, default=str)}", highlight=False)
    if not report["writes"]:
        _out.print("  no writes")


def _load_event(ref: str, svc: Any, bridge: str | None) -> Any:
    path = Path(ref)
    if path.suffix == ".json" or path.exists():
        try:
            data = json.loads(path.read_text())
        except OSError as exc:
            raise InvalidInput(f"cannot read: {exc.strerror}", where=str(path)) from None
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"not valid JSON: {exc.msg}", where=f"{path}:{exc.lineno}") from None
        data.setdefault("dedup_key", f"plan:{path.name}")
        data.setdefault("bridge", bridge or "default")
        try:
            return Event.model_validate(data)
        except ValueError as exc:
            raise InvalidInput(str(exc).splitlines()[0], where=str(path)) from None
    stored = InboxRepository(svc.connections.db).get(ref)
    if stored is None:
        raise InvalidInput("no such event in the inbox (give an id or a .json file)", where=ref)
    return stored.event
