"""What the web app holds while it runs: settings, store, intake and maybe the executor."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from ghltt.jobs import IntakeWriter, JobAdmin, JobRuntime
from ghltt.settings import Settings
from ghltt.store import TokenRepository


@dataclass
class Services:
    settings: Settings
    engine: sa.Engine
    intake: IntakeWriter
    admin: JobAdmin
    runtime: JobRuntime | None = None
    executor_alive: Callable[[], bool] | None = None
    tokens: TokenCache = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = TokenCache(TokenRepository(self.engine))


class TokenCache:
    """Active API token hashes, re-read at most every few seconds so rotation reaches all nodes."""

    def __init__(self, repository: TokenRepository, ttl: float = 5.0) -> None:
        self._repository = repository
        self._ttl = ttl
        self._hashes: set[str] = set()
        self._loaded_at = float("-inf")

    def hashes(self, *, refresh: bool = False) -> set[str]:
        if refresh or time.monotonic() - self._loaded_at > self._ttl:
            self._hashes = self._repository.active_hashes()
            self._loaded_at = time.monotonic()
        return self._hashes
