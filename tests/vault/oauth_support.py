"""Helpers of the OAuth tests: play the browser against the simulator's authorize page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import anyio
import httpx2

from ghltt.sandbox.ghl import GhlSimulator


async def authorize(sim: GhlSimulator, url: str, **extra: str) -> dict[str, str]:
    """Open the authorize URL as the user's browser would; returns the callback's query."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | extra
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=sim.app), base_url=f"{parts.scheme}://{parts.netloc}"
    ) as browser:
        answer = await browser.get(parts.path, params=query)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    return {k: v[0] for k, v in parse_qs(back.query).items()}


class TimeoutTransport(httpx2.AsyncBaseTransport):
    """An ASGI transport that gives up like a real client would after ``seconds``."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        with anyio.move_on_after(self.seconds):
            return await self.inner.handle_async_request(request)
        raise httpx2.ReadTimeout("timed out", request=request)
