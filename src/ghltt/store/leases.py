"""Rows of ``leases``: a named lease is taken, renewed once expired, and released by its holder.

Why a lease row and not ``SELECT … FOR UPDATE`` / ``BEGIN IMMEDIATE``: the work it guards is an
HTTP call of up to tens of seconds. Holding a transaction open that long on SQLite would block
every writer of the database (the webhook intake too). A lease is taken and released in two
short transactions; a crashed holder's lease simply expires.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ghltt.core import utcnow
from ghltt.store.tables import leases


def try_acquire(db: sa.Engine, name: str, holder: str, ttl: float) -> bool:
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    insert = (postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert)(leases)
    with db.begin() as conn:
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


def release(db: sa.Engine, name: str, holder: str) -> None:
    with db.begin() as conn:
        conn.execute(leases.delete().where(leases.c.name == name, leases.c.holder == holder))
