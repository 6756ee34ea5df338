"""Outgoing webhook deliveries: asynchronous, in order per webhook, bounded retries.

Payload ([INFERRED], §7.11): ``{"event", "account_id", "webhook_id", "created_at", "data"}`` POSTed
as JSON with the webhook's token in ``X-TrackingTime-Token`` and
``X-TrackingTime-Signature: hex(HMAC-SHA256(token, body))``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import itertools
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx2

from ghltt.sandbox.trackingtime.config import SimulatorConfig
from ghltt.sandbox.trackingtime.faults import Faults
from ghltt.sandbox.trackingtime.router import Emission
from ghltt.sandbox.trackingtime.state import State, Webhook
from ghltt.sandbox.trackingtime.timefmt import fmt_local

USER_AGENT = "TrackingTime-Webhooks/4.0 (ghltt simulator)"


@functools.cache
def _tls() -> ssl.SSLContext:
    # A client per delivery is simple; loading the CA bundle each time (tens of ms) is not.
    return ssl.create_default_context()


def sign(token: str, body: bytes) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    id: int
    webhook_id: int
    event: str
    url: str
    body: bytes
    headers: dict[str, str]
    status: str = "pending"  # pending, delivered, failed, dropped
    attempts: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False
    delay_s: float = 0.0

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "webhook_id": self.webhook_id,
            "event": self.event,
            "url": self.url,
            "status": self.status,
            "attempts": list(self.attempts),
            "duplicate": self.duplicate,
            "delay_s": self.delay_s,
            "headers": dict(self.headers),
            "payload": json.loads(self.body),
        }


class Dispatcher:
    def __init__(
        self,
        config: Callable[[], SimulatorConfig],
        faults: Callable[[], Faults],
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = config
        self._faults = faults
        self.transport = transport
        self.deliveries: list[Delivery] = []
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._tails: dict[int, asyncio.Task[None]] = {}
        self._unsent: list[Delivery] = []
        self._lock = threading.Lock()

    # -- building ------------------------------------------------------------------------------
    def build(self, state: State, emissions: list[Emission], now: datetime) -> list[Delivery]:
        """One delivery per (webhook, emission); grouped webhooks get one with a list."""
        config = self._config()
        out: list[Delivery] = []
        for hook in state.webhooks.values():
            if hook.status != "ENABLED":
                continue
            mine = [
                e for e in emissions if e.account_id == hook.account_id and e.event in hook.events
            ]
            if not mine:
                continue
            account = state.accounts.get(hook.account_id)
            zone = ZoneInfo(account.timezone) if account else ZoneInfo("UTC")
            stamp = fmt_local(now, zone)
            if hook.grouped:
                batches: list[tuple[str, Any]] = [(mine[0].event, [e.data for e in mine])]
            else:
                batches = [(e.event, e.data) for e in mine]
            for event, data in batches:
                out.append(self._make(hook, event, data, stamp, config))
        return out

    def _make(
        self, hook: Webhook, event: str, data: Any, stamp: str | None, config: SimulatorConfig
    ) -> Delivery:
        delivery_id = next(self._ids)
        payload: dict[str, Any] = {
            "event": event,
            "account_id": hook.account_id,
            "webhook_id": hook.id,
            "delivery_id": delivery_id,
            "created_at": stamp,
            "data": data,
        }
        if config.webhook_token_in_payload:
            payload["token"] = hook.token
        body = json.dumps(payload, separators=(",", ":"), default=str).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-TrackingTime-Event": event,
            "X-TrackingTime-Delivery": str(delivery_id),
        }
        if config.webhook_token_header:
            headers[config.webhook_token_header] = hook.token
        if config.webhook_signature_header:
            headers[config.webhook_signature_header] = sign(hook.token, body)
        return Delivery(delivery_id, hook.id, event, hook.url, body, headers)

    # -- sending --------------------------------------------------------------------------------
    def submit(self, deliveries: list[Delivery]) -> None:
        """Schedule on the running loop; with no loop, keep them for ``drain``."""
        faults = self._faults()
        expanded: list[Delivery] = []
        for d in deliveries:
            if faults.webhook_drop():
                d.status = "dropped"
                self._record(d)
                continue
            expanded.append(d)
            if faults.webhook_duplicate():
                for _ in range(faults.config.webhook_duplicate_copies - 1):
                    twin = Delivery(
                        d.id, d.webhook_id, d.event, d.url, d.body, dict(d.headers), duplicate=True
                    )
                    expanded.append(twin)
        for d in expanded:
            d.delay_s = faults.webhook_delay_s()
            self._record(d)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._unsent.extend(expanded)
            return
        for d in expanded:
            self._spawn(loop, d)

    def _record(self, d: Delivery) -> None:
        with self._lock:
            self.deliveries.append(d)

    def _spawn(self, loop: asyncio.AbstractEventLoop, d: Delivery) -> None:
        previous = None
        if d.delay_s == 0:
            tail = self._tails.get(d.webhook_id)
            if tail is not None and not tail.done() and tail.get_loop() is loop:
                previous = tail
        task = loop.create_task(self._run(d, previous))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if d.delay_s == 0:
            self._tails[d.webhook_id] = task

    async def _run(self, d: Delivery, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            # Keep per-webhook order unless the reorder fault delays this one.
            await asyncio.wait([previous])
        if d.delay_s:
            await asyncio.sleep(d.delay_s)
        config = self._config()
        for attempt in range(1, config.webhook_max_attempts + 1):
            started = time.monotonic()
            record: dict[str, Any] = {"attempt": attempt}
            try:
                async with httpx2.AsyncClient(
                    transport=self.transport, timeout=config.webhook_timeout_s, verify=_tls()
                ) as client:
                    response = await client.post(d.url, content=d.body, headers=d.headers)
                record["status_code"] = response.status_code
                ok = 200 <= response.status_code < 300
            except (httpx2.HTTPError, OSError) as exc:
                record["error"] = type(exc).__name__
                ok = False
            record["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
            d.attempts.append(record)
            if ok:
                d.status = "delivered"
                return
            if attempt < config.webhook_max_attempts:
                await asyncio.sleep(config.webhook_retry_backoff_ms / 1000 * 2 ** (attempt - 1))
        d.status = "failed"

    async def drain(self, within_s: float = 10.0) -> None:
        """Send what waits for a loop, then wait for the deliveries running on this loop."""
        loop = asyncio.get_running_loop()
        unsent, self._unsent = self._unsent, []
        for d in unsent:
            self._spawn(loop, d)
        mine = [t for t in self._tasks if t.get_loop() is loop]
        if mine:
            await asyncio.wait(mine, timeout=within_s)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """From another thread: poll until no delivery is pending."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pending == 0:
                return True
            time.sleep(0.01)
        return self.pending == 0

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(1 for d in self.deliveries if d.status == "pending")

    def clear(self) -> None:
        with self._lock:
            self.deliveries.clear()
