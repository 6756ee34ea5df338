"""Rate budgets: callers wait for a slot instead of sending a request that would be refused."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta

from ghltt.connectors.http._errors import RateLimited
from ghltt.connectors.http._shared import SharedWindow, spawn

__all__ = ["BudgetRegistry", "RateBudget", "Slot", "bulk_sends"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
WallClock = Callable[[], datetime]


# Sends the server counts that we did not make, booked one by one at most this many at a time.
_MOST_BOOKED_UNSEEN = 1000


def _utcnow() -> datetime:
    return datetime.now(UTC)


# Set while a bulk caller (an import) sends: the share of each window it may use. Its slots
# are told apart from everyone else's.
_BULK: ContextVar[float | None] = ContextVar("ghltt_bulk_sends", default=None)


@contextlib.contextmanager
def bulk_sends(share: float) -> Iterator[None]:
    """Sends made inside (in this task and the tasks it starts) are a bulk caller's, kept to
    ``share`` of each window: see ``RateBudget.room_for_bulk``."""
    token = _BULK.set(share)
    try:
        yield
    finally:
        _BULK.reset(token)


class Slot:
    """One booked send. ``at`` starts as the send time; ``settle`` moves it to the response time.
    ``token`` names its booking in the shared window, if there is one; ``bulk``: a bulk
    caller's send (inside ``bulk_sends``)."""

    __slots__ = ("at", "bulk", "token")

    def __init__(self, at: float, token: str | None = None, bulk: bool = False) -> None:
        self.at = at
        self.token = token
        self.bulk = bulk


# The default margin, and its most as a share of the window.
MARGIN = 0.02
MARGIN_SHARE = 0.002


