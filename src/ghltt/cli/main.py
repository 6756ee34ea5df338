"""``ghltt``: run the service, steer its durable runs, and try it against simulators."""

from __future__ import annotations

import typer

from ghltt import __version__
from ghltt.cli import (
    backup,
    bridges,
    catalog,
    connect,
    dashboard,
    db,
    event_views,
    events,
    imports,
    recipes,
    runs,
    sandbox,
    serve,
    simulate,
    token,
)

app = typer.Typer(
    name="ghltt",
    help="Real-time, two-way sync and no-code automations between GoHighLevel and "
    "TrackingTime. Start with 'ghltt serve'; settings come from GHLTT_* environment variables "
    "or a .env file (see README).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)
app.command("sandbox")(sandbox.sandbox)
app.command("plan")(recipes.plan)
app.command("replay")(runs.replay)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.add_typer(db.app, name="db")
app.add_typer(runs.app, name="runs")
app.add_typer(events.app, name="events")
events.app.command("list")(event_views.list_events)
events.app.command("show")(event_views.show_event)
app.add_typer(token.app, name="token")
app.add_typer(dashboard.app, name="dashboard")
app.add_typer(recipes.app, name="recipes")
app.add_typer(catalog.app, name="catalog")
app.add_typer(imports.app, name="import")
app.add_typer(connect.connect_app, name="connect")
app.add_typer(connect.connections_app, name="connections")
app.add_typer(bridges.bridges_app, name="bridges")
bridges.bridges_app.command("poll")(events.poll)
app.add_typer(connect.vault_app, name="vault")
app.add_typer(simulate.app, name="simulate")


@app.command("version")
def version() -> None:
    """Print the installed version of ghltt."""
    typer.echo(__version__)
