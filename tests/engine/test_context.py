"""A bridge's run context built from an opened bridge, with the simulators' transports injected;
the pool keeps a bridge open across runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.bridges import BridgePool, BridgeService, Clients, Remotes, Services, Transports
from ghltt.engine.context import BridgeContext, Repositories, open_bridge_context
from ghltt.engine.dispatch import run_recipe
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.recipes.templates import load_template
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store.tables import bridges as bridges_table
from ghltt.vault import Cipher, ConnectionService, FileKeySource, OAuthFlow, Vault
from ghltt.vault.keys import ensure_key_file
from tests.engine.conftest import CATALOG, GHL_BASE, TT_BASE, TT_CUSTOMER_FIELDS, event

pytestmark = pytest.mark.anyio


def transports(ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator) -> Transports:
    return Transports(httpx2.ASGITransport(app=ghl_sim.app), httpx2.ASGITransport(app=tt_sim.app))


async def _vault_bridge(
    db: sa.Engine, tmp_path: Path, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> tuple[Services, str]:
    """Services over a vault holding both simulators' credentials, and a bridge of them."""
    key = tmp_path / "master.key"
    ensure_key_file(key)
    seam = transports(ghl_sim, tt_sim)
    remotes = Remotes(
        ghl_base_url=GHL_BASE, tt_base_url=TT_BASE, ghl_transport=seam.ghl, tt_transport=seam.tt
    )
    vault = Vault(db, Cipher(FileKeySource(key)))
    connections = ConnectionService(db, vault, remotes)
    bridges = BridgeService(Clients(connections, remotes), "http://ghltt.test")
    oauth = OAuthFlow(connections, authorize_url="x", redirect_uri="http://ghltt.test/cb")
    services = Services(vault, connections, bridges, oauth)
    await connections.add_ghl_token(
        label="shop", token=ghl_sim.sample_token, location_id=ghl_sim.sample_location_id
    )
    password = str(tt_sim.credentials()[0]["app_password"])
    await connections.add_tt(label="team", secret=password, account_id=tt_sim.account_id)
    bridge = await bridges.add(name="main", ghl_connection="shop", tt_connection="team")
    return services, bridge.id


async def test_open_bridge_context_from_the_vault(
    db: sa.Engine, tmp_path: Path, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    services, bridge_id = await _vault_bridge(db, tmp_path, ghl_sim, tt_sim)
    with db.begin() as conn:
        conn.execute(
            bridges_table.update()
            .where(bridges_table.c.id == bridge_id)
            .values(
                mode="shadow",
                settings={"tt_timezone": "America/New_York", "location_timezone": "UTC"},
            )
        )
    ctx = await open_bridge_context(
        services, bridge_id, now=datetime.now(UTC), transports=transports(ghl_sim, tt_sim)
    )
    try:
        assert (ctx.mode, ctx.tt_timezone, ctx.location_tz) == (
            "shadow",
            "America/New_York",
            "UTC",
        )
        for name in TT_CUSTOMER_FIELDS:
            await ctx.tt.custom_fields.add(name, "text", "customer")
        recipe = load_template("contacts", CATALOG)
        assert isinstance(recipe, SyncRecipe)
        contact = next(iter(ghl_sim.state.contacts))
        report = await run_recipe(recipe, event("ghl", "contact.updated", contact), ctx)
        assert report.outcome == "planned", report.as_dict()
    finally:
        await ctx.aclose()


async def test_a_bridge_stays_open_across_runs_until_it_changes_or_a_run_fails(
    db: sa.Engine, tmp_path: Path, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> None:
    services, bridge_id = await _vault_bridge(db, tmp_path, ghl_sim, tt_sim)
    pool = BridgePool(lambda: services, recheck=0)
    repos = Repositories.of(db)
    now = datetime.now(UTC)

    async def clients(run_id: str) -> tuple[object, object]:
        async with pool.use(bridge_id) as bridge:
            ctx = BridgeContext.of(bridge, repos, now=now, run_id=run_id)
            assert ctx.run_id == run_id and ctx.custom_fields is bridge.custom_fields
            return ctx.ghl, ctx.tt

    first = await clients("r1")
    assert await clients("r2") == first  # connections, budgets and field ids carry over
    with pytest.raises(RuntimeError):
        async with pool.use(bridge_id):
            raise RuntimeError("the run failed")
    after_failure = await clients("r4")
    assert after_failure[0] is not first[0]
    services.bridges.set_mode(bridge_id, "shadow")
    async with pool.use(bridge_id) as bridge:
        assert bridge.mode == "shadow" and bridge.ghl is not after_failure[0]
    await pool.aclose()
