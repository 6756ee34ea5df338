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

from ghltt.store.database import Database, reader
from ghltt.store.tables import rate_blocks

__all__ = ["PostgresWindow", "RedisWindow", "shared_window"]


# Built once (each booking and settle runs them; building them per call cost more than the
# statements themselves). Expired bookings go and the live ones and the key's block are read in
# one statement: the DELETE in the CTE and the SELECTs see the same snapshot, so the live ones are
# those after ``cut``.
_PG_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))")
_PG_LIVE = sa.text(
    """
    WITH gone AS (DELETE FROM rate_slots WHERE budget = :k AND at <= :cut)
    SELECT ARRAY(
               SELECT at FROM rate_slots WHERE budget = :k AND at > :cut ORDER BY at
           ) AS live,
           (SELECT until FROM rate_blocks WHERE budget = :k) AS until
    """
)
# A lease's bookings in one statement (a list of rows would be one statement per row).
_PG_INSERT = sa.text(
    """
    INSERT INTO rate_slots (budget, token, at)
    SELECT :k, token, :at FROM unnest(CAST(:tokens AS VARCHAR[])) AS t(token)
    """
)
# Every settle of a batch in one statement, outside a transaction (one statement commits alone).
_PG_SETTLE = sa.text(
    """
    UPDATE rate_slots SET at = v.at
    FROM unnest(CAST(:tokens AS VARCHAR[]), CAST(:ats AS DOUBLE PRECISION[])) AS v(token, at)
    WHERE rate_slots.budget = :k AND rate_slots.token = v.token AND rate_slots.at < v.at
    """
)


def _pg_block() -> Any:
    stmt = pg_insert(rate_blocks).values(budget=sa.bindparam("k"), until=sa.bindparam("until"))
    return stmt.on_conflict_do_update(
        index_elements=[rate_blocks.c.budget],
        set_={"until": sa.func.greatest(rate_blocks.c.until, stmt.excluded.until)},
    )


_PG_BLOCK = _pg_block()


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

    def _locked(
        self, conn: sa.Connection, key: str, span: float, now: float
    ) -> tuple[list[float], float | None]:
        """Lock the key, drop expired bookings, and return the live ones' times, oldest first,
        with the key's block (None: none). The lock comes first, in a statement of its own:
        the read's snapshot must be taken once the lock is held."""
        conn.execute(_PG_LOCK, {"k": key})
        row = conn.execute(_PG_LIVE, {"k": key, "cut": now - span}).one()
        return [float(at) for at in row.live], row.until

    def _book(
        self, key: str, tokens: Sequence[str], limit: int, span: float, now: float
    ) -> tuple[int, float]:
        with self.db.begin() as conn:
            live, until = self._locked(conn, key, span, now)
            if until is not None and until > now:
                return 0, float(until) - now
            room = min(len(tokens), limit - len(live))
            if room > 0:
                conn.execute(_PG_INSERT, {"k": key, "at": now, "tokens": list(tokens[:room])})
                return room, 0.0
            # Room appears once the oldest len-limit+1 bookings have expired.
            return 0, max(0.001, live[len(live) - limit] + span - now)

    def _settle(self, key: str, times: dict[str, float]) -> None:
        params = {"k": key, "tokens": list(times), "ats": list(times.values())}
        with reader(self.db).connect() as conn:
            conn.execute(_PG_SETTLE, params)

    def _block(self, key: str, until: float) -> None:
        with reader(self.db).connect() as conn:
            conn.execute(_PG_BLOCK, {"k": key, "until": until})

    def _reconcile(self, key: str, used: int, span: float, now: float) -> None:
        with self.db.begin() as conn:
            missing = used - len(self._locked(conn, key, span, now)[0])
            if missing > 0:
                unseen = [f"seen:{now}:{i}" for i in range(missing)]
                conn.execute(_PG_INSERT, {"k": key, "at": now, "tokens": unseen})


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
