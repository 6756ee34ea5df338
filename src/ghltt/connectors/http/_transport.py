"""The transport seam: every connector's httpx2 client is built here."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Mapping

import httpcore2
import httpx2

from ghltt.connectors.http._network import NetworkBackend
from ghltt.connectors.http._version import USER_AGENT

__all__ = ["DEFAULT_TIMEOUT", "build_client"]

DEFAULT_TIMEOUT = httpx2.Timeout(30.0, connect=10.0)


@functools.cache
def _tls() -> ssl.SSLContext:
    # Loading the CA bundle costs tens of milliseconds of CPU, and clients are built per run:
    # one shared context (safe to share across connections and threads) pays it once.
    return ssl.create_default_context()


class _PooledTransport(httpx2.AsyncHTTPTransport):
    """httpx's network transport, its pool on ``NetworkBackend`` (cheap idle checks)."""

    def __init__(self, max_connections: int) -> None:
        limits = httpx2.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        super().__init__(verify=_tls(), limits=limits, retries=0)
        # httpx has no argument for the pool's backend: the same pool it built, with ours.
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=_tls(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            retries=0,
            network_backend=NetworkBackend(),
        )


def build_client(
    base_url: str,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: httpx2.Timeout | float | None = None,
    user_agent: str = USER_AGENT,
    max_connections: int = 100,
) -> httpx2.AsyncClient:
    """An ``AsyncClient`` for ``base_url``.

    ``transport`` is the seam: leave it None in production (a pooled network transport), pass
    ``httpx2.ASGITransport(app=simulator.app)`` for a simulator, or ``httpx2.MockTransport`` in
    unit tests. Redirects are not followed: an API answering with one is a misconfiguration.
    """
    if transport is None:
        transport = _PooledTransport(max_connections)
    return httpx2.AsyncClient(
        base_url=base_url,
        transport=transport,
        headers={"User-Agent": user_agent, "Accept": "application/json", **(headers or {})},
        timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        follow_redirects=False,
    )
