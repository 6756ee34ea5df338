"""httpcore's network backend, with an idle connection's liveness check made cheap.

Before each request is assigned, httpcore's pool asks every idle keep-alive connection whether
the server closed it (``get_extra_info("is_readable")``). Its anyio stream answers by building
the socket's whole attribute map, a ``getpeername`` system call included, just to find the raw
socket again. With a batch's connections idle in the pool, that was about a fifth of a request's
client CPU (``docs/benchmarks.md``). The raw socket is kept here from the connect, so the check
is the one ``poll`` it needs; everything else is httpcore's own anyio stream.
"""

# httpcore's stream and backend interface passes timeouts as arguments.
# ruff: noqa: ASYNC109

from __future__ import annotations

import ssl
import typing
from collections.abc import Iterable

from httpcore2 import AsyncNetworkBackend, AsyncNetworkStream
from httpcore2._backends.auto import AutoBackend
from httpcore2._utils import is_socket_readable

if typing.TYPE_CHECKING:
    from httpcore2._types import SOCKET_OPTION

__all__ = ["NetworkBackend"]


class _Stream(AsyncNetworkStream):
    def __init__(self, inner: AsyncNetworkStream) -> None:
        self._inner = inner
        # Read once: the TCP socket stays the same under TLS.
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":
            return self._socket is None or is_socket_readable(self._socket)
        if info == "socket":
            return self._socket
        return self._inner.get_extra_info(info)


class NetworkBackend(AsyncNetworkBackend):
    """httpcore's default backend (anyio on asyncio), its streams wrapped by ``_Stream``."""

    def __init__(self) -> None:
        self._backend = AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        stream = await self._backend.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return _Stream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )
        return _Stream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)
