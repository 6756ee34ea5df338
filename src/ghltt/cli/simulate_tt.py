"""Placeholder until the simulator lands; replaced by the simulator's own command."""

from __future__ import annotations

import typer


def simulate_trackingtime(port: int = typer.Option(0, help="Port.")) -> None:
    """Not available yet."""
    raise typer.Exit(2)
