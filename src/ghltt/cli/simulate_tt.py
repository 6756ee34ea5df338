"""``ghltt simulate trackingtime``: the TrackingTime API v4 simulator on its own port."""

from __future__ import annotations

from datetime import datetime

import typer


def simulate_trackingtime(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8102, help="Port to listen on."),
    seed: int = typer.Option(1725, help="Seed of the sample account (ids, passwords, events)."),
    empty: bool = typer.Option(False, "--empty", help="Start with no sample account."),
    now: str | None = typer.Option(
        None,
        help="Freeze the clock at this ISO-8601 instant with an offset, "
        "e.g. 2026-03-10T15:00:00+00:00 (default: the system clock).",
    ),
    legacy_events: bool = typer.Option(
        False, help="Serve /events with the pre-2023 full field names."
    ),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Run a TrackingTime API v4 simulator (in-memory, with a seeded sample account).

    Point any TrackingTime client at http://HOST:PORT/api/v4 and authenticate with Basic
    'API_TOKEN:<App Password>' or 'email:password'. Controls live under /_admin (GET /_admin
    lists them): state, request log, reset, clock, faults, config, sign-ups, webhook deliveries.
    """
    import uvicorn

    from ghltt.core.clock import Clock, FixedClock, SystemClock
    from ghltt.sandbox.trackingtime import SimulatorConfig, TrackingTimeSimulator

    clock: Clock = SystemClock()
    if now:
        try:
            frozen = datetime.fromisoformat(now.replace("Z", "+00:00"))
        except ValueError as exc:
            raise typer.BadParameter(f"not an ISO-8601 instant: {now}") from exc
        if frozen.tzinfo is None:
            raise typer.BadParameter("--now needs an offset, e.g. +00:00")
        clock = FixedClock(frozen)
    config = SimulatorConfig(
        seed=seed, seed_sample_account=not empty, legacy_events_format=legacy_events
    )
    sim = TrackingTimeSimulator(config, clock=clock)
    base = f"http://{host}:{port}"
    typer.echo(f"TrackingTime simulator on {base}/api/v4  (admin: {base}/_admin)")
    if sim.seeded:
        typer.echo(f"account id:   {sim.account_id}")
        for user in sim.seeded:
            typer.echo(
                f"user {user.role:<16} {user.email:<20} password: {user.password:<16} "
                f"App Password: {user.app_password}"
            )
        first = sim.seeded[0]
        typer.echo(
            f"try: curl -u API_TOKEN:{first.app_password} {base}/api/v4/{sim.account_id}/users"
        )
    uvicorn.run(sim.app, host=host, port=port, log_level=log_level)
