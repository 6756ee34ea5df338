"""``ghltt``: run the service, steer its durable runs, and try it against simulators."""

from __future__ import annotations

import typer

from ghltt import __version__
from ghltt.cli.lazy import Lazy, LazyGroup


def version() -> None:
    """Print the installed version of ghltt."""
    typer.echo(__version__)


class Ghltt(LazyGroup):
    """ghltt's commands, in the order ``ghltt --help`` lists them; each imported when it runs."""

    lazy = {
        "serve": Lazy(
            "ghltt.cli.serve:serve",
            "Start the web app and, by default, the durable executor in one process.",
        ),
        "worker": Lazy(
            "ghltt.cli.serve:worker",
            "Execute durable runs without serving HTTP (scale-out with PostgreSQL).",
        ),
        "sandbox": Lazy(
            "ghltt.cli.sandbox:sandbox",
            "Try ghltt with no account: both simulators, a bridge, the templates, a sample "
            "scenario.",
        ),
        "plan": Lazy(
            "ghltt.cli.recipes:plan",
            "Print the exact writes a recipe would make for an event, and make none.",
        ),
        "replay": Lazy("ghltt.cli.runs:replay", "Run again what failed, after fixing its cause."),
        "backup": Lazy(
            "ghltt.cli.backup:backup",
            "Copy the SQLite store and the jobs database into PATH, safely while ghltt runs.",
        ),
        "restore": Lazy(
            "ghltt.cli.backup:restore",
            "Put a backup made by 'ghltt backup' back in place of the SQLite store and jobs "
            "database.",
        ),
        "version": Lazy("ghltt.cli.main:version", "Print the installed version of ghltt."),
        "db": Lazy("ghltt.cli.db:app", "Manage the store's schema (SQLite or PostgreSQL)."),
        "runs": Lazy("ghltt.cli.runs:app", "List, inspect and replay runs; see dead letters."),
        "events": Lazy(
            "ghltt.cli.events:app",
            "See what arrived (list, show); submit events to a running ghltt by hand.",
        ),
        "token": Lazy("ghltt.cli.token:app", "Show or rotate the JSON API's bearer token."),
        "dashboard": Lazy("ghltt.cli.dashboard:app", "The dashboard served at / by 'ghltt serve'."),
        "recipes": Lazy(
            "ghltt.cli.recipes:app",
            "List, export and validate recipes; enable them on a bridge; set their parameters.",
        ),
        "catalog": Lazy(
            "ghltt.cli.catalog:app", "List and show the actions and triggers recipes can use."
        ),
        "import": Lazy(
            "ghltt.cli.imports:app",
            "Bring a sync recipe's existing records across, on demand; follow and steer imports.",
        ),
        "connect": Lazy(
            "ghltt.cli.connect:connect_app",
            "Connect a GHL location or a TrackingTime account. The secret is read from a hidden "
            "prompt; or from standard input with --stdin (e.g. 'pass show ghl | ghltt connect "
            "ghl ... --stdin'); or from the environment variable named by --secret-env. Never "
            "pass it as an argument: the command line is visible in 'ps'.",
        ),
        "connections": Lazy(
            "ghltt.cli.connect:connections_app", "List, check, rotate and revoke connections."
        ),
        "bridges": Lazy(
            "ghltt.cli.bridges:bridges_app",
            "Pair a GHL connection with a TT connection (registers the TT webhooks).",
        ),
        "vault": Lazy("ghltt.cli.connect:vault_app", "The vault's master key."),
        "simulate": Lazy(
            "ghltt.cli.simulate:app",
            "Run a simulator of a remote API on its own (no account needed), e.g. 'ghltt "
            "simulate ghl --port 8101'.",
        ),
    }


def _each_command_sets_itself_up() -> None:
    # The group's own callback: none of ghltt's settings are global. Typer needs one to make a
    # group of an app with no command registered on it.
    pass


app = typer.Typer(
    name="ghltt",
    help="Real-time, two-way sync and no-code automations between GoHighLevel and "
    "TrackingTime. Start with 'ghltt serve'; settings come from GHLTT_* environment variables "
    "or a .env file (see README).",
    cls=Ghltt,
    callback=_each_command_sets_itself_up,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
