from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx2
import pytest

from ghltt.connectors.ghl import (
    GhlClient,
    InMemoryTokenStore,
    LocationTokenAuth,
    OAuthApp,
    OAuthAuth,
    OAuthTokens,
    ReauthorizationRequired,
    StaticTokenAuth,
)
from ghltt.connectors.http import AuthProvider
from ghltt.core import FixedClock
from tests.connectors.ghl.fakes import T0, FakeTokenServer, tokens

pytestmark = pytest.mark.anyio


def _setup(access_ttl: float = 3600) -> tuple[FakeTokenServer, InMemoryTokenStore, OAuthAuth]:
    clock = FixedClock(T0)
    server = FakeTokenServer(clock)
    store = InMemoryTokenStore(tokens("a0", "r0", expires_in=access_ttl))
    app = OAuthApp(
        "app-1",
        "shh-client-secret",
        base_url="https://ghl",
        transport=httpx2.MockTransport(server),
        clock=clock,
    )
    return server, store, OAuthAuth(store, app)


def _client(auth: AuthProvider, server: FakeTokenServer) -> GhlClient:
    return GhlClient(
        auth=auth,
        location_id="loc1",
        base_url="https://ghl",
        transport=httpx2.MockTransport(server),
    )


async def test_fifty_concurrent_callers_share_one_refresh_before_expiry() -> None:
    server, store, auth = _setup(access_ttl=30)  # inside the 60 s skew: refresh first
    client = _client(auth, server)
    results = await asyncio.gather(*(client.contacts.get("c1") for _ in range(50)))
    assert len(results) == 50
    assert server.refreshes == 1 and auth.refreshes == 1
    assert store.tokens is not None and store.tokens.refresh_token is not None
    assert store.tokens.refresh_token.get_secret_value() == "r1"


async def test_fifty_concurrent_401s_share_one_refresh() -> None:
    server, _store, auth = _setup()
    server.valid_access = {"revoked-early"}  # the stored access token is refused
    client = _client(auth, server)
    await asyncio.gather(*(client.contacts.get("c1") for _ in range(50)))
    assert server.refreshes == 1


async def test_rotated_pair_is_saved_before_the_new_access_token_is_used() -> None:
    server, store, auth = _setup(access_ttl=0)
    saved_at: list[int] = []
    original_save = store.save

    async def save(t: OAuthTokens) -> None:
        saved_at.append(len(server.log))
        await original_save(t)

    store.save = save  # type: ignore[method-assign,assignment]
    await _client(auth, server).contacts.get("c1")
    assert server.log == ["refresh->a1", "use:a1"]
    assert saved_at == [1]  # saved after the refresh answer, before the first use


async def test_invalid_grant_rereads_the_store_first() -> None:
    server, store, auth = _setup(access_ttl=0)
    # Another process rotated r0 -> r1 and stored it; our refresh with r0 is refused.
    server.valid_refresh = {"r9"}
    server.valid_access = {"a9"}
    other = tokens("a9", "r9", expires_in=7200)
    original_load = store.load
    calls = 0

    async def load() -> OAuthTokens | None:
        nonlocal calls
        calls += 1
        return other if calls > 2 else await original_load()

    store.load = load  # type: ignore[method-assign]
    contact = await _client(auth, server).contacts.get("c1")
    assert contact.id == "c1" and server.log[-1] == "use:a9"


async def test_invalid_grant_with_nothing_newer_requires_reauthorization() -> None:
    server, _store, auth = _setup(access_ttl=0)
    server.valid_refresh = set()
    with pytest.raises(ReauthorizationRequired):
        await _client(auth, server).contacts.get("c1")


async def test_location_token_is_minted_from_the_agency_token() -> None:
    server, _store, agency = _setup()
    location = LocationTokenAuth(agency, agency.app, company_id="co1", location_id="loc1")
    client = _client(location, server)
    await asyncio.gather(*(client.contacts.get("c1") for _ in range(10)))
    assert location.mints == 1 and server.location_mints == 1
    # Expired agency token: the mint gets a 401, the agency token is refreshed, mint retried.
    server.valid_access = {"other"}
    location._tokens = None
    await client.contacts.get("c1")
    assert server.refreshes == 1


async def test_static_token_is_not_renewed_and_reprs_hide_secrets() -> None:
    auth = StaticTokenAuth("pit-1234-secret")
    assert "secret" not in repr(auth)
    assert await auth.refresh_after_unauthorized("Bearer pit-1234-secret") is False
    _server, store, oauth = _setup()
    text = repr(oauth) + repr(store) + repr(store.tokens) + repr(oauth.app)
    assert "a0" not in text.replace("app", "") and "r0" not in text and "shh" not in text


async def test_expiry_uses_the_injected_clock() -> None:
    server, _store, auth = _setup(access_ttl=3600)
    assert isinstance(auth.clock, FixedClock)
    await _client(auth, server).contacts.get("c1")
    assert server.refreshes == 0
    auth.clock.advance(timedelta(seconds=3600 - 30))
    await _client(auth, server).contacts.get("c1")
    assert server.refreshes == 1
