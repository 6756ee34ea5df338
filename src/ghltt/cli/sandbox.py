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
from typing import Any

import anyio
import httpx2
import sqlalchemy as sa
import typer

from ghltt.cli.context import console, fail, settings
from ghltt.cli.running import migrate_or_fail, run_web
from ghltt.core import GhlttError
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.sandbox.serving import serve_in_thread
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.settings import Settings
from ghltt.store.tables import bridges
from ghltt.templates import template_names
from ghltt.vault import build_services

GHL_VERSION = "2021-07-28"
# The custom fields the shipped templates map; a real account gets them from its admin.
TT_CUSTOMER_FIELDS = ("ghl_phone", "ghl_business_id", "ghl_tags", "ghl_contact_id")
GHL_CONTACT_FIELDS = ("tt_customer_id", "tt_hours_total", "tt_hours_this_month")


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
    engine = migrate_or_fail(loaded)
    try:
        bridge_id = anyio.run(_provision, loaded, engine, ghl_sim, tt_sim)
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
        threading.Thread(target=_play_scenario, args=(loaded, ghl_sim, tt_url), daemon=True).start()
    run_web(loaded, executor=True)


async def _provision(
    loaded: Settings, engine: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> str:
    services = build_services(loaded, engine)
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
        name="sandbox", ghl_connection=ghl.connection.id, tt_connection=tt.connection.id
    )
    keys = {"ed25519": [ghl_sim.ed25519_public_pem], "rsa": [ghl_sim.rsa_public_pem]}
    with engine.begin() as conn:
        conn.execute(
            bridges.update()
            .where(bridges.c.id == bridge.id)
            .values(
                settings={
                    **_settings_of(conn, bridge.id),
                    "ghl_public_keys": keys,
                    "tt_timezone": "America/New_York",
                    # Poll every minute, so what has no webhook shows up while you watch.
                    "reconcile": {"interval_seconds": 60},
                }
            )
        )
    _add_custom_fields(ghl_sim)
    async with services.connections.tt_client(tt.connection.id) as client:
        for name in TT_CUSTOMER_FIELDS:
            await client.custom_fields.add(name, "text", "customer")
    for name in template_names():
        services.bridges.enable_recipe(bridge.id, name, [])
    return bridge.id


def _add_custom_fields(ghl_sim: GhlSimulator) -> None:
    # GHL's API (and so its simulator) has no custom-field creation for a location token.
    location = ghl_sim.sample_location_id
    for key in GHL_CONTACT_FIELDS:
        ghl_sim.state.custom_fields[f"cf_{key}"] = {
            "id": f"cf_{key}",
            "name": key,
            "fieldKey": f"contact.{key}",
            "dataType": "TEXT",
            "locationId": location,
        }


def _settings_of(conn: sa.Connection, bridge_id: str) -> dict[str, Any]:
    row = conn.execute(sa.select(bridges.c.settings).where(bridges.c.id == bridge_id)).first()
    return dict(row.settings or {}) if row else {}


def _all_scopes() -> set[str]:
    from ghltt.connectors.ghl.catalog import CATALOG

    return {scope for op in CATALOG.values() for scope in op.scopes}


def _play_scenario(loaded: Settings, ghl_sim: GhlSimulator, tt_url: str) -> None:
    """What an agency does on a Monday: a new contact, an edit, a task, a note, a sign-up."""
    time.sleep(8)  # let ghltt and its executor come up, and the first poll set its cursors
    headers = {"Authorization": f"Bearer {ghl_sim.sample_token}", "Version": GHL_VERSION}
    location = ghl_sim.sample_location_id
    with httpx2.Client(base_url=ghl_sim.config.base_url, headers=headers, timeout=10) as ghl:
        created = ghl.post(
            "/contacts/",
            json={
                "locationId": location,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "email": "ada.lovelace@example.com",
                "phone": "+1 (415) 555-0101",
                "tags": ["vip"],
            },
        )
        contact_id = created.json().get("contact", {}).get("id")
        console.print(f"scenario: created GHL contact {contact_id}", highlight=False)
        if contact_id:
            ghl.put(f"/contacts/{contact_id}", json={"phone": "+1 415 555 0199"})
            ghl.post(
                f"/contacts/{contact_id}/tasks",
                json={
                    "title": "Kick-off call",
                    "dueDate": "2026-12-01T15:00:00Z",
                    "completed": False,
                },
            )
            ghl.post(f"/contacts/{contact_id}/notes", json={"body": "Prefers mornings."})
    with httpx2.Client(base_url=tt_url, timeout=10) as tt:
        tt.post("/_admin/signups", json={"email": "grace.hopper@example.com", "name": "Grace"})
    console.print(
        "scenario: a contact created, edited, given a task and a note in GHL; a TT sign-up. "
        f"See what ran: GHLTT_DATA_DIR={loaded.data_dir} ghltt runs list",
        highlight=False,
    )
