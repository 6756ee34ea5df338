"""Bridges: a GHL connection paired with a TT connection, and opening one for its runs.

``build_services(settings, db)`` gives the entry points the vault, connections, bridges
and OAuth flow. ``BridgeService`` holds a bridge's mode, settings, enabled recipes and TT
webhooks; ``Clients`` is the one place API clients are built; ``open_bridge`` (or a
``BridgePool`` across runs) opens a bridge: both clients, the account zones, its settings,
custom-field ids and customer listings. ``options`` checks what a user sets on a bridge
(``ghl_webhook_keys`` is what webhook verification reads). See docs/bridges.md.
"""

from ghltt.bridges.check import CheckReport, FieldNeed, Finding, Needs, check_bridge
from ghltt.bridges.clients import Clients, Remotes, Transports
from ghltt.bridges.customfields import CustomFieldCache
from ghltt.bridges.listings import RecentListings
from ghltt.bridges.opened import OpenBridge, open_bridge
from ghltt.bridges.options import ghl_webhook_keys
from ghltt.bridges.pool import BridgePool
from ghltt.bridges.service import DEFAULT_MODE, MODES, BridgeService, BridgeView, PlannedWrites
from ghltt.bridges.services import Services, build_services
from ghltt.bridges.webhooks import TT_WEBHOOK_EVENTS, TtWebhooks

__all__ = [
    "DEFAULT_MODE",
    "MODES",
    "TT_WEBHOOK_EVENTS",
    "BridgePool",
    "BridgeService",
    "BridgeView",
    "CheckReport",
    "Clients",
    "CustomFieldCache",
    "FieldNeed",
    "Finding",
    "Needs",
    "OpenBridge",
    "PlannedWrites",
    "RecentListings",
    "Remotes",
    "Services",
    "Transports",
    "TtWebhooks",
    "build_services",
    "check_bridge",
    "ghl_webhook_keys",
    "open_bridge",
]
