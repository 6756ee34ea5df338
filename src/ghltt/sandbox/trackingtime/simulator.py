"""``TrackingTimeSimulator``: the public facade, one simulated TrackingTime
(``TrackingTimeInstance``) with its ASGI app."""

from __future__ import annotations

from functools import cached_property

from ghltt.sandbox.trackingtime.app import ASGIApp, build_app
from ghltt.sandbox.trackingtime.instance import TrackingTimeInstance


class TrackingTimeSimulator(TrackingTimeInstance):
    """A faithful, in-memory TrackingTime API v4. ``.app`` is the ASGI app.

    ``clock`` defaults to the system clock; pass ``FixedClock`` for deterministic tests.
    ``webhook_transport`` lets tests deliver webhooks in-process (e.g. an ``ASGITransport``).
    """

    @cached_property
    def app(self) -> ASGIApp:
        return build_app(self)
