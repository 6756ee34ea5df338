"""Opening a bridge: both clients on its connections' credentials, the TT one in the account's
zone, its zones and params, one GHL rate budget per location; the poller's clients alike."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from ghltt.bridges import BridgeService, Clients, open_bridge
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.vault import ConnectionService
from tests.bridges.test_service import make_bridge

pytestmark = pytest.mark.anyio


async def test_an_opened_bridge_carries_its_clients_zones_and_params(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    bridge_id, _ghl, tt_id = await make_bridge(connections, bridges, ghl_sim, tt_sim)
    bridges.set_mode("main", "shadow")
    bridges.update_settings(
        "main",
        {
            "tt_timezone": "America/New_York",
            "location_timezone": "America/Chicago",
            "recipe_params": {"contacts": {"tag": "tt"}},
        },
    )
    bridge = await open_bridge(bridges, "main")
    try:
        assert (bridge.id, bridge.mode) == (bridge_id, "shadow")
        assert (bridge.location_tz, bridge.tt_timezone) == ("America/Chicago", "America/New_York")
        assert bridge.params == {"contacts": {"tag": "tt"}}
        assert bridge.tt.account_timezone == ZoneInfo("America/New_York")
        assert bridge.ghl.location_id == ghl_sim.sample_location_id
        assert (await bridge.tt.me()).id and bridge.custom_fields is not None
    finally:
        await bridge.aclose()

    # The poller's clients are the same, and a side without a connection has none.
    ghl, tt = bridges.clients.of_bridge(None, tt_id, bridges.settings("main"))
    assert ghl is None and tt is not None
    assert tt.account_timezone == ZoneInfo("America/New_York")
    await tt.aclose()


async def test_clients_of_one_location_share_its_rate_budget(
    connections: ConnectionService, clients: Clients, ghl_sim: GhlSimulator
) -> None:
    added = await connections.add_ghl_token(
        label="shop", token=ghl_sim.sample_token, location_id=ghl_sim.sample_location_id
    )
    first, second = clients.ghl(added.connection.id), clients.ghl("shop")
    try:
        assert first is not second and first.budget is second.budget
    finally:
        await first.aclose()
        await second.aclose()
