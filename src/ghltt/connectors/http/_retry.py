"""When and how long to wait before trying a failed request again."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from ghltt.connectors.http._errors import (
    ConnectorError,
    RateLimited,
    ServerError,
    TransportError,
)

__all__ = [
    "IDEMPOTENT_METHODS",
    "RetryPolicy",
    "call_with_retry",
    "is_idempotent",
    "parse_retry_after",
]

log = logging.getLogger("ghltt.connectors.http")

T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def is_idempotent(method: str, declared: bool | None = None) -> bool:
    """``declared`` wins (an upsert POST is idempotent); otherwise the HTTP method decides."""
    return declared if declared is not None else method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """Jittered exponential backoff, bounded by attempts and by total time.

    Retried: 429 (the server did not act on it), 5xx and transport failures. A 5xx or a failure
    after the request was sent is retried only for idempotent requests, since the first attempt
    may have been applied. A ``ServerError`` that came with a success status line was declared
    in the body (TrackingTime's envelope), so the status line cannot rule it out.
    """

    max_attempts: int = 5
    max_elapsed: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    retry_statuses: frozenset[int] = field(default=frozenset({429, 500, 502, 503, 504}))

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Full-jitter delay before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling * rand()

    def retryable(self, error: ConnectorError, *, idempotent: bool) -> bool:
        if isinstance(error, RateLimited):
            return True
        if isinstance(error, TransportError):
            return idempotent or not error.sent
        if isinstance(error, ServerError):
            status = error.status
            return idempotent and (status is None or status < 400 or status in self.retry_statuses)
        return False

    def delay(
        self, error: ConnectorError, attempt: int, rand: Callable[[], float] = random.random
    ) -> float:
        """Retry-After when the server gave one (never less), else jittered backoff."""
        jittered = self.backoff(attempt, rand)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after + jittered * 0.1
        return jittered


async def call_with_retry(
    attempt: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    idempotent: bool,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,
    describe: str = "request",
) -> T:
    """Run ``attempt`` until it succeeds or the policy gives up; re-raises the last error.

    ``attempt`` raises ``ConnectorError`` subclasses; anything else propagates at once.
    """
    started = clock()
    number = 0
    while True:
        number += 1
        try:
            return await attempt()
        except ConnectorError as error:
            if number >= policy.max_attempts or not policy.retryable(error, idempotent=idempotent):
                raise
            wait = policy.delay(error, number, rand)
            if clock() - started + wait > policy.max_elapsed:
                raise
            log.info(
                "retrying %s after %s (attempt %d, waiting %.2fs)",
                describe,
                type(error).__name__,
                number,
                wait,
            )
            await sleep(wait)
