"""``ghltt connect``, ``connections`` and ``vault``: credentials and the key that protects them.

Secrets are never taken from the command line (anyone can read it in ``ps``): they come from a
hidden prompt, from ``--stdin``, or from an environment variable named with ``--secret-env``.
"""

from __future__ import annotations

import json
import os
import sys

import typer
from rich.table import Table

from ghltt.cli.context import console, err_console, fail, settings, store
from ghltt.cli.services import JsonOpt, open_services, run_remote, vault_errors
from ghltt.vault import Outcome, open_vault, rotate_key
from ghltt.vault.keys import new_key

_SECRET_HELP = (
    "The secret is read from a hidden prompt; or from standard input with --stdin "
    "(e.g. 'pass show ghl | ghltt connect ghl ... --stdin'); or from the environment variable "
    "named by --secret-env. Never pass it as an argument: the command line is visible in 'ps'."
)

connect_app = typer.Typer(
    help="Connect a GHL location or a TrackingTime account. " + _SECRET_HELP,
    no_args_is_help=True,
)
connections_app = typer.Typer(
    help="List, check, rotate and revoke connections.", no_args_is_help=True
)
vault_app = typer.Typer(help="The vault's master key.", no_args_is_help=True)

StdinOpt = typer.Option(False, "--stdin", help="Read the secret from standard input.")
SecretEnvOpt = typer.Option(
    None, "--secret-env", metavar="NAME", help="Read the secret from environment variable NAME."
)


def _read_secret(prompt: str, *, stdin: bool, env: str | None) -> str:
    if stdin:
        value = sys.stdin.readline().strip()
        if not value:
            fail("--stdin: standard input was empty")
        return value
    if env:
        value = os.environ.get(env, "").strip()
        if not value:
            fail(f"--secret-env: the environment variable {env} is not set or empty")
        return value
    if not sys.stdin.isatty():
        fail("no secret given: use --stdin or --secret-env NAME (no terminal to prompt on)")
    value = str(typer.prompt(prompt, hide_input=True)).strip()
    if not value:
        fail("the secret is empty")
    return value


def _print_outcome(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(outcome.public(), default=str))
    else:
        c = outcome.connection
        console.print(f"[bold]{c.id}[/] {c.label}: {c.status}", highlight=False)
        if c.identity:
            console.print(f"  identity: {c.identity}", highlight=False)
        scopes = ", ".join(c.scopes) if c.scopes is not None else "unknown"
        if c.system == "ghl":
            console.print(f"  scopes: {scopes}", highlight=False)
        for note in outcome.notes:
            console.print(f"  {note}", highlight=False)
        for warning in outcome.warnings:
            err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        if outcome.failure is not None:
            f = outcome.failure
            err_console.print(f"[red]{f.kind.value}:[/] {f.message}\n  -> {f.remedy}")
    if outcome.failure is not None:
        raise typer.Exit(1)


