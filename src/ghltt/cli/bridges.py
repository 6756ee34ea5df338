"""``ghltt bridges``: pair a GHL connection with a TT connection, and steer the pair."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ghltt.bridges import CheckReport
from ghltt.bridges.intake import APP
from ghltt.cli.context import console, fail
from ghltt.cli.events import poll
from ghltt.cli.services import JsonOpt, open_services, run_remote, vault_errors
from ghltt.core import InvalidInput
from ghltt.engine.needs import check_enabled

bridges_app = typer.Typer(
    help="Pair a GHL connection with a TT connection (registers the TT webhooks).",
    no_args_is_help=True,
)


# ---- ghltt bridges ----------------------------------------------------------------------------
def _print_bridge(data: dict[str, Any]) -> None:
    console.print_json(json.dumps(data, default=str))


@bridges_app.command("add")
def bridges_add(
    name: str = typer.Argument(..., help="A unique name for the bridge."),
    ghl: str = typer.Option(..., "--ghl", help="GHL connection id or label."),
    tt: str = typer.Option(..., "--tt", help="TT connection id or label."),
    mode: str = typer.Option(
        None, help="shadow (plan and record, write nothing) or live (default: shadow)."
    ),
) -> None:
    """Pair a GHL connection with a TT connection and register the TT webhooks.

    The bridge starts in shadow mode: its runs plan and record their writes without making
    them. Review them ('ghltt bridges planned NAME'), then
    'ghltt bridges mode NAME live --apply-planned'.
    """
    svc = open_services()
    view = run_remote(
        lambda: svc.bridges.add(name=name, ghl_connection=ghl, tt_connection=tt, mode=mode)
    )
    _print_bridge(view.public())


@bridges_app.command("list")
def bridges_list(as_json: bool = JsonOpt) -> None:
    """Every bridge with its connections and mode."""
    svc = open_services()
    with vault_errors():
        rows = svc.bridges.all()
    if as_json:
        console.print_json(json.dumps([b.public() for b in rows], default=str))
        return
    table = Table("id", "name", "mode", "ghl", "tt", "webhooks", "recipes")
    for b in rows:
        enabled = sum(r.enabled for r in b.recipes)
        table.add_row(
            b.id,
            b.name,
            b.mode,
            b.ghl_connection_id or "",
            b.tt_connection_id or "",
            str(len(b.webhooks)),
            f"{enabled}/{len(b.recipes)}",
        )
    console.print(table)


@bridges_app.command("show")
def bridges_show(ref: str = typer.Argument(..., help="Bridge id or name.")) -> None:
    """One bridge: connections, webhooks and recipes."""
    svc = open_services()
    with vault_errors():
        _print_bridge(svc.bridges.show(ref).public())


@bridges_app.command("mode")
def bridges_mode(
    ref: str = typer.Argument(..., help="Bridge id or name."),
    mode: str = typer.Argument(..., help="shadow (plan only), live or sandbox."),
    apply_planned: bool = typer.Option(
        False,
        "--apply-planned",
        help="Going live: also apply what shadow planned (each plan once, by a new run).",
    ),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Switch a bridge's mode, e.g. from shadow to live once its plans look right.

    Runs read the mode when they start, so the switch needs nothing else: no restart, no
    new connection. Going live says how many planned writes wait; --apply-planned puts one
    event per pending plan in the inbox for the executor to run (applying again adds
    nothing). Example: ghltt bridges mode acme live --apply-planned
    """
    svc = open_services()
    with vault_errors():
        if apply_planned and mode != "live":
            raise InvalidInput("--apply-planned goes with live", where="mode")
        pending = svc.bridges.planned(ref) if mode == "live" else None
        if apply_planned and pending is not None and pending.plans:
            what = f"{pending.writes} planned write(s) from {len(pending.plans)} shadow run(s)"
            console.print(f"applying {what}", highlight=False)
            if not yes and not typer.confirm("Switch to live and apply them?"):
                raise typer.Exit(1)
        view = svc.bridges.set_mode(ref, mode)
        applied = svc.bridges.apply_planned(view.id) if apply_planned else None
    console.print(f"bridge {view.name} is now {view.mode}", highlight=False)
    if applied is not None:
        console.print(
            f"queued {len(applied.plans)} run(s) for {applied.writes} planned write(s); a "
            "running executor ('ghltt serve' or 'ghltt worker') applies them",
            highlight=False,
        )
    elif pending is not None and pending.plans:
        console.print(
            f"{pending.writes} planned write(s) from {len(pending.plans)} shadow run(s) are "
            f"pending: apply them with 'ghltt bridges mode {view.name} live --apply-planned'",
            highlight=False,
        )


@bridges_app.command("planned")
def bridges_planned(
    ref: str = typer.Argument(..., help="Bridge id or name."), as_json: bool = JsonOpt
) -> None:
    """What shadow runs planned and is not applied yet (the newest plan per record)."""
    svc = open_services()
    with vault_errors():
        pending = svc.bridges.planned(ref)
    if as_json:
        console.print_json(json.dumps(pending.public(), default=str))
        return
    table = Table("run", "recipe", "writes")
    for plan in pending.plans:
        writes = ", ".join(
            f"{w.get('action')} {w.get('object_id') or '(new)'}" for w in plan.writes
        )
        table.add_row(plan.run_id, plan.recipe, writes)
    console.print(table)
    console.print(f"{pending.writes} planned write(s) pending", highlight=False)


