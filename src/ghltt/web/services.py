"""What the web app holds while it runs: settings, store, intake and maybe the executor."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ghltt.jobs import JobAdmin, JobRuntime
from ghltt.settings import Settings
from ghltt.store import TokenRepository
from ghltt.store.database import Database
from ghltt.store.tokens import matches
from ghltt.web.intake_writer import IntakeWriter


@dataclass
class Services:
    settings: Settings
    db: Database
    intake: IntakeWriter
    admin: JobAdmin
    runtime: JobRuntime | None = None
    # Whether readiness needs a live executor (this process's, or one elsewhere).
    expects_executor: bool = False
    tokens: TokenCache = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = TokenCache(TokenRepository(self.db))


class TokenCache:
    """Active API token hashes, re-read every few seconds so a rotation reaches every node.

    An unknown token triggers an early re-read (a token made moments ago elsewhere), but at
    most once a second, so a flood of bad tokens cannot turn into a flood of queries.
    """

    def __init__(self, repository: TokenRepository, ttl: float = 5.0) -> None:
        self._repository = repository
        self._ttl = ttl
        self._hashes: set[str] = set()
        self._loaded_at = float("-inf")

    def _load(self) -> None:
        self._hashes = self._repository.active_hashes()
        self._loaded_at = time.monotonic()

    def accepts(self, token: str) -> bool:
        age = time.monotonic() - self._loaded_at
        if age > self._ttl:
            self._load()
        if matches(token, self._hashes):
            return True
        if age > 1.0:
            self._load()
            return matches(token, self._hashes)
        return False