# ---- ghltt connect ----------------------------------------------------------------------------
@connect_app.command("ghl")
def connect_ghl(
    label: str = typer.Option("GHL", help="A name to recognise the connection by."),
    location: str | None = typer.Option(
        None, help="The GHL location (sub-account) id; required for a token."
    ),
    kind: str = typer.Option("pit", help="pit (Private Integration token) or api_key."),
    scope: list[str] = typer.Option(
        [], "--scope", help="A scope the token was granted (repeat); lets ghltt check them."
    ),
    oauth: bool = typer.Option(False, "--oauth", help="Connect through the Marketplace app."),
    company: bool = typer.Option(False, "--company", help="With --oauth: an agency install."),
    bridge: str | None = typer.Option(None, help="With --oauth: ask for this bridge's scopes."),
    reconnect: str | None = typer.Option(None, help="With --oauth: renew this connection."),
    stdin: bool = StdinOpt,
    secret_env: str | None = SecretEnvOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Connect a GHL location with a Private Integration token, an API key, or OAuth.

    Token: 'ghltt connect ghl --location LOC --label shop' then paste the token at the hidden
    prompt. OAuth: 'ghltt connect ghl --oauth' prints a URL to open in a browser; ghltt must be
    running at GHLTT_PUBLIC_URL to receive the callback.
    """
    svc = open_services()
    if oauth:
        with vault_errors():
            request = svc.oauth.start(
                user_type="Company" if company else "Location",
                bridge=bridge,
                extra_scopes=scope,
                label=None if label == "GHL" else label,
                reconnect=reconnect,
            )
        console.print("Open this URL in a browser and pick the location:", highlight=False)
        console.print(request.url, highlight=False, soft_wrap=True)
        console.print(f"scopes asked for: {', '.join(request.scopes)}", highlight=False)
        console.print(f"valid until {request.expires_at.isoformat()}", highlight=False)
        return
    if not location:
        fail("--location: a GHL token needs the id of its location (sub-account)")
    token = _read_secret("GHL token", stdin=stdin, env=secret_env)
    outcome = run_remote(
        lambda: svc.connections.add_ghl_token(
            label=label, token=token, location_id=location, kind=kind, granted=scope or None
        )
    )
    _print_outcome(outcome, as_json)


@connect_app.command("tt")
def connect_tt(
    label: str = typer.Option("TrackingTime", help="A name to recognise the connection by."),
    kind: str = typer.Option("app_password", help="app_password or bearer."),
    account: int | None = typer.Option(None, help="TT account id; default: the user's default."),
    stdin: bool = StdinOpt,
    secret_env: str | None = SecretEnvOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Connect a TrackingTime account with an App Password (or a bearer token).

    Make an App Password in TrackingTime (Settings > App Passwords), then run
    'ghltt connect tt --label team' and paste it at the hidden prompt.
    """
    svc = open_services()
    secret = _read_secret("TrackingTime secret", stdin=stdin, env=secret_env)
    outcome = run_remote(
        lambda: svc.connections.add_tt(label=label, secret=secret, kind=kind, account_id=account)
    )
    _print_outcome(outcome, as_json)


# ---- ghltt connections ------------------------------------------------------------------------
@connections_app.command("list")
def connections_list(as_json: bool = JsonOpt) -> None:
    """Every connection with its status, identity and granted scopes (never a secret)."""
    svc = open_services()
    with vault_errors():
        rows = svc.connections.all()
    if as_json:
        console.print_json(json.dumps([r.public() for r in rows], default=str))
        return
    table = Table("id", "system", "kind", "label", "account", "status", "identity")
    for r in rows:
        table.add_row(
            r.id, r.system, r.auth_kind, r.label, r.account_id or "", r.status, r.identity or ""
        )
    console.print(table)


@connections_app.command("check")
def connections_check(
    ref: str = typer.Argument(..., help="Connection id or label."), as_json: bool = JsonOpt
) -> None:
    """One cheap authenticated call: shows the identity and the granted scopes.

    Exits 1 when the credential failed, with what to do (reconnect, reactivate, wait).
    """
    svc = open_services()
    _print_outcome(run_remote(lambda: svc.connections.check(ref)), as_json)


@connections_app.command("rotate")
def connections_rotate(
    ref: str = typer.Argument(..., help="Connection id or label."),
    stdin: bool = StdinOpt,
    secret_env: str | None = SecretEnvOpt,
    scope: list[str] = typer.Option(
        [],
        "--scope",
        help="A scope the GHL token now has (repeat); replaces the recorded ones so "
        "'ghltt bridges check' can check them.",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Replace the secret (tried first); bridges and everything linked stay as they are.

    Granted more scopes to a GHL token? Give it again with every scope it has, e.g.
    'ghltt connections rotate Acme --scope contacts.readonly --scope contacts.write'.
    """
    svc = open_services()
    secret = _read_secret("new secret", stdin=stdin, env=secret_env)
    granted = scope or None
    _print_outcome(run_remote(lambda: svc.connections.rotate(ref, secret, granted)), as_json)


@connections_app.command("revoke")
def connections_revoke(
    ref: str = typer.Argument(..., help="Connection id or label."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    as_json: bool = JsonOpt,
) -> None:
    """Delete the secret, disable the recipes of its bridges, and clean up remotely."""
    svc = open_services()
    with vault_errors():
        view = svc.connections.get(ref)
    if not yes and not typer.confirm(f"Revoke {view.id} ({view.label})?"):
        raise typer.Exit(1)
    _print_outcome(run_remote(lambda: svc.connections.revoke(view.id)), as_json)


# ---- ghltt vault ------------------------------------------------------------------------------
@vault_app.command("rotate-key")
def vault_rotate_key(
    batch: int = typer.Option(100, min=1, max=10000, help="Secrets per transaction."),
) -> None:
    """Re-encrypt every secret under a new master key; run again to resume if interrupted.

    With the key file, a new key is added to it first (the old one keeps decrypting until the
    end), then dropped when nothing uses it. With GHLTT_MASTER_KEY, put the new key first and
    the old one after a comma, restart, run this, then remove the old key. Back up the key
    file afterwards.
    """
    loaded = settings()
    db = store(loaded)
    with vault_errors():
        vault = open_vault(loaded, db, create_key=False)
        report = rotate_key(vault, batch=batch)
    verb = "resumed" if report.resumed else "started"
    console.print(
        f"rotation {verb}: target key {report.target_key_id}, {report.rewrapped} re-encrypted, "
        f"{report.remaining} left",
        highlight=False,
    )
    if report.retired_key_ids:
        console.print(f"retired key(s): {', '.join(report.retired_key_ids)}", highlight=False)
    if report.note:
        err_console.print(f"[yellow]note:[/] {report.note}", highlight=False)
    if not report.finished:
        raise typer.Exit(1)
    if vault.cipher.source.writable:
        err_console.print(
            f"[bold yellow]Back up {vault.cipher.source.where} now[/]: older backups cannot "
            "decrypt the store any more.",
            highlight=False,
        )


@vault_app.command("generate-key")
def vault_generate_key() -> None:
    """Print a new random master key (for GHLTT_MASTER_KEY). Store it like a password."""
    typer.echo(new_key().text())