class RateBudget:
    """At most ``limit`` sends in any rolling ``window`` seconds, plus an optional daily cap.

    Each send books a ``Slot``. The server received the request somewhere between our send and
    its response, so once ``settle(slot)`` is called the slot counts from the response time: then
    no window of the server (fixed or sliding, however it is aligned) can hold more than
    ``limit`` of our requests, whatever the connection set-up or queueing delays. ``margin``
    (seconds) adds slack for clock granularity: by default 20 ms, or a 500th of a shorter
    window (a budget's margin is lost to its share: 0.2 % of GHL's 10 s window, and no more
    of a window shortened to test at speed). ``observe`` updates limits from response
    headers and, when the server reports fewer remaining slots than we think (someone else
    shares the budget), books the difference as used now. ``acquire`` waits, in FIFO order,
    until a send is allowed; if that would take longer than ``max_wait`` it raises
    ``RateLimited`` so a durable job can reschedule.

    With ``shared`` (see ``share``), every send is also booked under ``key`` in a window that
    all processes of the deployment see, and settles, refusals and server-reported usage are
    folded into it too: then no process's sends can push the location over its limit.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        margin: float | None = None,
        daily_limit: int | None = None,
        max_wait: float = 120.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: WallClock = _utcnow,
        shared: SharedWindow | None = None,
        key: str = "",
        shared_clock: Clock = time.time,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a budget needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._margin = margin
        self.daily_limit = daily_limit
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._wall = wall_clock
        self._sent: deque[Slot] = deque()
        self._blocked_until = 0.0
        self._day: date = wall_clock().date()
        self._daily_used = 0
        self._lock = asyncio.Lock()
        self.shared = shared
        self.key = key
        self._shared_clock = shared_clock
        # Shared-window bookings are leased a few at a time (one store round trip for several
        # sends), up to a tenth of the limit, and used within a quarter of the window: a
        # lease counts from when it was booked until its send settles it at its response
        # time, so it must be used, and answered, well before it would expire.
        self._leased: deque[str] = deque()
        self._leased_at = 0.0
        self._lease_size = 1
        self._settles: dict[str, float] = {}
        self._settling = False
        self._reconciled_at = 0.0

    def share(self, shared: SharedWindow, key: str) -> RateBudget:
        """Book this budget's sends in ``shared`` under ``key`` (e.g. ``ghl:<location>``)."""
        self.shared, self.key = shared, key
        return self

    def __repr__(self) -> str:
        return f"RateBudget(limit={self.limit}, window={self.window}, in_window={len(self._sent)})"

    @property
    def margin(self) -> float:
        """The slack added to each slot's window (the window may change: ``observe``)."""
        if self._margin is not None:
            return self._margin
        return min(MARGIN, self.window * MARGIN_SHARE)

    @property
    def span(self) -> float:
        return self.window + self.margin

    @property
    def lease_ttl(self) -> float:
        return self.window / 4

    def used(self, now: float | None = None) -> int:
        """Sends counted in the current rolling window."""
        self._expire(self._clock() if now is None else now)
        return len(self._sent)

    def available(self) -> int:
        return max(0, self.limit - self.used())

    def room_for_bulk(self, share: float) -> float:
        """Seconds until a bulk caller may send (0: now), keeping to ``share`` of the window
        and leaving the rest to everyone else: real-time runs of any process, and other apps
        on the same budget (the slots ``observe`` books from the server's headers). Everyone
        else keeps ``max(what they use now, the rest of the window)``, so bulk sends fill
        ``share`` of the window while others use less than the rest, and yield to them when
        they use more. The wait is until the slot that makes room expires."""
        now = self._clock()
        self._expire(now)
        ours = max(1, int(self.limit * share))
        reserve = self.limit - ours

        def fits(bulk: int, others: int) -> bool:
            return bulk < ours and bulk + max(others, reserve) < self.limit

        bulk = sum(1 for slot in self._sent if slot.bulk)
        others = len(self._sent) - bulk
        if fits(bulk, others):
            return 0.0
        for slot in sorted(self._sent, key=lambda s: s.at):
            if slot.bulk:
                bulk -= 1
            else:
                others -= 1
            if fits(bulk, others):
                return max(0.0, slot.at + self.span - now)
        return max(0.0, self._blocked_until - now)

    @property
    def daily_used(self) -> int:
        self._roll_day()
        return self._daily_used

    def day_resets_at(self) -> datetime:
        """When the daily count starts again (UTC midnight, as the daily cap is counted)."""
        self._roll_day()
        return datetime.combine(self._day + timedelta(days=1), datetime.min.time(), UTC)

    def seconds_to_day_reset(self) -> float:
        return max(0.0, (self.day_resets_at() - self._wall()).total_seconds())

    async def acquire(self) -> Slot:
        """Wait until one more send fits the budget, then book it. A bulk caller (inside
        ``bulk_sends``) also waits for room in its share, outside the queue: callers that
        come meanwhile (real-time runs) are not held behind it."""
        share = _BULK.get()
        while share is not None:
            wait = self.room_for_bulk(share)
            if wait <= 0:
                async with self._lock:
                    # Another bulk send may have taken the room while this one queued.
                    if self.room_for_bulk(share) <= 0:
                        return await self._book(bulk=True)
                continue
            if wait > self.max_wait:
                raise RateLimited("rate budget exhausted", retry_after=wait)
            await self._sleep(wait)
        async with self._lock:
            return await self._book(bulk=False)

    async def _book(self, *, bulk: bool) -> Slot:
        """Under the lock: wait for the window (and the shared one), then book a send."""
        while True:
            now = self._clock()
            wait = self._wait_needed(now)
            token = None
            if wait <= 0 and self.shared is not None:
                token, wait = await self._shared_token(now)
            if wait <= 0:
                slot = Slot(self._clock(), token, bulk)
                self._sent.append(slot)
                self._daily_used += 1
                return slot
            if wait > self.max_wait:
                raise RateLimited("rate budget exhausted", retry_after=wait)
            await self._sleep(max(wait, 0.001))  # always progress, even on a coarse clock

    async def _shared_token(self, now: float) -> tuple[str | None, float]:
        """A booking in the shared window for a send now: one leased before, while fresh,
        else a new lease (or the wait the window asks for)."""
        assert self.shared is not None
        if self._leased and self._leased_at + self.lease_ttl <= now:
            # Unused in time: they count in the shared window until they expire (the safe
            # side), and the next lease is smaller.
            self._leased.clear()
            self._lease_size = max(1, self._lease_size // 2)
        if not self._leased:
            tokens = [uuid.uuid4().hex for _ in range(self._lease_size)]
            booked, wait = await self.shared.book(
                self.key, tokens, limit=self.limit, span=self.span, now=self._shared_clock()
            )
            if not booked:
                return None, wait
            self._leased.extend(tokens[:booked])
            self._leased_at = self._clock()
            if booked == self._lease_size:  # all granted: lease more next time, up to the cap
                self._lease_size = min(self._lease_size * 2, max(1, self.limit // 10))
        return self._leased.popleft(), 0.0

    def observe(
        self,
        *,
        limit: int | None = None,
        remaining: int | None = None,
        window: float | None = None,
        daily_limit: int | None = None,
        daily_remaining: int | None = None,
    ) -> None:
        """Fold in what the server said about its budget (header values, when present)."""
        if window is not None and window > 0:
            self.window = window
        if limit is not None and limit > 0:
            self.limit = limit
        if daily_limit is not None and daily_limit > 0:
            self.daily_limit = daily_limit
        now = self._clock()
        self._roll_day()
        if daily_remaining is not None and self.daily_limit is not None:
            self._daily_used = max(self._daily_used, self.daily_limit - max(0, daily_remaining))
        if remaining is not None:
            self._expire(now)
            ours = self.limit - len(self._sent)
            missing = max(0, ours - max(0, remaining))
            if missing > _MOST_BOOKED_UNSEEN:
                # Others used far more than it is worth booking one by one (a limit of
                # millions, a 429 saying none remain): wait the window out instead.
                self._blocked_until = max(self._blocked_until, now + self.span)
                if self.shared is not None:
                    until = self._shared_clock() + self.span
                    spawn(self.shared.block(self.key, until=until))
                return
            # Slots the server says are gone but we never booked: book them now.
            for _ in range(missing):
                self._sent.append(Slot(now))
            # In the shared window too, unless this process's own sends account for them
            # all, or a reconcile went out within a lease's life (the next one catches up:
            # it books what the window lacks, not a difference).
            if self.shared is not None and missing and now >= self._reconciled_at:
                self._reconciled_at = now + self.lease_ttl
                used = self.limit - remaining
                spawn(
                    self.shared.reconcile(
                        self.key, used=used, span=self.span, now=self._shared_clock()
                    )
                )

    def settle(self, slot: Slot) -> None:
        """The response to ``slot`` arrived: count it from now (the latest it can have landed)."""
        slot.at = max(slot.at, self._clock())
        if self.shared is not None and slot.token is not None:
            # Settles made while one is on its way go together in the next one.
            self._settles[slot.token] = self._shared_clock()
            if not self._settling:
                self._settling = True
                spawn(self._send_settles())

    async def _send_settles(self) -> None:
        assert self.shared is not None
        try:
            while self._settles:
                times, self._settles = self._settles, {}
                await self.shared.settle(self.key, times)
        finally:
            self._settling = False

    def penalize(self, retry_after: float | None) -> None:
        """After a refusal: send nothing for ``retry_after`` seconds (or one window)."""
        wait = self.span if retry_after is None else retry_after
        self._blocked_until = max(self._blocked_until, self._clock() + wait)
        if self.shared is not None:
            spawn(self.shared.block(self.key, until=self._shared_clock() + wait))

    def _expire(self, now: float) -> None:
        # Oldest booking first; a slow-answered slot holds back the ones after it (safe side).
        # Same arithmetic as the wait below, so float rounding can never admit an extra send.
        while self._sent and self._sent[0].at + self.span <= now:
            self._sent.popleft()

    def _roll_day(self) -> None:
        today = self._wall().date()
        if today != self._day:
            self._day = today
            self._daily_used = 0

    def _wait_needed(self, now: float) -> float:
        self._expire(now)
        self._roll_day()
        if self.daily_limit is not None and self._daily_used >= self.daily_limit:
            return max(1.0, self.seconds_to_day_reset())
        wait = self._blocked_until - now
        if len(self._sent) >= self.limit:
            # Room appears once the oldest len-limit+1 bookings have all expired.
            excess = len(self._sent) - self.limit + 1
            latest = max(self._sent[i].at for i in range(excess))
            wait = max(wait, latest + self.span - now)
        return wait


class BudgetRegistry:
    """One ``RateBudget`` per key (e.g. per location), shared by every client using that key.

    With ``shared``, each budget also books its sends in that window under ``prefix + key``, so
    the processes of a deployment share one budget per key.
    """

    def __init__(
        self,
        factory: Callable[[], RateBudget],
        *,
        shared: SharedWindow | None = None,
        prefix: str = "",
    ) -> None:
        self._factory = factory
        self._budgets: dict[str, RateBudget] = {}
        self.shared = shared
        self.prefix = prefix

    def get(self, key: str) -> RateBudget:
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = self._factory()
            if self.shared is not None:
                budget.share(self.shared, self.prefix + key)
        return budget

    def __len__(self) -> int:
        return len(self._budgets)

    def seen(self, key: str) -> dict[str, int | None] | None:
        """What this process knows of ``key``'s budget (None before its first request):
        the window's limit and what is left of it and of the day."""
        budget = self._budgets.get(key)
        if budget is None:
            return None
        daily = budget.daily_limit
        return {
            "limit": budget.limit,
            "window_seconds": int(budget.window),
            "available": budget.available(),
            "daily_limit": daily,
            "daily_left": None if daily is None else max(0, daily - budget.daily_used),
        }
