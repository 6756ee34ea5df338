"""OAuth 2.0: authorize redirect, code exchange, rotating refresh tokens, location tokens."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx2
import pytest

from ghltt.sandbox.ghl import GhlSimulator
from tests.sandbox.ghl.conftest import auth

pytestmark = pytest.mark.anyio
CB = "http://app.test/oauth/callback"


async def _code(client: httpx2.AsyncClient, client_id: str, **extra: str) -> str:
    r = await client.get(
        "/oauth/chooselocation",
        params={"response_type": "code", "client_id": client_id, "redirect_uri": CB,
                "scope": "contacts.readonly contacts.write", "state": "s1", **extra},
    )  # fmt: skip
    assert r.status_code == 302
    location = urlparse(r.headers["location"])
    query = parse_qs(location.query)
    assert location.geturl().startswith(CB) and query["state"] == ["s1"]
    return query["code"][0]


async def test_code_flow_refresh_rotation_and_scopes(
    client: httpx2.AsyncClient, sim: GhlSimulator
) -> None:
    app = sim.register_oauth_client(redirect_uris=[CB])
    code = await _code(client, app.client_id)
    form = {"client_id": app.client_id, "client_secret": app.client_secret}
    r = await client.post(
        "/oauth/token",
        data={**form, "grant_type": "authorization_code", "code": code, "redirect_uri": CB},
    )
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 86399
    assert tokens["userType"] == "Location" and tokens["locationId"] == sim.sample_location_id
    assert tokens["scope"] == "contacts.readonly contacts.write"

    # The code is single-use.
    r = await client.post(
        "/oauth/token", data={**form, "grant_type": "authorization_code", "code": code}
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    cid = next(iter(sim.state.contacts))
    h = auth(tokens["access_token"])
    assert (await client.get(f"/contacts/{cid}", headers=h)).status_code == 200
    r = await client.get("/businesses/", params={"locationId": sim.sample_location_id}, headers=h)
    assert r.status_code == 401
    assert r.json()["message"] == "The token is not authorized for this scope."

    old = tokens["refresh_token"]
    r = await client.post(
        "/oauth/token", data={**form, "grant_type": "refresh_token", "refresh_token": old}
    )
    assert r.status_code == 200
    new = r.json()["refresh_token"]
    assert new != old
    r = await client.post(
        "/oauth/token", data={**form, "grant_type": "refresh_token", "refresh_token": old}
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": "invalid_grant",
        "error_description": "This refresh token is invalid",
    }
    r = await client.post(
        "/oauth/token", data={**form, "grant_type": "refresh_token", "refresh_token": new}
    )
    assert r.status_code == 200
    assert sim.token_endpoint_calls == 5
    assert [e["type"] for e in sim.emitted_events] == ["INSTALL"]


async def test_token_endpoint_errors(client: httpx2.AsyncClient, sim: GhlSimulator) -> None:
    r = await client.post("/oauth/token", data={"client_id": "x"})
    assert r.status_code == 422
    assert "grant_type should not be empty" in r.json()["message"]
    r = await client.post(
        "/oauth/token",
        data={"client_id": "x", "client_secret": "y", "grant_type": "authorization_code"},
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = await client.get(
        "/oauth/chooselocation",
        params={"response_type": "code", "client_id": sim.sample.oauth_client_id,
                "redirect_uri": "http://evil.test/cb"},
    )  # fmt: skip
    assert r.status_code == 400


async def test_location_token_from_agency_token(
    client: httpx2.AsyncClient, sim: GhlSimulator
) -> None:
    app = sim.register_oauth_client(redirect_uris=[CB], user_type="Company")
    code = await _code(
        client, app.client_id, userType="Company", scope="oauth.write contacts.readonly"
    )
    r = await client.post(
        "/oauth/token",
        data={"client_id": app.client_id, "client_secret": app.client_secret,
              "grant_type": "authorization_code", "code": code, "user_type": "Company"},
    )  # fmt: skip
    company = r.json()
    assert company["userType"] == "Company" and "locationId" not in company
    h = auth(company["access_token"])
    r = await client.post(
        "/oauth/locationToken",
        data={"companyId": sim.sample.company_id, "locationId": sim.sample_location_id},
        headers=h,
    )
    assert r.status_code == 200, r.text
    location = r.json()
    assert "refresh_token" not in location and location["locationId"] == sim.sample_location_id
    cid = next(iter(sim.state.contacts))
    assert (
        await client.get(f"/contacts/{cid}", headers=auth(location["access_token"]))
    ).status_code == 200
    # A location token cannot mint location tokens.
    r = await client.post(
        "/oauth/locationToken",
        data={"companyId": sim.sample.company_id, "locationId": sim.sample_location_id},
        headers=auth(location["access_token"]),
    )
    assert r.status_code == 401
    r = await client.post("/oauth/locationToken", data={}, headers=h)
    assert r.status_code == 422


async def test_uninstall_revokes(client: httpx2.AsyncClient, sim: GhlSimulator) -> None:
    app = sim.register_oauth_client(redirect_uris=[CB])
    code = await _code(client, app.client_id)
    r = await client.post(
        "/oauth/token",
        data={"client_id": app.client_id, "client_secret": app.client_secret,
              "grant_type": "authorization_code", "code": code},
    )  # fmt: skip
    access = r.json()["access_token"]
    r = await client.post(
        "/_admin/oauth/uninstall",
        json={"clientId": app.client_id, "locationId": sim.sample_location_id},
    )
    assert r.json()["revoked"] == 1
    cid = next(iter(sim.state.contacts))
    assert (await client.get(f"/contacts/{cid}", headers=auth(access))).status_code == 401
    assert [e["type"] for e in sim.emitted_events] == ["INSTALL", "UNINSTALL"]
