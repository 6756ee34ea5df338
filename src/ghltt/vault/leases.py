"""Named leases: a cross-process mutex that works on SQLite and PostgreSQL alike.

The rows are the store's (``ghltt.store.leases``, which says why a lease and not a lock);
this waits for one, holds it across awaits, and gives it back even when cancelled.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from ghltt.store.database import Database
from ghltt.store.leases import release, try_acquire
from ghltt.vault.errors import VaultError


def holder_id() -> str:
    return f"{os.getpid()}-{secrets.token_hex(6)}"


@asynccontextmanager
async def lease(
    db: Database,
    name: str,
    *,
    ttl: float = 90.0,
    wait: float = 120.0,
    poll: float = 0.05,
) -> AsyncIterator[None]:
    """Hold ``name`` across processes; waits up to ``wait`` seconds for it."""
    holder = holder_id()
    deadline = anyio.current_time() + wait
    while not await anyio.to_thread.run_sync(try_acquire, db, name, holder, ttl):
        if anyio.current_time() > deadline:
            raise VaultError(f"timed out waiting for the lease {name!r}")
        await anyio.sleep(poll)
    try:
        yield
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(release, db, name, holder)
