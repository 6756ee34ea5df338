"""Version header, tokens, scopes, locations and rate limits, refused the way GHL refuses them."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest

from ghltt.core.clock import FixedClock
from ghltt.sandbox.ghl import GhlSimulator
from tests.sandbox.ghl.conftest import auth

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("version", ["2021-07-28", "2021-04-15", "2023-02-21", "v3"])
async def test_accepted_versions(
    client: httpx2.AsyncClient, sim: GhlSimulator, version: str
) -> None:
    cid = next(iter(sim.state.contacts))
    r = await client.get(f"/contacts/{cid}", headers=auth(sim.sample_token, version))
    assert r.status_code == 200


async def test_version_header_missing_or_unknown(
    client: httpx2.AsyncClient, sim: GhlSimulator
) -> None:
    h = {"Authorization": f"Bearer {sim.sample_token}"}
    r = await client.get("/contacts/x", headers=h)
    assert r.status_code == 401 and r.json()["message"] == "version header was not found."
    r = await client.get("/contacts/x", headers={**h, "Version": "2020-01-01"})
    assert r.status_code == 401 and r.json()["message"] == "version header is invalid"


async def test_missing_invalid_revoked_and_expired_tokens(
    client: httpx2.AsyncClient, sim: GhlSimulator, clock: FixedClock
) -> None:
    r = await client.get("/contacts/x", headers={"Version": "2021-07-28"})
    assert r.status_code == 401 and r.json()["statusCode"] == 401
    r = await client.get("/contacts/x", headers=auth("pit-00000000-0000-0000-0000-000000000000"))
    assert r.status_code == 401
    assert r.json()["message"] == "Invalid token: access token is invalid"

    token = sim.create_token().token
    assert (await client.get("/contacts/x", headers=auth(token))).status_code == 400
    sim.revoke_token(token)
    assert (await client.get("/contacts/x", headers=auth(token))).status_code == 401

    client_app = sim.register_oauth_client(redirect_uris=["http://cb.test/cb"])
    grant = sim.oauth.authorize(
        {
            "response_type": "code",
            "client_id": client_app.client_id,
            "redirect_uri": "http://cb.test/cb",
        }
    )
    code = grant.split("code=")[1]
    _, body = sim.oauth.token(
        {
            "client_id": client_app.client_id,
            "client_secret": client_app.client_secret,
            "grant_type": "authorization_code",
            "code": code,
        }
    )
    access = body["access_token"]
    assert (await client.get("/contacts/x", headers=auth(access))).status_code == 400
    clock.advance(timedelta(seconds=sim.config.access_token_ttl_s + 1))
    r = await client.get("/contacts/x", headers=auth(access))
    assert r.status_code == 401


async def test_scope_is_enforced_with_the_real_body(
    client: httpx2.AsyncClient, sim: GhlSimulator
) -> None:
    token = sim.create_token(scopes=["contacts.readonly"]).token
    cid = next(iter(sim.state.contacts))
    assert (await client.get(f"/contacts/{cid}", headers=auth(token))).status_code == 200
    r = await client.put(f"/contacts/{cid}", json={"city": "X"}, headers=auth(token))
    assert r.status_code == 401
    assert r.json()["message"] == "The token is not authorized for this scope."
    r = await client.get(
        "/businesses/", params={"locationId": sim.sample_location_id}, headers=auth(token)
    )
    assert r.status_code == 401


async def test_other_location_is_forbidden(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str]
) -> None:
    other = sim.sample.other_location_id
    r = await client.get("/contacts/", params={"locationId": other}, headers=headers)
    assert r.status_code == 403
    assert r.json()["message"] == "The token does not have access to this location."
    foreign = next(c for c in sim.state.contacts.values() if c["locationId"] == other)
    r = await client.get(f"/contacts/{foreign['id']}", headers=headers)
    assert r.status_code == 403
    r = await client.post(
        "/contacts/", json={"locationId": other, "firstName": "x"}, headers=headers
    )
    assert r.status_code == 403


async def test_agency_token_cannot_read_contacts(
    client: httpx2.AsyncClient, sim: GhlSimulator
) -> None:
    r = await client.get(
        "/contacts/",
        params={"locationId": sim.sample_location_id},
        headers=auth(sim.sample.agency_token),
    )
    assert r.status_code == 401


async def test_location_api_key_works(client: httpx2.AsyncClient, sim: GhlSimulator) -> None:
    r = await client.get(
        "/contacts/",
        params={"locationId": sim.sample_location_id},
        headers=auth(sim.sample.location_api_key),
    )
    assert r.status_code == 200


async def test_rate_limit_headers_and_429(
    client: httpx2.AsyncClient, sim: GhlSimulator, headers: dict[str, str], clock: FixedClock
) -> None:
    sim.set_rate_limits(burst=50, window_ms=1000, daily=60)
    cid = next(iter(sim.state.contacts))
    for i in range(50):
        r = await client.get(f"/contacts/{cid}", headers=headers)
        assert r.status_code == 200
        assert r.headers["X-RateLimit-Remaining"] == str(49 - i)
    assert r.headers["X-RateLimit-Max"] == "50"
    assert r.headers["X-RateLimit-Interval-Milliseconds"] == "1000"
    assert r.headers["X-RateLimit-Limit-Daily"] == "60"
    assert r.headers["X-RateLimit-Daily-Remaining"] == "10"
    r = await client.get(f"/contacts/{cid}", headers=headers)
    assert r.status_code == 429 and r.json()["statusCode"] == 429
    assert r.headers["X-RateLimit-Remaining"] == "0"
    # Another location (another budget) is unaffected.
    other = auth(sim.sample.other_location_token)
    assert (await client.get(f"/contacts/{cid}", headers=other)).status_code == 403
    clock.advance(timedelta(seconds=1))
    for _ in range(10):
        assert (await client.get(f"/contacts/{cid}", headers=headers)).status_code == 200
    r = await client.get(f"/contacts/{cid}", headers=headers)
    assert r.status_code == 429 and r.headers["X-RateLimit-Daily-Remaining"] == "0"


async def test_rate_limit_is_per_app_per_location(sim: GhlSimulator) -> None:
    sim.set_rate_limits(burst=1)
    a, b = sim.sample_token, sim.create_token().token
    transport = httpx2.ASGITransport(app=sim.app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://t") as http:
        cid = next(iter(sim.state.contacts))
        assert (await http.get(f"/contacts/{cid}", headers=auth(a))).status_code == 200
        assert (await http.get(f"/contacts/{cid}", headers=auth(b))).status_code == 200
        assert (await http.get(f"/contacts/{cid}", headers=auth(a))).status_code == 429
