"""``TrackingTimeSimulator``: the public facade, one simulated TrackingTime
(``TrackingTimeInstance``) with its ASGI app."""

from __future__ import annotations

import httpx2

from ghltt.core.clock import Clock
from ghltt.sandbox.trackingtime.app import ASGIApp, build_app
from ghltt.sandbox.trackingtime.config import SimulatorConfig
from ghltt.sandbox.trackingtime.faults import FaultConfig
from ghltt.sandbox.trackingtime.instance import TrackingTimeInstance


class TrackingTimeSimulator(TrackingTimeInstance):
    """A faithful, in-memory TrackingTime API v4. ``.app`` is the ASGI app.

    ``clock`` defaults to the system clock; pass ``FixedClock`` for deterministic tests.
    ``webhook_transport`` lets tests deliver webhooks in-process (e.g. an ``ASGITransport``).
    """

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        faults: FaultConfig | None = None,
        webhook_transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(config, clock=clock, faults=faults, webhook_transport=webhook_transport)
        self.app: ASGIApp = build_app(self)
