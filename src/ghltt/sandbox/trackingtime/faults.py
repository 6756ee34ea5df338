"""Fault injection, switchable at run time; every draw comes from one seedable ``random.Random``."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

Rate = Field(default=0.0, ge=0.0, le=1.0)


class FaultConfig(BaseModel):
    """All off by default. Rates are probabilities per request (or per webhook delivery)."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    seed: int | None = None
    path_contains: str | None = Field(default=None, description="Only requests whose path has it")
    latency_ms: int = Field(default=0, ge=0)
    latency_jitter_ms: int = Field(default=0, ge=0)
    http_5xx_rate: float = Rate
    http_5xx_status: int = Field(default=503, ge=500, le=599)
    http_429_rate: float = Rate
    storm_429_requests: int = Field(default=0, ge=0, description="The next N requests get 429")
    retry_after_s: int = Field(default=1, ge=0)
    inband_500_rate: float = Rate
    timeout_rate: float = Rate
    timeout_s: float = Field(default=30.0, ge=0)
    post_commit_5xx_rate: float = Rate
    webhook_drop_rate: float = Rate
    webhook_duplicate_rate: float = Rate
    webhook_duplicate_copies: int = Field(
        default=2, ge=2, le=10, description="How many times a duplicated webhook is sent in all"
    )
    webhook_reorder_rate: float = Rate
    webhook_reorder_delay_ms: int = Field(default=300, ge=0)


@dataclass(frozen=True)
class Fault:
    kind: str  # "http_429", "http_5xx", "inband_500", "timeout"
    status: int


class Faults:
    def __init__(self, config: FaultConfig | None = None, *, seed: int = 0) -> None:
        self.config = config or FaultConfig()
        self.rng = random.Random(self.config.seed if self.config.seed is not None else seed)

    def update(self, **changes: object) -> FaultConfig:
        merged = self.config.model_dump() | changes
        self.config = FaultConfig.model_validate(merged)
        if "seed" in changes and self.config.seed is not None:
            self.rng.seed(self.config.seed)
        return self.config

    def clear(self) -> None:
        self.config = FaultConfig()

    def applies(self, path: str) -> bool:
        return not self.config.path_contains or self.config.path_contains in path

    def _hit(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    def latency_s(self) -> float:
        c = self.config
        if not c.latency_ms and not c.latency_jitter_ms:
            return 0.0
        jitter = self.rng.uniform(0, c.latency_jitter_ms) if c.latency_jitter_ms else 0.0
        return (c.latency_ms + jitter) / 1000

    def before(self) -> Fault | None:
        """The fault for this request, decided before it touches state."""
        c = self.config
        if c.storm_429_requests > 0:
            self.config.storm_429_requests -= 1
            return Fault("http_429", 429)
        if self._hit(c.timeout_rate):
            return Fault("timeout", 504)
        if self._hit(c.http_429_rate):
            return Fault("http_429", 429)
        if self._hit(c.http_5xx_rate):
            return Fault("http_5xx", c.http_5xx_status)
        if self._hit(c.inband_500_rate):
            return Fault("inband_500", 500)
        return None

    def after_commit(self) -> Fault | None:
        """A failure answered after the write happened: the client must retry idempotently."""
        if self._hit(self.config.post_commit_5xx_rate):
            return Fault("post_commit_5xx", self.config.http_5xx_status)
        return None

    def webhook_drop(self) -> bool:
        return self._hit(self.config.webhook_drop_rate)

    def webhook_duplicate(self) -> bool:
        return self._hit(self.config.webhook_duplicate_rate)

    def webhook_delay_s(self) -> float:
        if self._hit(self.config.webhook_reorder_rate):
            return self.config.webhook_reorder_delay_ms / 1000
        return 0.0
