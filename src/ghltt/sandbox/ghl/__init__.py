"""A faithful GoHighLevel API simulator (``services.leadconnectorhq.com``), written from the public
documentation only. ``GhlSimulator(...).app`` is an ASGI app; ``/_admin/`` controls it."""

from ghltt.sandbox.ghl.auth import TokenInfo
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.ghl.faults import FaultSettings
from ghltt.sandbox.ghl.oauth import OAuthClient
from ghltt.sandbox.ghl.seed import SeedResult
from ghltt.sandbox.ghl.simulator import GhlSimulator
from ghltt.sandbox.ghl.webhooks import WebhookTarget

__all__ = [
    "FaultSettings",
    "GhlSimulator",
    "GhlSimulatorConfig",
    "OAuthClient",
    "SeedResult",
    "TokenInfo",
    "WebhookTarget",
]
