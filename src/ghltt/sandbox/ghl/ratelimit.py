"""Per app, per location request budgets with the documented headers (reference §8)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ghltt.core.clock import Clock


@dataclass
class _Bucket:
    window_start: float
    count: int
    day: str
    day_count: int


class RateLimiter:
    """A fixed burst window opened by the first request, plus a UTC-day counter."""

    def __init__(self, clock: Clock, *, burst: int, window_ms: int, daily: int) -> None:
        self._clock = clock
        self.burst = burst
        self.window_ms = window_ms
        self.daily = daily
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def configure(
        self, *, burst: int | None = None, window_ms: int | None = None, daily: int | None = None
    ) -> None:
        with self._lock:
            if burst is not None:
                self.burst = burst
            if window_ms is not None:
                self.window_ms = window_ms
            if daily is not None:
                self.daily = daily
            self._buckets.clear()

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def settings(self) -> dict[str, int]:
        return {"burst": self.burst, "windowMs": self.window_ms, "daily": self.daily}

    def _bucket(self, key: tuple[str, str]) -> _Bucket:
        now = self._clock.now()
        stamp = now.timestamp()
        day = now.date().isoformat()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(stamp, 0, day, 0)
        if stamp - bucket.window_start >= self.window_ms / 1000 or stamp < bucket.window_start:
            bucket.window_start, bucket.count = stamp, 0
        if bucket.day != day:
            bucket.day, bucket.day_count = day, 0
        return bucket

    def hit(self, key: tuple[str, str]) -> tuple[bool, dict[str, str]]:
        """Count one request; (allowed, headers). A refused request uses up nothing."""
        with self._lock:
            bucket = self._bucket(key)
            allowed = bucket.count < self.burst and bucket.day_count < self.daily
            if allowed:
                bucket.count += 1
                bucket.day_count += 1
            return allowed, self._headers(bucket)

    def exhausted_headers(self, key: tuple[str, str]) -> dict[str, str]:
        """Headers for an injected 429 storm: the window looks spent."""
        with self._lock:
            bucket = self._bucket(key)
            headers = self._headers(bucket)
            headers["X-RateLimit-Remaining"] = "0"
            return headers

    def _headers(self, bucket: _Bucket) -> dict[str, str]:
        return {
            "X-RateLimit-Limit-Daily": str(self.daily),
            "X-RateLimit-Daily-Remaining": str(max(self.daily - bucket.day_count, 0)),
            "X-RateLimit-Interval-Milliseconds": str(self.window_ms),
            "X-RateLimit-Max": str(self.burst),
            "X-RateLimit-Remaining": str(max(self.burst - bucket.count, 0)),
        }
