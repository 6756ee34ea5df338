"""GhlSimulator: the public facade, one simulated GHL (``GhlInstance``) with its ASGI app."""

from __future__ import annotations

from functools import cached_property

from starlette.applications import Starlette

from ghltt.sandbox.ghl.app import build_app
from ghltt.sandbox.ghl.instance import GhlInstance


class GhlSimulator(GhlInstance):
    """A faithful, in-memory GoHighLevel API. ``app`` is the ASGI app to serve or mount.

    Every admin control of ``/_admin/`` is also a method here, for in-process tests.
    """

    @cached_property
    def app(self) -> Starlette:
        return build_app(self)
