"""When an import will be done, from the rate budgets it may use: each budget's share of its
window, and of the day's cap (GHL: 200,000 requests per location per day). The daily cap
binds when the calls left exceed what the share of today leaves: the import then waits for
the day to reset (``Importer`` pauses itself, visibly), and the estimate says so."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

DAY = 86_400.0


@dataclass(frozen=True)
class BudgetView:
    """One rate budget as the import sees it: its name (``ghl``, ``tt``), the import's calls
    on it per record so far, its window and its day."""

    name: str
    calls_per_record: float
    limit: int
    window: float
    daily_limit: int | None
    daily_used: int
    seconds_to_reset: float

    def per_day(self, share: float) -> int | None:
        """The import's calls a whole day allows (None: no daily cap)."""
        return None if self.daily_limit is None else int(self.daily_limit * share)

    def left_today(self, share: float) -> float:
        per_day = self.per_day(share)
        return math.inf if per_day is None else max(0, per_day - self.daily_used)

    def seconds_for(self, records: int, share: float) -> tuple[float, bool]:
        """Seconds the budget needs for ``records`` more records; whether the day's cap binds."""
        calls = records * self.calls_per_record
        rate = max(1, int(self.limit * share)) / self.window  # calls per second
        today = self.left_today(share)
        if calls <= today:
            return calls / rate, False
        per_day = self.per_day(share) or 1
        rest = calls - today
        more_days = max(0, math.ceil(rest / per_day) - 1)  # whole days after the next reset
        last = rest - more_days * per_day
        return self.seconds_to_reset + more_days * DAY + last / rate, True


def estimate(
    records_left: int,
    budgets: list[BudgetView],
    share: float,
    now: datetime,
    *,
    observed_per_second: float | None = None,
) -> dict[str, Any]:
    """The estimate an import's progress carries: seconds left, when, and what binds (the
    daily cap, the budget's window share, or the import's own pace when it is slower)."""
    seconds, binds = 0.0, "nothing left" if not records_left else "no rate budget"
    for budget in budgets if records_left else ():
        needed, daily = budget.seconds_for(records_left, share)
        if needed >= seconds:
            seconds = needed
            binds = f"{budget.name} daily limit" if daily else f"{budget.name} rate budget"
    if observed_per_second and records_left:
        # The pace so far includes the budget's waits: well below the budget's rate, the
        # import itself (its CPU, the remotes' answers) is what binds.
        paced = records_left / observed_per_second
        if paced > seconds * 1.1:
            seconds, binds = paced, "the import's pace"
        else:
            seconds = max(seconds, paced)
    return {
        "records_left": records_left,
        "seconds": round(seconds),
        "at": (now + timedelta(seconds=seconds)).isoformat(),
        "binds": binds,
        "budgets": {
            b.name: {
                "calls_per_record": round(b.calls_per_record, 2),
                "window": f"{int(b.limit * share)} of {b.limit} per {b.window:g} s",
                "daily_limit": b.daily_limit,
                "daily_used": b.daily_used,
                "daily_left_for_import": None
                if b.daily_limit is None
                else int(b.left_today(share)),
                "day_resets_in_s": round(b.seconds_to_reset),
            }
            for b in budgets
        },
    }


def describe(eta: dict[str, Any] | None, waiting: dict[str, Any] | None = None) -> str:
    """One line for people: the CLI's progress bar and ``import show``."""
    if waiting:
        return f"waiting for the {waiting.get('for')} to reset at {waiting.get('until')}"
    if not eta:
        return ""
    if eta.get("binds") == "nothing left":
        return "nothing left"
    return f"ETA {_span(float(eta.get('seconds') or 0))} ({eta.get('binds')} binds)"


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * DAY:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / DAY:.1f} days"
