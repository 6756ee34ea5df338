"""Refused webhooks, logged: one line per bridge and reason a minute, with how many more.

A sender that keeps failing (a wrong key after a rotation, a workflow with a bad custom value)
must show up in the log, but a storm of refusals must not drown it: the first refusal of a
(bridge, reason) is written, the next ones within ``window`` seconds are counted, and the line
after the window says how many were left out. Lines name the bridge, the reason and the
endpoint, never the body or a secret. Every refusal is also counted in the metrics.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ghltt.observability import redact_text
from ghltt.web import metrics

log = logging.getLogger("ghltt.web.hooks")

UNKNOWN_BRIDGE = "(unknown)"
_MAX_KEYS = 10_000  # bridges come from URLs; a scan of made-up ones must not grow this forever


class RefusalLog:
    def __init__(self, *, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.window = window
        self.clock = clock
        self._last: dict[tuple[str, str], float] = {}
        self._suppressed: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def refused(self, *, bridge: str, reason: str, endpoint: str, detail: str) -> None:
        """Count a refusal and, unless one like it was logged within the window, log it."""
        metrics.EVENTS_REFUSED.labels(reason).inc()
        key = (bridge, reason)
        now = self.clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.window:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return
            if len(self._last) >= _MAX_KEYS:
                self._last.clear()
                self._suppressed.clear()
            self._last[key] = now
            left_out = self._suppressed.pop(key, 0)
        more = f" ({left_out} more like it since the last such line)" if left_out else ""
        log.warning(
            "webhook refused (%s) for bridge %s at %s: %s%s",
            reason,
            bridge,
            endpoint,
            redact_text(detail)[:300],
            more,
        )
