from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ghltt.connectors.http import RateBudget, RateLimited
from tests.connectors.conftest import FakeTime

pytestmark = pytest.mark.anyio

LIMIT, WINDOW = 10, 10.0


def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] + window <= t:  # the budget's own arithmetic (no sub-ulp disputes)
            j += 1
        best = max(best, i - j + 1)
    return best


@settings(max_examples=150, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0, max_value=4, allow_nan=False), min_size=1, max_size=80),
    remaining=st.lists(st.none() | st.integers(0, LIMIT), max_size=80),
)
def test_no_window_exceeds_the_limit(gaps: list[float], remaining: list[int | None]) -> None:
    fake = FakeTime()
    budget = RateBudget(LIMIT, WINDOW, margin=0.0, clock=fake, sleep=fake.sleep, max_wait=1e9)
    sent: list[float] = []

    async def run() -> None:
        arrival = fake.now
        for i, gap in enumerate(gaps):
            arrival += gap
            fake.now = max(fake.now, arrival)
            await budget.acquire()
            sent.append(fake.now)
            if i < len(remaining) and remaining[i] is not None:
                budget.observe(remaining=remaining[i], limit=LIMIT)

    asyncio.run(run())
    assert len(sent) == len(gaps)
    assert _max_in_window(sent, WINDOW) <= LIMIT


async def test_concurrent_callers_wait_instead_of_overrunning(fake_time: FakeTime) -> None:
    budget = RateBudget(5, 1.0, margin=0.0, clock=fake_time, sleep=fake_time.sleep)
    sent: list[float] = []

    async def one() -> None:
        await budget.acquire()
        sent.append(fake_time.now)

    await asyncio.gather(*(one() for _ in range(23)))
    assert _max_in_window(sent, 1.0) <= 5
    assert max(sent) - min(sent) == pytest.approx(4.0)  # 23 sends need 5 windows: 0,1,2,3,4


@pytest.mark.parametrize(("window", "margin"), [(10.0, 0.02), (1.0, 0.002), (60.0, 0.02)])
async def test_the_margin_costs_at_most_a_500th_of_the_window(
    fake_time: FakeTime, window: float, margin: float
) -> None:
    """The slack each slot is held for beyond its window is lost to the share: 20 ms of GHL's
    10 s window, and no more than the same 0.2 % of a window shortened (or told by headers)."""
    budget = RateBudget(2, 10.0, clock=fake_time, sleep=fake_time.sleep)
    budget.observe(limit=2, window=window)
    start = fake_time.now
    for _ in range(3):
        await budget.acquire()
    assert fake_time.now - start == pytest.approx(window + margin)


async def test_server_reported_usage_is_booked(fake_time: FakeTime) -> None:
    budget = RateBudget(10, 10.0, clock=fake_time, sleep=fake_time.sleep)
    await budget.acquire()
    budget.observe(remaining=2)  # someone else spent 7 slots
    assert budget.available() == 2


async def test_headers_update_the_limit_and_window(fake_time: FakeTime) -> None:
    budget = RateBudget(100, 10.0, clock=fake_time, sleep=fake_time.sleep)
    budget.observe(limit=3, window=2.0)
    for _ in range(3):
        await budget.acquire()
    await budget.acquire()
    assert fake_time.now >= 1000.0 + 2.0


async def test_long_waits_raise_rate_limited(fake_time: FakeTime) -> None:
    budget = RateBudget(1, 600.0, clock=fake_time, sleep=fake_time.sleep, max_wait=5.0)
    await budget.acquire()
    with pytest.raises(RateLimited) as info:
        await budget.acquire()
    assert info.value.retry_after is not None and info.value.retry_after > 5


async def test_daily_cap(fake_time: FakeTime) -> None:
    budget = RateBudget(100, 1.0, daily_limit=2, clock=fake_time, sleep=fake_time.sleep)
    await budget.acquire()
    budget.observe(daily_remaining=0)
    with pytest.raises(RateLimited):
        await budget.acquire()


async def test_a_huge_limit_reported_full_waits_out_the_window_without_booking_each_send(
    fake_time: FakeTime,
) -> None:
    """A server with a limit of millions saying none remain (a 429 storm): a window's wait, not
    a million bookings."""
    budget = RateBudget(10, 1.0, clock=fake_time, sleep=fake_time.sleep)
    budget.observe(limit=1_000_000, remaining=0)
    assert budget.used() == 0  # nothing booked one by one
    start = fake_time.now
    await budget.acquire()
    assert fake_time.now - start >= 1.0  # waited the window out


class _Window:
    """An in-memory shared window (as PostgreSQL or Redis keep it), counting round trips."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.books = 0

    async def book(
        self, key: str, tokens: Sequence[str], *, limit: int, span: float, now: float
    ) -> tuple[int, float]:
        self.books += 1
        self.at = {t: at for t, at in self.at.items() if at > now - span}
        room = min(len(tokens), limit - len(self.at))
        if room <= 0:
            return 0, max(0.001, sorted(self.at.values())[len(self.at) - limit] + span - now)
        self.at.update(dict.fromkeys(tokens[:room], now))
        return room, 0.0

    async def settle(self, key: str, times: Mapping[str, float]) -> None:
        for token, at in times.items():
            if token in self.at:
                self.at[token] = max(self.at[token], at)

    async def block(self, key: str, *, until: float) -> None:
        raise AssertionError("no refusal here")

    async def reconcile(self, key: str, *, used: int, span: float, now: float) -> None:
        return None


async def test_processes_lease_shared_bookings_a_few_at_a_time_and_never_overrun() -> None:
    """Two processes' budgets on one shared window: a store round trip books several sends,
    and together they never send more than the limit in any window."""
    fake, window = FakeTime(), _Window()
    limit, span = 100, 10.0

    def budget() -> RateBudget:
        return RateBudget(
            limit, span, margin=0.0, clock=fake, sleep=fake.sleep, shared_clock=fake, max_wait=1e9
        ).share(window, "ghl:loc")

    first, second = budget(), budget()
    sent: list[float] = []
    for i in range(300):
        slot = await (first if i % 3 else second).acquire()
        sent.append(fake.now)
        fake.now += 0.01  # the response
        (first if i % 3 else second).settle(slot)
        await asyncio.sleep(0)  # the settle goes out
        fake.now += 0.11  # 8 sends a second: under the limit of 10
    assert window.books < 300 / 2
    assert _max_in_window(sent, span) <= limit


async def test_leased_processes_at_full_speed_never_overrun() -> None:
    """The same processes sending as fast as the shared window lets them."""
    fake, window = FakeTime(), _Window()
    budgets = [
        RateBudget(10, 1.0, margin=0.0, clock=fake, sleep=fake.sleep, shared_clock=fake).share(
            window, "ghl:loc"
        )
        for _ in range(3)
    ]
    sent: list[float] = []
    for i in range(200):
        budget = budgets[i % 3]
        slot = await budget.acquire()
        sent.append(fake.now)
        fake.now += 0.001
        budget.settle(slot)
        await asyncio.sleep(0)
    assert _max_in_window(sent, 1.0) <= 10
