"""The pooled transport over real loopback sockets: keep-alive reuse, a server's close seen, TLS."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ghltt.connectors.http import build_client

pytestmark = pytest.mark.anyio

_BODY = b'{"ok":true}'
_RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(_BODY)
) + _BODY


class _Server:
    """Answers every request with ``_BODY``; drops a connection after ``per_connection``.

    Dropped at once (not a TLS goodbye, which waits for the client's): the way a keep-alive
    timeout or a restart ends an idle connection."""

    def __init__(self, per_connection: int | None) -> None:
        self.per_connection = per_connection
        self.connections = 0
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        answered = 0
        try:
            while self.per_connection is None or answered < self.per_connection:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(_RESPONSE)
                await writer.drain()
                answered += 1
            await asyncio.sleep(0.01)  # the last answer reaches the client first
            writer.transport.abort()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def _serve(server: _Server, tls: ssl.SSLContext | None = None) -> asyncio.Server:
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=tls)
    server.port = listening.sockets[0].getsockname()[1]
    return listening


@pytest.fixture
async def keep_alive() -> AsyncIterator[_Server]:
    server = _Server(per_connection=None)
    async with await _serve(server):
        yield server


async def test_requests_in_turn_share_one_kept_alive_connection(keep_alive: _Server) -> None:
    async with build_client(f"http://127.0.0.1:{keep_alive.port}") as client:
        for _ in range(5):
            assert (await client.get("/contacts/1")).json() == {"ok": True}
    assert keep_alive.connections == 1


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    # The pool's liveness check of an idle connection is what this transport made cheaper:
    # without it, the second request would go out on a closed socket and fail.
    server = _Server(per_connection=1)
    async with await _serve(server), build_client(f"http://127.0.0.1:{server.port}") as client:
        assert (await client.get("/contacts/1")).status_code == 200
        await asyncio.sleep(0.05)  # the server's FIN arrives
        assert (await client.post("/contacts", json={"a": 1})).status_code == 200
    assert server.connections == 2


def _self_signed(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "cert.pem"
    key_file = directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_https_keeps_alive_and_sees_a_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_tls, client_tls = _self_signed(tmp_path)
    monkeypatch.setattr("ghltt.connectors.http._transport._tls", lambda: client_tls)
    kept, closing = _Server(per_connection=None), _Server(per_connection=1)
    async with await _serve(kept, server_tls), await _serve(closing, server_tls):
        async with build_client(f"https://127.0.0.1:{kept.port}") as client:
            for _ in range(3):
                assert (await client.get("/contacts/1")).json() == {"ok": True}
        async with build_client(f"https://127.0.0.1:{closing.port}") as client:
            assert (await client.get("/contacts/1")).status_code == 200
            await asyncio.sleep(0.05)
            assert (await client.get("/contacts/2")).status_code == 200
    assert (kept.connections, closing.connections) == (1, 2)
