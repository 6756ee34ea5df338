"""GHL OAuth against the simulator: authorize → callback → refresh → revoke, and failures."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ghltt.bridges import Clients, Remotes
from ghltt.connectors.ghl import ReauthorizationRequired
from ghltt.connectors.http import ServerError, TransportError
from ghltt.core import InvalidInput, utcnow
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.oauth import OAuthClient
from ghltt.store.tables import oauth_states
from ghltt.vault import ConnectionService, OAuthFlow, VaultOAuthAuth, classify
from ghltt.vault.failures import FailureKind
from ghltt.vault.tokens import tokens_from_payload, tokens_to_payload
from tests.vault.oauth_support import TimeoutTransport, authorize

pytestmark = pytest.mark.anyio


async def connect(flow: OAuthFlow, sim: GhlSimulator, **start: object) -> str:
    request = flow.start(**start)  # type: ignore[arg-type]
    back = await authorize(sim, request.url)
    outcome = await flow.complete(code=back["code"], state=back["state"])
    return outcome.connection.id


def stored_tokens(connections: ConnectionService, connection_id: str) -> dict[str, object]:
    ref = connections.repo.row(connection_id).vault_ref
    return connections.vault.get(str(ref)).payload


def expire_soon(connections: ConnectionService, connection_id: str) -> None:
    payload = stored_tokens(connections, connection_id)
    payload["expires_at"] = (utcnow() + timedelta(seconds=30)).isoformat()
    ref = str(connections.repo.row(connection_id).vault_ref)
    connections.vault.replace(ref, payload)


async def test_authorize_callback_refresh_revoke(
    flow: OAuthFlow,
    connections: ConnectionService,
    clients: Clients,
    ghl_sim: GhlSimulator,
    oauth_client: OAuthClient,
) -> None:
    request = flow.start(label="shop")
    assert "scope=contacts.readonly" in request.url and "state=" in request.url
    back = await authorize(ghl_sim, request.url)
    outcome = await flow.complete(code=back["code"], state=back["state"])
    view = outcome.connection
    assert view.auth_kind == "oauth" and view.account_id == ghl_sim.sample_location_id
    assert view.scopes == ["contacts.readonly"] and view.label == "shop"
    with pytest.raises(InvalidInput, match=r"state: unknown, expired or already used"):
        await flow.complete(code=back["code"], state=back["state"])

    # Refresh before expiry: the next authorization renews and saves the rotated pair.
    first = stored_tokens(connections, view.id)
    expire_soon(connections, view.id)
    auth = connections.ghl_auth(view.id)
    assert isinstance(auth, VaultOAuthAuth)
    bearer = await auth.authorization()
    second = stored_tokens(connections, view.id)
    assert second["refresh_token"] != first["refresh_token"]
    assert bearer == f"Bearer {second['access_token']}"

    # Refresh on 401: the access token dies early; the client renews once and carries on.
    ghl_sim.expire_token(str(second["access_token"]))
    client = clients.ghl(view.id)
    async with client:
        page = await client.contacts.search_page({"pageLimit": 1})
    assert page.total is not None
    assert stored_tokens(connections, view.id)["refresh_token"] != second["refresh_token"]
    assert (await connections.check(view.id)).ok

    # Uninstalled in GHL: the grant is refused, the connection says to reconnect.
    ghl_sim.oauth.uninstall(oauth_client.client_id, ghl_sim.sample_location_id)
    failed = await connections.check(view.id)
    assert failed.failure is not None and failed.failure.kind is FailureKind.REVOKED
    assert failed.connection.status == "needs_reauth"

    revoked = await connections.revoke(view.id)
    assert revoked.connection.status == "revoked" and any("uninstall" in n for n in revoked.notes)


async def test_reconnect_keeps_the_connection(
    flow: OAuthFlow, connections: ConnectionService, ghl_sim: GhlSimulator
) -> None:
    first = await connect(flow, ghl_sim)
    await connections.revoke(first)
    again = await connect(flow, ghl_sim, reconnect=first)
    assert again == first and connections.get(first).status == "active"


async def test_states_are_single_use_expiring_and_unforgeable(
    flow: OAuthFlow, db: sa.Engine, ghl_sim: GhlSimulator
) -> None:
    with pytest.raises(InvalidInput, match=r"state: unknown"):
        await flow.complete(code="x", state="forged")
    with pytest.raises(InvalidInput, match=r"state: missing"):
        await flow.complete(code="x", state=None)
    request = flow.start()
    with db.begin() as conn:
        conn.execute(oauth_states.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    back = await authorize(ghl_sim, request.url)
    with pytest.raises(InvalidInput, match=r"expired"):
        await flow.complete(code=back["code"], state=back["state"])
    request = flow.start()
    back = await authorize(ghl_sim, request.url)
    with pytest.raises(InvalidInput, match=r"access denied"):
        await flow.complete(code=None, state=back["state"], error="access_denied")


async def test_scopes_come_from_the_enabled_recipes(
    flow: OAuthFlow, connections: ConnectionService, ghl_sim: GhlSimulator
) -> None:
    request = flow.start(extra_scopes=["contacts.write"])
    assert request.scopes == ["contacts.readonly", "contacts.write"]
    company = flow.start(user_type="Company")
    assert "oauth.write" in company.scopes and "userType=Company" in company.url


async def test_token_endpoint_5xx_and_timeouts_are_transient(
    flow: OAuthFlow, connections: ConnectionService, remotes: Remotes, ghl_sim: GhlSimulator
) -> None:
    connection_id = await connect(flow, ghl_sim)
    before = stored_tokens(connections, connection_id)
    expire_soon(connections, connection_id)
    auth = connections.ghl_auth(connection_id)

    ghl_sim.set_faults(error_rate=1.0, error_status=503)
    with pytest.raises(ServerError) as failed:
        await auth.authorization()
    assert classify(failed.value, connection_id="c", system="ghl").kind is FailureKind.TRANSIENT
    ghl_sim.clear_faults()

    assert isinstance(auth, VaultOAuthAuth)
    slow = replace(
        remotes,
        ghl_transport=TimeoutTransport(remotes.ghl_transport, 0.3),  # type: ignore[arg-type]
    )
    ghl_sim.set_faults(timeout_rate=1.0, timeout_s=5.0)
    timed = VaultOAuthAuth(auth.store, slow.oauth_app())
    with pytest.raises(TransportError) as timeout:
        await timed.authorization()
    assert timeout.value.timeout
    ghl_sim.clear_faults()

    # Nothing was spent: the stored grant still refreshes, and the connection stayed active.
    assert stored_tokens(connections, connection_id)["refresh_token"] == before["refresh_token"]
    assert connections.get(connection_id).status == "active"
    await auth.authorization()
    assert stored_tokens(connections, connection_id)["refresh_token"] != before["refresh_token"]


async def test_invalid_grant_rereads_the_store_before_giving_up(
    flow: OAuthFlow, connections: ConnectionService, ghl_sim: GhlSimulator
) -> None:
    connection_id = await connect(flow, ghl_sim)
    auth = connections.ghl_auth(connection_id)
    assert isinstance(auth, VaultOAuthAuth)
    stale = tokens_from_payload(stored_tokens(connections, connection_id))
    # Another process refreshes; this one still holds the old pair in hand.
    other = VaultOAuthAuth(auth.store, connections.remotes.oauth_app())
    await other.refresh_after_unauthorized(stale.bearer())
    fresh = await auth.store.load()
    assert fresh is not None
    renewed = await auth._exchange(stale)  # the spent refresh token: invalid_grant
    assert renewed.refresh_token == fresh.refresh_token
    assert connections.get(connection_id).status == "active"

    # With nothing newer in the store, invalid_grant is final and the connection says so.
    ghl_sim.revoke_token(fresh.refresh_token.get_secret_value())  # type: ignore[union-attr]
    await auth.store.save(fresh.model_copy(update={"expires_at": utcnow()}))
    with pytest.raises(ReauthorizationRequired):
        await auth.authorization()
    view = connections.get(connection_id)
    assert view.status == "needs_reauth" and "reconnect" in (view.status_detail or "")
    assert tokens_to_payload(fresh)["refresh_token"] not in (view.status_detail or "")
