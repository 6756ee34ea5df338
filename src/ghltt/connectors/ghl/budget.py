"""GHL's per-location rate budget: 100 requests / 10 s and 200,000 / day (reference §8), kept
current from the ``X-RateLimit-*`` headers GHL puts on every response."""

from __future__ import annotations

from collections.abc import Callable

import httpx2

from ghltt.connectors.http import BudgetRegistry, RateBudget, SharedWindow

__all__ = [
    "BURST_LIMIT",
    "BURST_WINDOW_SECONDS",
    "DAILY_LIMIT",
    "budget_observer",
    "default_budget",
    "default_registry",
]

BURST_LIMIT = 100
BURST_WINDOW_SECONDS = 10.0
DAILY_LIMIT = 200_000


def default_budget() -> RateBudget:
    return RateBudget(BURST_LIMIT, BURST_WINDOW_SECONDS, daily_limit=DAILY_LIMIT)


def default_registry(shared: SharedWindow | None = None) -> BudgetRegistry:
    """One budget per location id; share a registry between clients of the same process, and
    ``shared`` between the processes of a deployment."""
    return BudgetRegistry(default_budget, shared=shared, prefix="ghl:")


def _int(headers: httpx2.Headers, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def budget_observer(budget: RateBudget) -> Callable[[httpx2.Response], None]:
    """A ``Requestor`` observer feeding GHL's rate headers into ``budget``."""

    def observe(response: httpx2.Response) -> None:
        headers = response.headers
        interval_ms = _int(headers, "X-RateLimit-Interval-Milliseconds")
        budget.observe(
            limit=_int(headers, "X-RateLimit-Max"),
            remaining=_int(headers, "X-RateLimit-Remaining"),
            window=interval_ms / 1000 if interval_ms else None,
            daily_limit=_int(headers, "X-RateLimit-Limit-Daily"),
            daily_remaining=_int(headers, "X-RateLimit-Daily-Remaining"),
        )

    return observe
