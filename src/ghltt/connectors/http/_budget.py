"""Rate budgets: callers wait for a slot instead of sending a request that would be refused."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from ghltt.connectors.http._errors import RateLimited

__all__ = ["BudgetRegistry", "RateBudget", "Slot"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
WallClock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Slot:
    """One booked send. ``at`` starts as the send time; ``settle`` moves it to the response time."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class RateBudget:
    """At most ``limit`` sends in any rolling ``window`` seconds, plus an optional daily cap.

    Each send books a ``Slot``. The server received the request somewhere between our send and
    its response, so once ``settle(slot)`` is called the slot counts from the response time: then
    no window of the server (fixed or sliding, however it is aligned) can hold more than
    ``limit`` of our requests, whatever the connection set-up or queueing delays. ``margin``
    (seconds) adds slack for clock granularity. ``observe`` updates limits from response
    headers and, when the server reports fewer remaining slots than we think (someone else
    shares the budget), books the difference as used now. ``acquire`` waits, in FIFO order,
    until a send is allowed; if that would take longer than ``max_wait`` it raises
    ``RateLimited`` so a durable job can reschedule.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        margin: float = 0.02,
        daily_limit: int | None = None,
        max_wait: float = 120.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: WallClock = _utcnow,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a budget needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.margin = margin
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

    def __repr__(self) -> str:
        return f"RateBudget(limit={self.limit}, window={self.window}, in_window={len(self._sent)})"

    @property
    def span(self) -> float:
        return self.window + self.margin

    def used(self, now: float | None = None) -> int:
        """Sends counted in the current rolling window."""
        self._expire(self._clock() if now is None else now)
        return len(self._sent)

    def available(self) -> int:
        return max(0, self.limit - self.used())

    @property
    def daily_used(self) -> int:
        self._roll_day()
        return self._daily_used

    async def acquire(self) -> Slot:
        """Wait until one more send fits the budget, then book it."""
        async with self._lock:
            while True:
                now = self._clock()
                wait = self._wait_needed(now)
                if wait <= 0:
                    slot = Slot(now)
                    self._sent.append(slot)
                    self._daily_used += 1
                    return slot
                if wait > self.max_wait:
                    raise RateLimited("rate budget exhausted", retry_after=wait)
                await self._sleep(max(wait, 0.001))  # always progress, even on a coarse clock

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
            # Slots the server says are gone but we never booked: book them now.
            for _ in range(max(0, ours - max(0, remaining))):
                self._sent.append(Slot(now))

    def settle(self, slot: Slot) -> None:
        """The response to ``slot`` arrived: count it from now (the latest it can have landed)."""
        slot.at = max(slot.at, self._clock())

    def penalize(self, retry_after: float | None) -> None:
        """After a refusal: send nothing for ``retry_after`` seconds (or one window)."""
        wait = self.span if retry_after is None else retry_after
        self._blocked_until = max(self._blocked_until, self._clock() + wait)

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
            midnight = datetime.combine(self._day + timedelta(days=1), datetime.min.time(), UTC)
            return max(1.0, (midnight - self._wall()).total_seconds())
        wait = self._blocked_until - now
        if len(self._sent) >= self.limit:
            # Room appears once the oldest len-limit+1 bookings have all expired.
            excess = len(self._sent) - self.limit + 1
            latest = max(self._sent[i].at for i in range(excess))
            wait = max(wait, latest + self.span - now)
        return wait


class BudgetRegistry:
    """One ``RateBudget`` per key (e.g. per location), shared by every client using that key."""

    def __init__(self, factory: Callable[[], RateBudget]) -> None:
        self._factory = factory
        self._budgets: dict[str, RateBudget] = {}

    def get(self, key: str) -> RateBudget:
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = self._factory()
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
