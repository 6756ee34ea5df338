"""``ghltt sandbox``: everything end to end against simulators of both APIs, no account needed.

Starts the GHL and TrackingTime simulators on loopback, connects a bridge in ``sandbox`` mode
to them (with the simulators' webhook keys), enables the shipped templates, optionally plays a
sample scenario, and serves ghltt. The sandbox keeps its own data directory, made afresh each
time, because the simulators start from their seeded sample each time too.
"""

from __future__ import annotations

import os
import shutil
import threading
import time

import anyio
import httpx2
import typer

from ghltt.bridges import build_services
from ghltt.cli.context import console, fail, settings, store
from ghltt.cli.running import run_web
from ghltt.core import GhlttError, InvalidInput
from ghltt.engine.needs import check_enabled
from ghltt.engine.recipes.templates import template_names
from ghltt.engine.reconcile import ALL_STREAMS
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.sandbox.scenario import Endpoints, NotSeen, Outcome, Scenario
from ghltt.sandbox.serving import serve_in_thread
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.settings import Settings
from ghltt.store import TokenRepository
from ghltt.store.database import Database
from ghltt.store.tokens import ensure_first_token, token_file


def sandbox(
    port: int = typer.Option(8000, help="Port of ghltt itself."),
    ghl_port: int = typer.Option(8101, help="Port of the GHL simulator."),
    tt_port: int = typer.Option(8102, help="Port of the TrackingTime simulator."),
    scenario: bool = typer.Option(
        True, "--scenario/--no-scenario", help="Play the sample scenario once ghltt is up."
    ),
) -> None:
    """Try ghltt with no account: both simulators, a bridge, the templates, a sample scenario.

    Open http://127.0.0.1:8000/docs for the API, 'ghltt runs list' (with
    GHLTT_DATA_DIR=data/sandbox) for what ran, and the simulators' /_admin/state for what they
    hold. Stop with Ctrl-C. Example: ghltt sandbox --port 8000
    """
    base = settings()
    data_dir = base.data_dir / "sandbox"
    shutil.rmtree(data_dir, ignore_errors=True)
    host = "127.0.0.1"
    ghl_url, tt_url = f"http://{host}:{ghl_port}", f"http://{host}:{tt_port}"
    # The executor child reads the same settings from the environment.
    os.environ.update(
        GHLTT_DATA_DIR=str(data_dir),
        GHLTT_HOST=host,
        GHLTT_PORT=str(port),
        GHLTT_PUBLIC_URL=f"http://{host}:{port}",
        GHLTT_GHL_BASE_URL=ghl_url,
        GHLTT_TT_BASE_URL=f"{tt_url}/api/v4",
    )
    os.environ.pop("GHLTT_DATABASE_URL", None)
    os.environ.pop("GHLTT_JOBS_DATABASE_URL", None)
    loaded = settings()
    ghl_sim = GhlSimulator(GhlSimulatorConfig(base_url=ghl_url))
    tt_sim = TrackingTimeSimulator()
    serve_in_thread(ghl_sim.app, host, ghl_port)
    serve_in_thread(tt_sim.app, host, tt_port)
    db = store(loaded)
    try:
        bridge_id = anyio.run(_provision, loaded, db, ghl_sim, tt_sim)
    except GhlttError as exc:
        fail(f"could not set up the sandbox bridge: {exc}")
    ghl_sim.add_webhook_target(f"{loaded.public_url}/webhooks")
    console.print(
        f"sandbox ready: GHL simulator {ghl_url} (location {ghl_sim.sample_location_id}), "
        f"TrackingTime simulator {tt_url} (account 1725), bridge {bridge_id} with "
        f"{len(template_names())} templates; data in {data_dir}",
        highlight=False,
    )
    if scenario:
        endpoints = scenario_endpoints(loaded, db, ghl_sim, tt_sim, bridge_id)
        threading.Thread(target=_play_scenario, args=(loaded, endpoints), daemon=True).start()
    run_web(loaded, executor=True)


