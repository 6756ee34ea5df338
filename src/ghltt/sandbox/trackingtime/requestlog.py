"""What clients asked, so tests can count calls. Credentials are never recorded."""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class LoggedRequest:
    seq: int
    at: str
    method: str
    path: str
    query: str
    account_id: int | None = None
    endpoint: str | None = None
    auth: str | None = None
    user_id: int | None = None
    user_agent: str | None = None
    content_type: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    http_status: int | None = None
    status: int | None = None
    message: str | None = None
    fault: str | None = None


class RequestLog:
    def __init__(self) -> None:
        self._items: list[LoggedRequest] = []
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def start(self, *, at: str, method: str, path: str, query: str) -> LoggedRequest:
        entry = LoggedRequest(next(self._seq), at, method, path, query)
        with self._lock:
            self._items.append(entry)
        return entry

    def entries(
        self, *, path_contains: str | None = None, method: str | None = None
    ) -> list[LoggedRequest]:
        with self._lock:
            items = list(self._items)
        if path_contains:
            items = [e for e in items if path_contains in e.path]
        if method:
            items = [e for e in items if e.method == method.upper()]
        return items

    def as_dicts(self, **filters: Any) -> list[dict[str, Any]]:
        return [asdict(e) for e in self.entries(**filters)]

    def count(self, **filters: Any) -> int:
        return len(self.entries(**filters))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
