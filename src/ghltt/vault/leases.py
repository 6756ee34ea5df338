"""Named leases in the store: a cross-process mutex that works on SQLite and PostgreSQL alike.

Why a lease row and not ``SELECT … FOR UPDATE`` / ``BEGIN IMMEDIATE``: the work it guards is an
HTTP call of up to tens of seconds. Holding a transaction open that long on SQLite would block
every writer of the database (the webhook intake too). A lease is taken and released in two
short transactions; a crashed holder's lease simply expires.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ghltt.core import utcnow
from ghltt.store.tables import leases
from ghltt.vault.errors import VaultError


def holder_id() -> str:
    return f"{os.getpid()}-{secrets.token_hex(6)}"


def try_acquire(engine: sa.Engine, name: str, holder: str, ttl: float) -> bool:
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    insert = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(leases)
    with engine.begin() as conn:
        taken = conn.execute(
            leases.update()
            .where(leases.c.name == name, leases.c.expires_at < now)
            .values(holder=holder, expires_at=expires)
        ).rowcount
        if taken:
            return True
        inserted = conn.execute(
            insert.values(name=name, holder=holder, expires_at=expires)
            .on_conflict_do_nothing(index_elements=["name"])
            .returning(leases.c.name)
        ).first()
    return inserted is not None


def release(engine: sa.Engine, name: str, holder: str) -> None:
    with engine.begin() as conn:
        conn.execute(leases.delete().where(leases.c.name == name, leases.c.holder == holder))


@asynccontextmanager
async def lease(
    engine: sa.Engine,
    name: str,
    *,
    ttl: float = 90.0,
    wait: float = 120.0,
    poll: float = 0.05,
) -> AsyncIterator[None]:
    """Hold ``name`` across processes; waits up to ``wait`` seconds for it."""
    holder = holder_id()
    deadline = anyio.current_time() + wait
    while not await anyio.to_thread.run_sync(try_acquire, engine, name, holder, ttl):
        if anyio.current_time() > deadline:
            raise VaultError(f"timed out waiting for the lease {name!r}")
        await anyio.sleep(poll)
    try:
        yield
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(release, engine, name, holder)
