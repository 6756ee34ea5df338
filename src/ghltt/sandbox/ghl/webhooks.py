"""Signed webhook delivery: a background asyncio task posts each event to the registered URLs.

Like GHL, a delivery is retried only when the receiver answers 429 (reference §9.3); any other
answer, or a network error, is final. Faults can drop, duplicate or reorder deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx2

from ghltt.sandbox.ghl.faults import FaultInjector
from ghltt.sandbox.ghl.keys import WebhookKeys

# A reordered delivery is held back until the next one is sent, or this long at most.
_HOLD_S = 0.5


@dataclass(frozen=True)
class WebhookTarget:
    id: str
    url: str
    events: frozenset[str] | None = None
    location_id: str | None = None
    signed: bool = True  # a workflow's Webhook action is not signed

    def wants(self, payload: dict[str, Any]) -> bool:
        if self.events is not None and payload.get("type") not in self.events:
            return False
        return self.location_id is None or payload.get("locationId") in (None, self.location_id)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": sorted(self.events) if self.events is not None else None,
            "locationId": self.location_id,
        }


@dataclass
class _Send:
    payload: dict[str, Any]
    body: bytes
    target: WebhookTarget
    attempt: int = 1
    hold: bool = False
    copy: int = 1


@dataclass
class WebhookOptions:
    max_retries: int = 6
    retry_delay_s: float = 600.0
    retry_jitter_s: float = 60.0
    timeout_s: float = 10.0
    sign_legacy_rsa: bool = True
    transport: Any = None
    user_agent: str = "GoHighLevel-Webhooks-Simulator/1.0"
    extra_headers: dict[str, str] = field(default_factory=dict)


def encode(payload: dict[str, Any]) -> bytes:
    """GHL signs compact JSON; so do we, and we send exactly the bytes we signed."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookDispatcher:
    def __init__(self, keys: WebhookKeys, faults: FaultInjector, options: WebhookOptions) -> None:
        self.keys = keys
        self.faults = faults
        self.options = options
        self.targets: dict[str, WebhookTarget] = {}
        self.emitted: list[dict[str, Any]] = []
        self.deliveries: list[dict[str, Any]] = []
        self._pending: deque[_Send] = deque()
        self._held: _Send | None = None
        self._busy = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None
        self._flush_held = False
        self._target_seq = 0

    # ---- targets -------------------------------------------------------------------------
    def add_target(
        self, url: str, *, events: list[str] | None = None, location_id: str | None = None
    ) -> WebhookTarget:
        with self._lock:
            self._target_seq += 1
            target = WebhookTarget(
                f"wh_{self._target_seq}",
                url,
                frozenset(events) if events is not None else None,
                location_id,
            )
            self.targets[target.id] = target
            return target

    def remove_target(self, target_id_or_url: str) -> int:
        with self._lock:
            doomed = [t.id for t in self.targets.values() if target_id_or_url in (t.id, t.url)]
            for target_id in doomed:
                del self.targets[target_id]
            return len(doomed)

    # ---- emission ------------------------------------------------------------------------
    def sign(self, body: bytes) -> dict[str, str]:
        headers = {"x-ghl-signature": self.keys.sign_ed25519(body)}
        if self.options.sign_legacy_rsa:
            headers["x-wh-signature"] = self.keys.sign_rsa(body)
        return headers

    def emit(self, payload: dict[str, Any]) -> None:
        body = encode(payload)
        with self._lock:
            self.emitted.append(payload)
            targets = [t for t in self.targets.values() if t.wants(payload)]
        for target in targets:
            copies, hold = self.faults.webhook_copies()
            if copies == 0:
                self._log(_Send(payload, body, target), "dropped", None, None)
                continue
            with self._lock:
                for copy in range(1, copies + 1):
                    self._pending.append(
                        _Send(payload, body, target, hold=hold and copy == 1, copy=copy)
                    )
                    self._busy += 1
        self._kick()

    def send(self, payload: dict[str, Any], target: WebhookTarget) -> None:
        """Queue one delivery of ``payload`` to ``target`` alone (a workflow's Webhook)."""
        body = encode(payload)
        with self._lock:
            self._pending.append(_Send(payload, body, target))
            self._busy += 1
        self._kick()

    def clear(self) -> None:
        with self._lock:
            self.emitted.clear()
            self.deliveries.clear()
            self._pending.clear()
            self._held = None
            self._busy = 0

    def _log(self, send: _Send, outcome: str, status: int | None, error: str | None) -> None:
        entry = {
            "webhookId": send.payload.get("webhookId"),
            "type": send.payload.get("type"),
            "targetId": send.target.id,
            "url": send.target.url,
            "attempt": send.attempt,
            "copy": send.copy,
            "outcome": outcome,
            "status": status,
            "error": error,
            "at": time.time(),
        }
        with self._lock:
            self.deliveries.append(entry)

    # ---- the background task -------------------------------------------------------------
    def ensure_running(self) -> None:
        """Start the delivery task on the running loop (once per loop)."""
        loop = asyncio.get_running_loop()
        if self._task is not None and self._loop is loop and not self._task.done():
            return
        with self._lock:
            # Sends in flight on a previous loop are gone; count only what is still queued.
            self._busy = len(self._pending) + (1 if self._held else 0)
        self._loop = loop
        self._wakeup = asyncio.Event()
        self._task = loop.create_task(self._run(), name="ghl-sim-webhooks")

    def _kick(self) -> None:
        loop, wakeup = self._loop, self._wakeup
        if loop is None or wakeup is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(wakeup.set)

    async def _run(self) -> None:
        assert self._wakeup is not None
        wakeup = self._wakeup
        async with httpx2.AsyncClient(
            transport=self.options.transport, timeout=self.options.timeout_s
        ) as client:
            while True:
                send = self._next()
                if send is None:
                    wakeup.clear()
                    if self._pending:
                        continue
                    try:
                        await asyncio.wait_for(wakeup.wait(), _HOLD_S if self._held else None)
                    except TimeoutError:
                        self._release_held()
                    continue
                await self._deliver(client, send)
                held = self._take_held_after(send)
                if held is not None:
                    await self._deliver(client, held)

    def _next(self) -> _Send | None:
        with self._lock:
            if self._flush_held and self._held is not None and not self._pending:
                self._pending.append(self._held)
                self._held = None
            self._flush_held = False
            if not self._pending:
                return None
            send = self._pending.popleft()
            if send.hold and self._held is None:
                send.hold = False
                self._held = send
                return self._next_unlocked()
            return send

    def _next_unlocked(self) -> _Send | None:
        return self._pending.popleft() if self._pending else None

    def _take_held_after(self, sent: _Send) -> _Send | None:
        with self._lock:
            held, self._held = self._held, None
            return held

    def _release_held(self) -> None:
        with self._lock:
            if self._held is not None:
                self._pending.append(self._held)
                self._held = None

    async def _deliver(self, client: httpx2.AsyncClient, send: _Send) -> None:
        headers = {
            "content-type": "application/json",
            "user-agent": self.options.user_agent,
            **self.options.extra_headers,
            **(self.sign(send.body) if send.target.signed else {}),
        }
        status: int | None = None
        try:
            response = await client.post(send.target.url, content=send.body, headers=headers)
            status = response.status_code
        except Exception as exc:  # any transport failure is final, as for a 5xx
            self._log(send, "failed", None, f"{type(exc).__name__}: {exc}")
            self._done()
            return
        if status == 429 and send.attempt <= self.options.max_retries:
            self._log(send, "retry", status, None)
            delay = self.options.retry_delay_s + self.faults.jitter(self.options.retry_jitter_s)
            retry = _Send(send.payload, send.body, send.target, send.attempt + 1, copy=send.copy)
            asyncio.get_running_loop().create_task(self._retry_later(retry, delay))
            return
        self._log(send, "delivered" if 200 <= status < 300 else "failed", status, None)
        self._done()

    async def _retry_later(self, send: _Send, delay: float) -> None:
        await asyncio.sleep(delay)
        with self._lock:
            self._pending.append(send)
        if self._wakeup is not None:
            self._wakeup.set()

    def _done(self) -> None:
        with self._lock:
            self._busy = max(self._busy - 1, 0)

    # ---- waiting -------------------------------------------------------------------------
    @property
    def busy(self) -> int:
        with self._lock:
            return self._busy

    async def drain(self, wait_s: float = 10.0) -> bool:
        """Wait until every queued delivery (and retry) is finished; False on timeout."""
        self.ensure_running()
        deadline = time.monotonic() + wait_s
        while self.busy:
            with self._lock:
                self._flush_held = True
            self._kick()
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    def wait_idle(self, wait_s: float = 10.0) -> bool:
        """The same from another thread (e.g. a test talking to a served simulator)."""
        deadline = time.monotonic() + wait_s
        while self.busy:
            with self._lock:
                self._flush_held = True
            self._kick()
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await task
