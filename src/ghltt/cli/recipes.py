"""``ghltt recipes``: list and export the shipped templates, validate recipe files, enable a
template or a file on a bridge (kept in the store, one version per changed text), set a
recipe's parameters, and ``ghltt plan`` a recipe against an event."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from ghltt.bridges import Services
from ghltt.cli.context import fail
from ghltt.cli.services import JsonOpt, open_services, vault_errors
from ghltt.connectors.http import ConnectorError
from ghltt.core import Event, GhlttError, InvalidInput, NotFound
from ghltt.engine.catalog import action_catalog
from ghltt.engine.catalog.describe import recipe_schema
from ghltt.engine.needs import check_enabled
from ghltt.engine.preview import preview
from ghltt.engine.recipe_export import export_text
from ghltt.engine.recipe_params import (
    param_schema,
    parse_assignments,
    set_params,
    show_params,
    unset_params,
)
from ghltt.engine.recipe_sources import (
    bridge_recipe,
    enable_template,
    enable_text,
    is_file_ref,
    read_recipe_file,
)
from ghltt.engine.recipes import load_recipes
from ghltt.engine.recipes.templates import list_templates, load_template, sync_template_names
from ghltt.store import InboxRepository

app = typer.Typer(
    help="List, export and validate recipes; enable them on a bridge; set their parameters.",
    no_args_is_help=True,
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


@app.command("schema")
def schema(
    path: Path | None = typer.Argument(
        None, help="Where to write the schema (JSON); standard output when absent."
    ),
) -> None:
    """Write the JSON Schema of recipe files, every action's inputs included, for editors.

    With the YAML extension of VS Code, put this first in a recipe file:
    # yaml-language-server: $schema=recipe.schema.json
    Example: ghltt recipes schema recipe.schema.json
    """
    text = json.dumps(recipe_schema(), indent=2) + "\n"
    if path is None:
        typer.echo(text, nl=False)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        _err.print(f"cannot write {path}: {exc.strerror}")
        raise typer.Exit(2) from None
    _err.print(f"wrote {path}")


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


@app.command("export")
def export(
    template: str = typer.Argument(..., help="A template name ('ghltt recipes list')."),
    path: Path = typer.Argument(
        None, help="Where to write it: a file, or a directory (default: standard output)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a shipped template as a recipe file to edit, its parameters documented on top.

    Example: ghltt recipes export contacts my/contacts.yaml
    """
    with vault_errors():
        content = export_text(template)
    if path is None:
        typer.echo(content, nl=False)
        return
    target = path / f"{template}.yaml" if path.is_dir() else path
    if target.exists() and not force:
        fail(f"{target}: exists (give --force to overwrite it)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)  # 'my/contacts.yaml' in a new folder
        target.write_text(content, encoding="utf-8")
    except OSError as exc:
        fail(f"{target}: cannot write: {exc.strerror}")
    _err.print(f"wrote {target}")


@app.command("enable")
def enable(
    bridge: str = typer.Argument(..., help="Bridge id or name."),
    recipe: str = typer.Argument(
        ..., help="A template name ('ghltt recipes list') or a recipe file (FILE.yaml)."
    ),
) -> None:
    """Enable a template or a recipe file on a bridge, after checking the GHL scopes it needs.

    A file is validated and kept in the store: enabling a changed file makes a new version
    ('ghltt recipes versions' lists them), the same file again changes nothing. A template
    runs as shipped with the installed ghltt; enabling it again after a file goes back to it.
    A missing scope is an error that names it; an excess one a warning. Then the bridge is
    checked as 'ghltt bridges check' does: what it lacks (custom fields, the webhook) is
    printed, and offered to be created when run in a terminal. Running executors pick the
    recipe up within seconds. Examples: ghltt recipes enable acme contacts; ghltt recipes
    enable acme my/contacts.yaml
    """
    svc = open_services()
    with vault_errors():
        if is_file_ref(recipe):
            loaded = read_recipe_file(recipe)
            done = enable_text(svc.bridges, bridge, loaded.text, loaded.label)
        else:
            done = enable_template(svc.bridges, bridge, recipe)
    for warning in done.warnings:
        _err.print(f"warning: {warning}", highlight=False)
    if done.version is None:
        which = "the shipped template"
    else:
        which = f"version {done.version}" + ("" if done.new_version else ", unchanged")
    _out.print(
        f"enabled {done.recipe} ({which}) on {done.bridge} "
        f"(scopes: {', '.join(done.scopes) or 'none'})"
    )

    _check_setup(svc, done.bridge)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _check_setup(svc: Services, bridge: str) -> None:
    """Warn about what the bridge lacks for its recipes (custom fields, webhook) and offer to
    create it; in a non-interactive run, print what is missing and the command that fixes it."""
    try:
        report = anyio.run(lambda: check_enabled(svc, bridge, deliver=False))
    except (ConnectorError, GhlttError) as exc:
        _err.print(
            f"warning: could not check the bridge ({exc}): run 'ghltt bridges check {bridge}'"
        )
        return
    if not report.problems:
        return
    for finding in report.problems:
        _err.print(f"warning: {finding.line()}")
    fix = f"ghltt bridges check {report.bridge} --fix"
    if not report.fixable:
        return
    if not _interactive():
        _err.print(f"runs will fail until this is fixed: run '{fix}'")
        return
    if not typer.confirm(f"Create what is missing now ({fix})?", default=True):
        _err.print(f"runs will fail until this is fixed: run '{fix}'")
        return
    try:
        fixed = anyio.run(lambda: check_enabled(svc, bridge, fix=True, deliver=False))
    except (ConnectorError, GhlttError) as exc:
        _err.print(f"warning: could not fix the bridge ({exc}): run '{fix}'")
        return
    for finding in fixed.findings:
        if finding.status == "fixed" or finding.problem:
            _err.print(finding.line())


@app.command("versions")
def versions(
    bridge: str = typer.Argument(..., help="Bridge id or name."),
    recipe: str = typer.Argument(..., help="The recipe's name."),
    show: int = typer.Option(None, "--show", help="Print the text of this version."),
    as_json: bool = JsonOpt,
) -> None:
    """The versions of a recipe file enabled on a bridge, and which one runs.

    Example: ghltt recipes versions acme contacts --show 2
    """
    svc = open_services()
    with vault_errors():
        row = svc.bridges.resolve(bridge)
        state = svc.bridges.recipes.state(row.id, recipe)
        found = svc.bridges.recipes.versions(row.id, recipe)
        if show is not None:
            chosen = next((v for v in found if v.version == show), None)
            if chosen is None:
                raise NotFound(f"recipe {recipe} has no version {show} on bridge {row.name}")
            typer.echo(chosen.text, nl=False)
            return
    running = state.version if state is not None and state.enabled else None
    if as_json:
        rows = [{**v.public(), "running": v.version == running} for v in found]
        typer.echo(json.dumps(rows, default=str, indent=2))
        return
    if not found:
        _out.print(f"{recipe} on {row.name} has no stored version (it runs the shipped template)")
        return
    table = Table("version", "enabled from", "sha256", "created", "running")
    for v in found:
        table.add_row(
            str(v.version),
            v.source,
            v.sha256[:12],
            v.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "yes" if v.version == running else "",
        )
    _out.print(table)


@app.command("params")
def params(
    bridge: str = typer.Argument(..., help="Bridge id or name."),
    recipe: str = typer.Argument(..., help="The recipe's name."),
    action: str = typer.Argument("show", help="show, set or unset."),
    items: list[str] = typer.Argument(None, help="set: KEY=VALUE ...; unset: KEY ..."),
    as_json: bool = JsonOpt,
) -> None:
    """Show or set a recipe's parameters on a bridge, checked against the recipe's params.

    Text parameters take the value as written; others a YAML value (30, true, [a, b]).
    Runs use the new values from their next event. Examples: ghltt recipes params acme
    contacts set default_country=44; ghltt recipes params acme activity-tags set
    active_days=14 'thresholds=[{hours: 5, tag: tt-5h}]'
    """
    svc = open_services()
    with vault_errors():
        if action == "show":
            shown = show_params(svc.bridges, bridge, recipe)
        elif action in ("set", "unset"):
            if not items:
                raise InvalidInput(f"give {'KEY=VALUE' if action == 'set' else 'KEY'} ...")
            if action == "set":
                compiled, _ = bridge_recipe(svc.bridges, bridge, recipe)
                values = parse_assignments(items, param_schema(compiled))
                shown = set_params(svc.bridges, bridge, recipe, values)
            else:
                shown = unset_params(svc.bridges, bridge, recipe, items)
        else:
            raise InvalidInput("must be show, set or unset", where="action")
    if as_json:
        typer.echo(json.dumps(shown, default=str, indent=2))
        return
    _out.print(f"{shown['recipe']} on {shown['bridge']}")
    if not shown["params"]:
        _out.print("This recipe declares no parameters: there is nothing to set.")
        return
    table = Table("parameter", "type", "default", "value on this bridge", "about")
    for p in shown["params"]:
        value = json.dumps(p["value"]) if "value" in p else "(default)"
        table.add_row(p["name"], p["type"], json.dumps(p["default"]), value, _about(p))
    _out.print(table)


def _about(param: dict[str, Any]) -> str:
    """A parameter's help and allowed values, as the recipe declares them."""
    said = [param.get("description") or ""]
    if "enum" in param:
        said.append("one of " + ", ".join(json.dumps(v) for v in param["enum"]))
    if "minimum" in param or "maximum" in param:
        low, high = param.get("minimum"), param.get("maximum")
        said.append(
            f"from {low if low is not None else '…'} to {high if high is not None else '…'}"
        )
    if "items" in param:
        said.append(f"each item {param['items']}")
    return "; ".join(s for s in said if s)


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
    recipe: str = typer.Argument(
        ..., help="A template name ('ghltt recipes list') or a recipe file (FILE.yaml)."
    ),
    event: str = typer.Option(
        ...,
        "--event",
        help="An event id (or any unique prefix) from the inbox, or a JSON file holding one event.",
    ),
    bridge: str = typer.Option(None, "--bridge", help="Bridge id or name (default: the event's)."),
) -> None:
    """Print the exact writes a recipe would make for an event, and make none.

    Reads both accounts as a shadow run does, with the bridge's parameters. Examples:
    ghltt plan contacts --event ev.json --bridge acme; ghltt plan my/contacts.yaml --event
    ev.json --bridge acme
    """
    svc = open_services()
    with vault_errors():
        loaded = _load_event(event, svc, bridge)
        if is_file_ref(recipe):
            compiled = read_recipe_file(recipe).recipe
        else:
            compiled = load_template(recipe, action_catalog())
        bridge_id = svc.bridges.resolve(bridge or loaded.bridge).id
        report = anyio.run(preview, svc, bridge_id, compiled, loaded)
    _out.print(f"{compiled.name}: {report['outcome']} {report.get('reason') or ''}".rstrip())
    for write in report["writes"]:
        _out.print(
            f"  {write['system']} {write['action']} {write['object_type']} "
            f"{write['object_id'] or '(new)'}",
            highlight=False,
        )
        for name, value in (write.get("fields") or {}).items():
            _out.print(f"    + {name}: {json.dumps(value, default=str)}", highlight=False)
        if write.get("problem"):
            _out.print(f"    ! {write['problem']}", highlight=False)
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
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            field = ".".join(str(p) for p in error["loc"])
            raise InvalidInput(f"{field}: {error['msg']}", where=str(path)) from None
    inbox = InboxRepository(svc.connections.db)
    stored = inbox.get(inbox.resolve(ref))  # an id or any unique prefix, as everywhere
    if stored is None:
        raise InvalidInput("no such event in the inbox (give an id or a .json file)", where=ref)
    return stored.event
