"""An opened bridge: what its runs share while it stays open.

Both clients on its connections' credentials, the TT client reading wall clocks in the
account's zone; the GHL location's and TT account's zones; the bridge's settings and recipe
params; the custom-field ids of both sides; recent TT customer listings. Close it with
``await bridge.aclose()`` (``BridgePool`` does, once its last run is done).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ghltt.bridges.clients import Transports
from ghltt.bridges.customfields import CustomFieldCache
from ghltt.bridges.listings import RecentListings
from ghltt.bridges.service import BridgeService
from ghltt.connectors.ghl import GhlClient
from ghltt.connectors.trackingtime import TrackingTimeClient


@dataclass
class OpenBridge:
    id: str
    mode: str
    ghl: GhlClient
    tt: TrackingTimeClient
    location_tz: str = "UTC"
    tt_timezone: str = "UTC"
    settings: Mapping[str, Any] = field(default_factory=dict)
    custom_fields: CustomFieldCache | None = None
    listings: RecentListings = field(default_factory=RecentListings)

    def __post_init__(self) -> None:
        if self.custom_fields is None:
            self.custom_fields = CustomFieldCache(self.ghl, self.tt)

    @property
    def params(self) -> dict[str, Any]:
        """Recipe name → its params (``recipe_params`` in the settings)."""
        return dict(self.settings.get("recipe_params") or {})

    async def aclose(self) -> None:
        await self.ghl.aclose()
        await self.tt.aclose()


async def open_bridge(
    bridges: BridgeService, ref: str, *, transports: Transports | None = None
) -> OpenBridge:
    """Open a bridge (by id or name) from the store and the vault: its mode, its two connections
    as clients, and its settings (``location_timezone``, ``tt_timezone``, ``recipe_params``)."""
    row = bridges.resolve(ref)
    if not row.ghl_connection_id or not row.tt_connection_id:
        raise ValueError(f"bridge {row.name!r} lacks a GHL or TT connection")
    settings = dict(row.settings or {})
    clients = bridges.clients.with_transports(transports)
    ghl, tt = clients.of_bridge(row.ghl_connection_id, row.tt_connection_id, settings)
    assert ghl is not None and tt is not None  # both connections are there
    return OpenBridge(
        id=row.id,
        mode=row.mode,
        ghl=ghl,
        tt=tt,
        location_tz=str(settings.get("location_timezone") or "UTC"),
        tt_timezone=str(settings.get("tt_timezone") or "UTC"),
        settings=settings,
    )
