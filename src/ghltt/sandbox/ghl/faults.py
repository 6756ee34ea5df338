"""Run-time fault injection: latency, 5xx, 429 storms, hangs and webhook misdelivery."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

from ghltt.core.clock import Clock

_RATES = (
    "error_rate",
    "timeout_rate",
    "webhook_drop_rate",
    "webhook_duplicate_rate",
    "webhook_reorder_rate",
)


@dataclass
class FaultSettings:
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 500
    storm_seconds: float = 0.0
    storm_requests: int = 0
    timeout_rate: float = 0.0
    timeout_s: float = 30.0
    webhook_drop_rate: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_duplicate_copies: int = 2  # how many times a duplicated webhook is sent in all
    webhook_reorder_rate: float = 0.0


@dataclass
class RequestFault:
    latency_s: float = 0.0
    hang_s: float = 0.0
    error_status: int | None = None
    storm: bool = False


class FaultInjector:
    """Decisions come from one seeded random.Random, so a seed replays the same faults."""

    def __init__(self, seed: int, clock: Clock) -> None:
        self._seed = seed
        self._clock = clock
        self._lock = threading.Lock()
        self._rng = random.Random(f"ghl-faults-{seed}")
        self.settings = FaultSettings()
        self._storm_until: float | None = None
        self._storm_left = 0

    def reset(self, seed: int | None = None) -> None:
        with self._lock:
            if seed is not None:
                self._seed = seed
            self._rng = random.Random(f"ghl-faults-{self._seed}")
            self.settings = FaultSettings()
            self._storm_until, self._storm_left = None, 0

    def update(self, **changes: Any) -> FaultSettings:
        """Change some settings; unknown names or rates outside 0..1 raise ValueError."""
        known = {f.name for f in fields(FaultSettings)}
        unknown = set(changes) - known - {"seed"}
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        for name in _RATES:
            if name in changes and not 0.0 <= float(changes[name]) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if not 2 <= int(changes.get("webhook_duplicate_copies", 2)) <= 10:
            raise ValueError("webhook_duplicate_copies must be between 2 and 10")
        with self._lock:
            if "seed" in changes:
                self._seed = int(changes.pop("seed"))
                self._rng = random.Random(f"ghl-faults-{self._seed}")
            current = asdict(self.settings)
            current.update(changes)
            self.settings = FaultSettings(**current)
            if "storm_seconds" in changes:
                seconds = float(changes["storm_seconds"])
                self._storm_until = self._clock.now().timestamp() + seconds if seconds else None
            if "storm_requests" in changes:
                self._storm_left = int(changes["storm_requests"])
            return self.settings

    def describe(self) -> dict[str, Any]:
        with self._lock:
            data = asdict(self.settings)
            now = self._clock.now().timestamp()
            data["storm_active_for_s"] = (
                max(self._storm_until - now, 0.0) if self._storm_until else 0.0
            )
            data["storm_requests_left"] = self._storm_left
            data["seed"] = self._seed
            return data

    def for_request(self) -> RequestFault:
        with self._lock:
            s = self.settings
            fault = RequestFault(latency_s=s.latency_ms / 1000)
            if s.timeout_rate and self._rng.random() < s.timeout_rate:
                fault.hang_s = s.timeout_s
            if s.error_rate and self._rng.random() < s.error_rate:
                fault.error_status = s.error_status
            return fault

    def take_storm(self) -> bool:
        """True when this request falls in an injected 429 storm (and uses one storm request)."""
        with self._lock:
            if self._storm_until is not None:
                if self._clock.now().timestamp() < self._storm_until:
                    return True
                self._storm_until = None
            if self._storm_left > 0:
                self._storm_left -= 1
                return True
            return False

    def webhook_copies(self) -> tuple[int, bool]:
        """How many times to send one webhook (0 = dropped) and whether to hold it back."""
        with self._lock:
            s = self.settings
            if s.webhook_drop_rate and self._rng.random() < s.webhook_drop_rate:
                return 0, False
            copies = (
                s.webhook_duplicate_copies
                if s.webhook_duplicate_rate and self._rng.random() < s.webhook_duplicate_rate
                else 1
            )
            hold = bool(s.webhook_reorder_rate) and self._rng.random() < s.webhook_reorder_rate
            return copies, hold

    def jitter(self, spread: float) -> float:
        with self._lock:
            return self._rng.uniform(0, spread) if spread > 0 else 0.0
