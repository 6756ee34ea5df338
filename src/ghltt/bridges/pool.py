"""Opened bridges kept across runs.

Opening a bridge reads the vault and builds both clients; keeping it lets runs reuse the
clients' connections, rate budgets and custom-field ids. A bridge is opened again when it or
one of its connections changes (rotation, revocation, mode: looked at no more than once every
``recheck`` seconds), after ``ttl`` seconds, and after any failed run (a retry starts from
fresh clients and field ids: a mapping that names a custom field created since fails once,
then finds it). A replaced bridge is closed once its last run is done.
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
    checked: float
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

    @contextlib.asynccontextmanager
    async def use(self, bridge_id: str) -> AsyncIterator[OpenBridge]:
        """The open bridge for one run; a run that raises has it opened afresh for the next."""
        opened = await self._current(bridge_id)
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
        """The states of the bridge's connections, as looked at with its stamp: at most
        ``recheck`` seconds old, so a run need not ask the store before it starts."""
        return (await self._current(bridge_id)).stamp.connections

    async def forget(self, bridge_id: str) -> None:
        """Open the bridge afresh for its next run."""
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

    async def _current(self, bridge_id: str) -> _Opened:
        clock = time.monotonic()
        opened = self._opened.get(bridge_id)
        if opened is not None and clock < opened.expires and clock < opened.checked + self._recheck:
            return opened
        services = self._services()
        stamp = bridge_stamp(services.connections.db, bridge_id)
        if stamp is None:
            raise NotFound(f"no bridge {bridge_id!r}")
        if opened is not None and opened.stamp == stamp and clock < opened.expires:
            opened.checked = clock
            return opened
        fresh = _Opened(
            await open_bridge(services.bridges, bridge_id),
            stamp,
            expires=clock + self._ttl,
            checked=clock,
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
