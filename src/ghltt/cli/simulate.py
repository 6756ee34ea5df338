"""``ghltt simulate``: run one remote API's simulator on its own, for any client to point at."""

from __future__ import annotations

import typer

from ghltt.cli.simulate_ghl import simulate_ghl
from ghltt.cli.simulate_tt import simulate_trackingtime

app = typer.Typer(
    help="Run a simulator of a remote API on its own (no account needed), e.g. "
    "'ghltt simulate ghl --port 8101'.",
    no_args_is_help=True,
)
app.command("ghl")(simulate_ghl)
app.command("trackingtime")(simulate_trackingtime)
