"""Shared rate windows (``connectors.http.SharedWindow``) on PostgreSQL and on Redis.

Every process of a deployment books its sends to a GHL location or a TT account here, so the
processes together keep the remote's limit. PostgreSQL serialises the bookings of one key with a
transaction-scoped advisory lock; Redis with one Lua script per operation. Times are wall-clock
seconds from each process (``time.time()``): keep the machines' clocks synchronised (NTP).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ghltt.store.database import Database
from ghltt.store.tables import rate_blocks, rate_slots

__all__ = ["PostgresWindow", "RedisWindow", "shared_window"]


class PostgresWindow:
    """Bookings as rows of ``rate_slots``; one advisory lock per key orders the bookers."""

    def __init__(self, db: Database) -> None:
        if db.dialect.name != "postgresql":
            raise ValueError("a shared rate window needs PostgreSQL (or Redis)")
        self.db = db

    async def book(
        self, key: str, tokens: Sequence[str], *, limit: int, span: float, now: float
    ) -> tuple[int, float]:
        return await asyncio.to_thread(self._book, key, tokens, limit, span, now)

    async def settle(self, key: str, times: Mapping[str, float]) -> None:
        await asyncio.to_thread(self._settle, key, dict(times))

    async def block(self, key: str, *, until: float) -> None:
        await asyncio.to_thread(self._block, key, until)

    async def reconcile(self, key: str, *, used: int, span: float, now: float) -> None:
        await asyncio.to_thread(self._reconcile, key, used, span, now)

    def _locked(self, conn: sa.Connection, key: str, span: float, now: float) -> list[float]:
        """Lock the key, drop expired bookings, and return the live ones' times, oldest first."""
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})
        c = rate_slots.c
        conn.execute(rate_slots.delete().where((c.budget == key) & (c.at <= now - span)))
        return list(conn.scalars(sa.select(c.at).where(c.budget == key).order_by(c.at)))

    def _book(
        self, key: str, tokens: Sequence[str], limit: int, span: float, now: float
    ) -> tuple[int, float]:
        with self.db.begin() as conn:
            live = self._locked(conn, key, span, now)
            until = conn.scalar(sa.select(rate_blocks.c.until).where(rate_blocks.c.budget == key))
            if until is not None and until > now:
                return 0, float(until) - now
            room = min(len(tokens), limit - len(live))
            if room > 0:
                rows = [{"budget": key, "token": t, "at": now} for t in tokens[:room]]
                conn.execute(rate_slots.insert(), rows)
                return room, 0.0
            # Room appears once the oldest len-limit+1 bookings have expired.
            return 0, max(0.001, live[len(live) - limit] + span - now)

    def _settle(self, key: str, times: dict[str, float]) -> None:
        c = rate_slots.c
        stmt = (
            rate_slots.update()
            .where(
                (c.budget == key)
                & (c.token == sa.bindparam("t"))
                & (c.at < sa.bindparam("settled_at"))
            )
            .values(at=sa.bindparam("settled_at"))
        )
        with self.db.begin() as conn:
            conn.execute(stmt, [{"t": t, "settled_at": at} for t, at in times.items()])

    def _block(self, key: str, until: float) -> None:
        stmt = pg_insert(rate_blocks).values(budget=key, until=until)
        stmt = stmt.on_conflict_do_update(
            index_elements=[rate_blocks.c.budget],
            set_={"until": sa.func.greatest(rate_blocks.c.until, stmt.excluded.until)},
        )
        with self.db.begin() as conn:
            conn.execute(stmt)

    def _reconcile(self, key: str, used: int, span: float, now: float) -> None:
        with self.db.begin() as conn:
            missing = used - len(self._locked(conn, key, span, now))
            if missing > 0:
                rows = [
                    {"budget": key, "token": f"seen:{now}:{i}", "at": now} for i in range(missing)
                ]
                conn.execute(rate_slots.insert(), rows)


# KEYS[1]: the bookings (a sorted set scored by time); KEYS[2]: the key's block.
# ARGV: now, span, limit, then the tokens. Answers {booked, wait}.
_BOOK = """
local now, span, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return {0, tostring(blocked - now)} end
local n = redis.call('ZCARD', KEYS[1])
local room = math.min(#ARGV - 3, limit - n)
if room > 0 then
  for i = 1, room do redis.call('ZADD', KEYS[1], now, ARGV[3 + i]) end
  redis.call('PEXPIRE', KEYS[1], math.ceil(span * 1000) + 1000)
  return {room, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
return {0, tostring(math.max(0.001, tonumber(oldest[2]) + span - now))}
"""
_BLOCK = """
local till = tonumber(ARGV[1])
if till > tonumber(redis.call('GET', KEYS[1]) or '0') then
  local ttl = math.max(1, math.ceil((till - tonumber(ARGV[2])) * 1000))
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
end
return 0
"""
_RECONCILE = """
local used, span, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local missing = used - redis.call('ZCARD', KEYS[1])
for i = 1, missing do redis.call('ZADD', KEYS[1], now, 'seen:' .. ARGV[3] .. ':' .. i) end
if missing > 0 then redis.call('PEXPIRE', KEYS[1], math.ceil(span * 1000) + 1000) end
return 0
"""


class RedisWindow:
    """Bookings as members of a sorted set per key, each operation one atomic Lua script."""

    def __init__(self, url: str, *, prefix: str = "ghltt:rate:") -> None:
        from redis.asyncio import Redis  # only deployments that set GHLTT_REDIS_URL load it

        self._redis: Any = Redis.from_url(url)
        self._prefix = prefix
        self._book = self._redis.register_script(_BOOK)
        self._block = self._redis.register_script(_BLOCK)
        self._reconcile = self._redis.register_script(_RECONCILE)

    def _keys(self, key: str) -> list[str]:
        return [self._prefix + key, self._prefix + key + ":blocked"]

    async def book(
        self, key: str, tokens: Sequence[str], *, limit: int, span: float, now: float
    ) -> tuple[int, float]:
        args: list[str | int] = [repr(now), repr(span), limit, *tokens]
        booked, wait = await self._book(keys=self._keys(key), args=args)
        return int(booked), float(wait)

    async def settle(self, key: str, times: Mapping[str, float]) -> None:
        await self._redis.zadd(self._prefix + key, dict(times), xx=True, gt=True)

    async def block(self, key: str, *, until: float) -> None:
        # "now" only sizes the block's expiry, so Redis forgets it once it is over.
        await self._block(keys=self._keys(key)[1:], args=[repr(until), repr(time.time())])

    async def reconcile(self, key: str, *, used: int, span: float, now: float) -> None:
        await self._reconcile(keys=self._keys(key)[:1], args=[used, repr(span), repr(now)])

    async def close(self) -> None:
        await self._redis.aclose()


def shared_window(db: Database, redis_url: str | None) -> PostgresWindow | RedisWindow | None:
    """The deployment's shared window: Redis when configured, else PostgreSQL when the store is
    on it, else none (SQLite: one machine, and the executor does the remote calls)."""
    if redis_url:
        return RedisWindow(redis_url)
    if db.dialect.name == "postgresql":
        return PostgresWindow(db)
    return None