async def _provision(
    loaded: Settings, db: Database, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> str:
    services = build_services(loaded, db)
    ghl = await services.connections.add_ghl_token(
        label="GHL simulator",
        token=ghl_sim.sample_token,
        location_id=ghl_sim.sample_location_id,
        granted=sorted(_all_scopes()),
    )
    admin = next(u for u in tt_sim.seeded if u.role == "ADMIN")
    tt = await services.connections.add_tt(
        label="TrackingTime simulator", secret=admin.app_password, account_id=tt_sim.account_id
    )
    bridge = await services.bridges.add(
        name="sandbox",
        ghl_connection=ghl.connection.id,
        tt_connection=tt.connection.id,
        mode="sandbox",
    )
    keys = {"ed25519": [ghl_sim.ed25519_public_pem], "rsa": [ghl_sim.rsa_public_pem]}
    services.bridges.update_settings(
        bridge.id,
        {
            "ghl_public_keys": keys,
            "tt_timezone": "America/New_York",
            # Poll every minute, so what has no webhook shows up while you watch; every
            # stream, form and survey submissions too (the form-intake template reads them).
            "reconcile": {"interval_seconds": 60, "streams": list(ALL_STREAMS)},
        },
    )
    for name in template_names():
        services.bridges.enable_recipe(bridge.id, name, [])
    # The simulators start without the custom fields the templates map, as a real account
    # does: they are made the way 'ghltt bridges check --fix' makes them, through both APIs.
    report = await check_enabled(services, bridge.id, fix=True, deliver=False)
    if report.problems:
        raise InvalidInput("; ".join(f.line() for f in report.problems), where="sandbox setup")
    return bridge.id


def _all_scopes() -> set[str]:
    from ghltt.connectors.ghl.catalog import CATALOG

    return {scope for op in CATALOG.values() for scope in op.scopes}


def scenario_endpoints(
    loaded: Settings,
    db: Database,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    bridge_id: str,
) -> Endpoints:
    """Where the sample scenario acts (both simulators, as the sample users) and asks ghltt
    for a poll (its API, with the token ``ghltt token show`` prints).

    In GHL the scenario stands for people at work in the location, not for ghltt: it gets its
    own Private Integration token, so its requests do not spend ghltt's budget (GHL counts
    100 requests per 10 s per app and location)."""
    tokens = TokenRepository(db)
    ensure_first_token(tokens, loaded.data_dir)
    admin = next(u for u in tt_sim.seeded if u.role == "ADMIN")
    return Endpoints(
        ghl_url=ghl_sim.config.base_url,
        ghl_token=ghl_sim.create_token(kind="pit").token,
        location_id=ghl_sim.sample_location_id,
        tt_url=loaded.tt_base_url.removesuffix("/api/v4"),
        tt_account_id=tt_sim.account_id,
        tt_app_password=admin.app_password,
        ghltt_url=loaded.public_url,
        ghltt_token=token_file(loaded.data_dir).read_text().strip(),
        bridge=bridge_id,
    )


def _play_scenario(loaded: Settings, endpoints: Endpoints) -> None:
    """What an agency does in a week, touching every template; prints what each one did."""

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(
        f"scenario: every template ({', '.join(template_names())}), both ways where it is "
        "two-way; it starts once ghltt is ready"
    )

    def report(outcome: Outcome) -> None:
        say(f"scenario [{outcome.template}] {outcome.did}\n    -> {outcome.saw}")

    started = time.monotonic()
    with Scenario(endpoints) as scenario:
        try:
            scenario.play(report)
        except (NotSeen, httpx2.HTTPError) as exc:
            say(f"scenario stopped: {exc}")
        else:
            say(
                f"scenario done in {time.monotonic() - started:.0f} s. TrackingTime sends no "
                "webhook for new users or customer edits: the scenario asked ghltt to poll at "
                f"once ({len(scenario.facts.polls)} times, as 'ghltt bridges poll "
                f"{endpoints.bridge}' does); left "
                "alone, the sandbox polls every minute."
            )
    say(
        "Where to look:\n"
        f"  what ran:       GHLTT_DATA_DIR={loaded.data_dir} ghltt runs list\n"
        f"  GHL simulator:  {endpoints.ghl_url}/_admin/state\n"
        f"  TT simulator:   {endpoints.tt_url}/_admin/state\n"
        f"  ghltt's API:    {endpoints.ghltt_url}/docs (token: GHLTT_DATA_DIR="
        f"{loaded.data_dir} ghltt token show)"
    )
