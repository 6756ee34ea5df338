"""GhlSimulator: the public facade, one simulated GHL (``GhlInstance``) with its ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette

from ghltt.core.clock import Clock
from ghltt.sandbox.ghl.app import build_app
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.ghl.instance import GhlInstance


class GhlSimulator(GhlInstance):
    """A faithful, in-memory GoHighLevel API. ``app`` is the ASGI app to serve or mount.

    Every admin control of ``/_admin/`` is also a method here, for in-process tests.
    """

    def __init__(
        self, config: GhlSimulatorConfig | None = None, *, clock: Clock | None = None
    ) -> None:
        super().__init__(config, clock=clock)
        self.app: Starlette = build_app(self)
