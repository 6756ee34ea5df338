"""``ghltt simulate ghl``: run the GoHighLevel simulator on its own, for any GHL client."""

from __future__ import annotations

import typer

from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig


def simulate_ghl(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8101, help="Port to listen on."),
    seed: int = typer.Option(1, help="Seed of the sample data, ids, keys and faults."),
    rate_limit: int = typer.Option(
        100, "--rate-limit", help="Requests per app per location in each burst window."
    ),
    rate_window_ms: int = typer.Option(10_000, help="Length of the burst window in ms."),
    daily_limit: int = typer.Option(200_000, help="Requests per app per location per day."),
    allow_duplicates: bool = typer.Option(
        False, help="Let the sample location allow duplicate contacts (email/phone)."
    ),
    webhook_url: list[str] = typer.Option(
        [], "--webhook-url", help="Deliver signed webhooks to this URL (repeatable)."
    ),
    webhook_retry_delay: float = typer.Option(
        600.0, help="Seconds before re-sending a webhook the receiver answered 429 (GHL: 600)."
    ),
    token_ttl: int = typer.Option(86_399, help="Lifetime of OAuth access tokens in seconds."),
) -> None:
    """Serve a faithful GoHighLevel API (services.leadconnectorhq.com) with a seeded sample
    location. Point any GHL client at the printed base URL with the printed token and
    'Version: 2021-07-28'. Controls live under /_admin/ (state, requests, faults, webhooks,
    rate limits, keys, OAuth clients)."""
    import uvicorn

    base_url = f"http://{host}:{port}"
    config = GhlSimulatorConfig(
        seed=seed,
        base_url=base_url,
        rate_limit_burst=rate_limit,
        rate_limit_window_ms=rate_window_ms,
        rate_limit_daily=daily_limit,
        allow_duplicate_contact=allow_duplicates,
        webhook_retry_delay_s=webhook_retry_delay,
        access_token_ttl_s=token_ttl,
    )
    sim = GhlSimulator(config)
    for url in webhook_url:
        sim.add_webhook_target(url)
    sample = sim.sample
    typer.echo(f"GHL simulator on {base_url}  (admin: {base_url}/_admin/state)")
    typer.echo(f"location id:         {sample.location_id}")
    typer.echo(f"private integration: {sample.location_token}")
    typer.echo(f"agency token:        {sample.agency_token}")
    typer.echo(f"oauth client:        {sample.oauth_client_id} / {sample.oauth_client_secret}")
    typer.echo(f"webhook public keys: {base_url}/_admin/keys")
    uvicorn.run(sim.app, host=host, port=port, log_level="warning")