@bridges_app.command("set")
def bridges_set(
    ref: str = typer.Argument(..., help="Bridge id or name."),
    items: list[str] = typer.Argument(..., help="KEY=VALUE ... (VALUE @FILE reads a file)."),
) -> None:
    """Set a bridge's time zone, poll interval or GHL webhook public key.

    timezone=Europe/Paris (both accounts; location_timezone= and tt_timezone= set one),
    poll_interval=5m (1m to 24h; default 10m), ghl_webhook_public_key=@key.pem (the key
    GHL signs this bridge's webhooks with; 'default' for GHL's published keys). Example:
    ghltt bridges set acme timezone=America/Chicago poll_interval=2m
    """
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"{item}: write KEY=VALUE")
        if key.strip() in values:  # one key a command: the last would silently win
            fail(f"{key.strip()}: given twice; give each key once (a second key: its own command)")
        values[key.strip()] = _read_value(key.strip(), value)
    svc = open_services()
    with vault_errors():
        view = svc.bridges.configure(ref, values)
    _print_bridge(view.settings)


def _read_value(key: str, value: str) -> str:
    if not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{key}: no such file {str(path)!r}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{key}: cannot read {str(path)!r}: {getattr(exc, 'strerror', None) or exc}")


_CREDENTIALS = {
    "pit": "Private Integration token",
    "api_key": "location API key",
    "oauth": "Marketplace app",
    "agency_location": "Marketplace app, agency install",
}


@bridges_app.command("hooks")
def bridges_hooks(
    ref: str = typer.Argument(..., help="Bridge id or name."),
    register: bool = typer.Option(
        False,
        "--register",
        help="Register the TrackingTime webhook again: after an upgrade that subscribes to "
        "more events, or if it was deleted in TrackingTime.",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Where GHL and TrackingTime post this bridge's events, for the bridge's GHL credential.

    A Marketplace app (OAuth) gets GHL's signed app webhooks: give the app the first URL (one
    URL serves every location). A Private Integration token or an API key gets none: build
    the listed GHL workflows, each with a Webhook action posting to the workflow URL, which
    carries this bridge's secret (treat it like a password). Step by step:
    docs/ghl-workflows.md. ghltt registers the TrackingTime webhook itself.
    """
    svc = open_services()
    if register:
        run_remote(lambda: svc.bridges.webhooks.register(ref))
        console.print("TrackingTime webhook registered", highlight=False)
    with vault_errors():
        guide = svc.bridges.intake(ref)
    if as_json:
        console.print_json(json.dumps(guide.public()))
        return
    say = functools.partial(console.print, highlight=False, soft_wrap=True)
    urls = guide.urls
    credential = _CREDENTIALS.get(guide.ghl_auth_kind, guide.ghl_auth_kind)
    if guide.ghl_path == APP:
        say(f"GHL ({credential}): set the Marketplace app's webhook URL to")
        say(f"  {urls['ghl_app_webhooks']}")
        say("  (GHL workflows may also post to the workflow URL below)")
    else:
        say(
            f"GHL ({credential}): GHL sends app webhooks only to Marketplace apps. In GHL "
            "(Automation > Workflows) build one workflow per trigger below, its action a "
            "Webhook (POST) to the workflow URL, with this Custom Data:"
        )
        for number, w in enumerate(guide.workflows, 1):
            custom = "; ".join(f"{k} = {v}" for k, v in w.custom_data.items())
            say(f"  {number:>2}. {w.trigger}: {custom}")
        say("  Step by step: docs/ghl-workflows.md")
    say(f"GHL workflow URL (carries the bridge's secret): {urls['ghl_workflow_webhook']}")
    registered = "registered" if guide.tt_webhooks else "NOT registered: run with --register"
    say(f"TrackingTime posts to {urls['tt_webhooks']}; ghltt subscribes it itself ({registered})")


@bridges_app.command("remove")
def bridges_remove(
    ref: str = typer.Argument(..., help="Bridge id or name."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Remove a bridge and delete its TT webhooks (the connections stay)."""
    svc = open_services()
    if not yes and not typer.confirm(f"Remove bridge {ref}?"):
        raise typer.Exit(1)
    for note in run_remote(lambda: svc.bridges.remove(ref)):
        console.print(note, highlight=False)
    console.print(f"removed {ref}", highlight=False)


@bridges_app.command("check")
def bridges_check(
    ref: str = typer.Argument(..., help="Bridge id or name."),
    fix: bool = typer.Option(
        False, "--fix", help="Create the missing custom fields and register a missing webhook."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Is the bridge ready for its enabled recipes? Scopes, custom fields, webhook, delivery.

    For each enabled recipe: the GHL scopes its actions need, the custom fields it reads or
    writes in GHL and TrackingTime, the TrackingTime webhook, and a test delivery to ghltt at
    GHLTT_PUBLIC_URL ("not checked" when ghltt is not running there). Exits 1 while a problem
    remains. Example: ghltt bridges check acme --fix
    """
    svc = open_services()
    report = run_remote(lambda: check_enabled(svc, ref, fix=fix))
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
    else:
        print_check(report)
    if report.problems:
        raise typer.Exit(1)


bridges_app.command("poll")(poll)  # it asks a running ghltt, as 'ghltt events send' does


def print_check(report: CheckReport) -> None:
    """One line per finding, status first: narrow enough for any terminal, easy to grep."""
    recipes = ", ".join(report.recipes) or "none enabled"
    console.print(f"bridge {report.bridge} (recipes: {recipes})", highlight=False)
    for f in report.findings:
        text = f"  {f.status:<11} {f.check} {f.subject}"
        if f.detail:
            text += f": {f.detail}"
        if f.remedy and f.status != "ok":
            text += f"\n              -> {f.remedy}"
        console.print(text, highlight=False, soft_wrap=True, markup=False)
    if not report.recipes:
        console.print(
            "no recipe is enabled: enable one with 'ghltt recipes enable'", highlight=False
        )
    elif report.problems:
        console.print(f"{len(report.problems)} problem(s)", highlight=False)
    else:
        console.print("ready", highlight=False)
