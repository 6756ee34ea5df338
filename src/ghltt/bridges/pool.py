"""Opened bridges kept across runs.

Opening a bridge reads the vault and builds both clients; keeping it lets runs reuse the
clients' connections, rate budgets and custom-field ids. A bridge is opened again when it or
one of its connections changes (rotation, revocation, mode: looked at before each recipe
run, which asks ``connection_states``, else no more than once every ``recheck`` seconds),
after ``ttl`` seconds, and after any failed run (a retry starts from fresh clients and field
ids: a mapping that names a custom field created since fails once, then finds it). A
replaced bridge is closed once its last run is done.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from ghltt.bridges.opened import OpenBridge, open_bridge
from ghltt.bridges.services import Services
from ghltt.core import NotFound
from ghltt.store.routing import BridgeStamp, ConnectionState, bridge_stamp


@dataclass
class _Opened:
    bridge: OpenBridge
    stamp: BridgeStamp
    expires: float
    users: int = 0
    retired: bool = False


class BridgePool:
    def __init__(
        self, services: Callable[[], Services], *, ttl: float = 600.0, recheck: float = 1.0
    ) -> None:
        self._services = services
        self._ttl = ttl
        self._recheck = recheck
        self._opened: dict[str, _Opened] = {}
        self._stamps: dict[str, tuple[float, BridgeStamp]] = {}  # when read, what it was

    @contextlib.asynccontextmanager
    async def use(self, bridge_id: str) -> AsyncIterator[OpenBridge]:
        """The open bridge for one run; a run that raises has it opened afresh for the next."""
        try:
            opened = await self._current(bridge_id)
        except BaseException:
            self._stamps.pop(bridge_id, None)  # it may have changed since: read it again
            raise
        opened.users += 1
        try:
            yield opened.bridge
        except BaseException:
            self._retire(bridge_id, opened)
            raise
        finally:
            opened.users -= 1
            if opened.retired and not opened.users:
                await opened.bridge.aclose()

    async def connection_states(self, bridge_id: str) -> tuple[ConnectionState, ...]:
        """The states of the bridge's connections as the store has them now, read with the
        bridge's stamp (one query before each run): a connection revoked a moment ago is
        not used, and the run's opened bridge is checked against the same stamp. Read
        without opening the bridge: a revoked connection's bridge cannot be opened."""
        self._stamps.pop(bridge_id, None)
        return self._stamp(bridge_id).connections

    async def forget(self, bridge_id: str) -> None:
        """Open the bridge afresh for its next run, as the store has it now."""
        self._stamps.pop(bridge_id, None)
        opened = self._opened.get(bridge_id)
        if opened is not None:
            self._retire(bridge_id, opened)
            if not opened.users:
                await opened.bridge.aclose()

    async def aclose(self) -> None:
        for bridge_id, opened in list(self._opened.items()):
            self._retire(bridge_id, opened)
            if not opened.users:
                await opened.bridge.aclose()

    def _stamp(self, bridge_id: str) -> BridgeStamp:
        """The bridge's stamp, read again once ``recheck`` seconds have passed."""
        clock = time.monotonic()
        held = self._stamps.get(bridge_id)
        if held is not None and clock < held[0] + self._recheck:
            return held[1]
        stamp = bridge_stamp(self._services().connections.db, bridge_id)
        if stamp is None:
            self._stamps.pop(bridge_id, None)
            raise NotFound(f"no bridge {bridge_id!r}")
        self._stamps[bridge_id] = (clock, stamp)
        return stamp

    async def _current(self, bridge_id: str) -> _Opened:
        clock = time.monotonic()
        stamp = self._stamp(bridge_id)
        opened = self._opened.get(bridge_id)
        if opened is not None and opened.stamp == stamp and clock < opened.expires:
            return opened
        services = self._services()
        fresh = _Opened(
            await open_bridge(services.bridges, bridge_id),
            stamp,
            expires=clock + self._ttl,
        )
        previous = self._opened.get(bridge_id)  # another run may have opened it meanwhile
        if previous is not None:
            self._retire(bridge_id, previous)
            if not previous.users:
                await previous.bridge.aclose()
        self._opened[bridge_id] = fresh
        return fresh

    def _retire(self, bridge_id: str, opened: _Opened) -> None:
        opened.retired = True
        if self._opened.get(bridge_id) is opened:
            del self._opened[bridge_id]
