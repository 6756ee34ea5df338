"""Connections against both simulators: add, check, rotate, revoke, and clear failures."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from ghltt.bridges import Clients, Remotes
from ghltt.connectors.http import TransportError
from ghltt.core import InvalidInput
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import SAMPLE_ACCOUNT_ID, TrackingTimeSimulator
from ghltt.vault import ConnectionService, FailureKind, MissingScopes, Vault, classify
from tests.vault.conftest import tt_app_password

pytestmark = pytest.mark.anyio


async def test_ghl_token_lifecycle(connections: ConnectionService, ghl_sim: GhlSimulator) -> None:
    loc = ghl_sim.sample_location_id
    added = await connections.add_ghl_token(
        label="shop", token=ghl_sim.sample_token, location_id=loc
    )
    view = added.connection
    assert view.status == "active" and view.account_id == loc and view.has_secret
    assert "contacts" in (view.identity or "")
    assert any("unknown" in w for w in added.warnings)  # a PIT's scopes cannot be inspected
    assert ghl_sim.sample_token not in str(added.public())

    checked = await connections.check("shop")
    assert checked.ok and checked.connection.checked_at is not None

    new_token = ghl_sim.create_token(location_id=loc).token
    ghl_sim.revoke_token(ghl_sim.sample_token)
    failed = await connections.check(view.id)
    assert failed.failure is not None and failed.failure.kind is FailureKind.REVOKED
    assert failed.connection.status == "needs_reauth"
    assert f"connections rotate {view.id}" in failed.failure.remedy
    assert failed.public()["failure"]["remedy"] == failed.failure.remedy  # what the API answers

    rotated = await connections.rotate(view.id, new_token)
    assert rotated.connection.status == "active"
    assert rotated.connection.id == view.id
    assert (await connections.check(view.id)).ok

    revoked = await connections.revoke(view.id)
    assert revoked.connection.status == "revoked" and not revoked.connection.has_secret
    assert any("Private Integrations" in n for n in revoked.notes)
    again = await connections.check(view.id)
    assert again.failure is not None and "no credential is stored" in again.failure.message


async def test_bad_ghl_input_is_named(
    connections: ConnectionService, ghl_sim: GhlSimulator
) -> None:
    loc = ghl_sim.sample_location_id
    with pytest.raises(InvalidInput, match=r"GHL refused the credential \(revoked\)"):
        await connections.add_ghl_token(label="x", token="pit-not-a-real-token", location_id=loc)
    with pytest.raises(InvalidInput, match=r"secret.*spaces"):
        await connections.add_ghl_token(label="x", token="pit a", location_id=loc)
    with pytest.raises(InvalidInput, match=r"kind"):
        await connections.add_ghl_token(label="x", token="t", location_id=loc, kind="oauth")
    with pytest.raises(MissingScopes, match=r"contacts.readonly"):
        await connections.add_ghl_token(
            label="x", token=ghl_sim.sample_token, location_id=loc, granted=["users.readonly"]
        )
    assert connections.all() == []


async def test_missing_scope_at_check_time(
    connections: ConnectionService, ghl_sim: GhlSimulator
) -> None:
    token = ghl_sim.create_token(scopes=["users.readonly"]).token
    with pytest.raises(InvalidInput, match=r"missing_scope"):
        await connections.add_ghl_token(
            label="x", token=token, location_id=ghl_sim.sample_location_id
        )


async def test_tt_app_password_lifecycle(
    connections: ConnectionService, tt_sim: TrackingTimeSimulator, vault: Vault
) -> None:
    password = tt_app_password(tt_sim)
    added = await connections.add_tt(label="team", secret=password)
    view = added.connection
    assert view.account_id == str(SAMPLE_ACCOUNT_ID) and "TT user" in (view.identity or "")
    assert (await connections.check("team")).ok

    user_id = int(tt_sim.credentials()[0]["id"])
    fresh = tt_sim.add_app_password(user_id)
    tt_sim.revoke_app_password(password)
    assert (await connections.check(view.id)).failure is not None
    rotated = await connections.rotate(view.id, fresh)
    assert rotated.connection.status == "active"
    assert vault.get(str(connections.repo.row(view.id).vault_ref)).payload == {"password": fresh}

    with pytest.raises(InvalidInput, match=r"not a member of account 999"):
        await connections.add_tt(label="other", secret=fresh, account_id=999)


async def test_tt_bearer(
    connections: ConnectionService, clients: Clients, tt_sim: TrackingTimeSimulator
) -> None:
    added = await connections.add_tt(label="bearer", secret=tt_app_password(tt_sim), kind="bearer")
    assert added.connection.auth_kind == "bearer"
    client = clients.tt(added.connection.id)
    async with client:
        assert (await client.me()).id


async def test_an_unresolvable_host_is_a_connection_failure_not_a_refused_credential(
    db: sa.Engine, vault: Vault, remotes: Remotes, ghl_sim: GhlSimulator
) -> None:
    # No transport: a real lookup of a name that cannot exist (RFC 2606's .invalid).
    nowhere = replace(remotes, ghl_base_url="http://ghl.invalid", ghl_transport=None)
    connections = ConnectionService(db, vault, nowhere)
    with pytest.raises(InvalidInput) as refused:
        await connections.add_ghl_token(
            label="x", token=ghl_sim.sample_token, location_id=ghl_sim.sample_location_id
        )
    message = str(refused.value)
    assert "refused the credential" not in message
    assert message.startswith("unreachable: could not reach GHL")
    assert "GHLTT_GHL_BASE_URL" in message
    failure = classify(
        TransportError("ConnectError: [Errno -2] Name or service not known", sent=False),
        connection_id="c1",
        system="tt",
    )
    assert failure.kind is FailureKind.UNREACHABLE and "GHLTT_TT_BASE_URL" in failure.remedy


async def test_a_connection_that_cannot_be_reached_keeps_its_status(
    db: sa.Engine,
    vault: Vault,
    connections: ConnectionService,
    remotes: Remotes,
    ghl_sim: GhlSimulator,
) -> None:
    added = await connections.add_ghl_token(
        label="shop", token=ghl_sim.sample_token, location_id=ghl_sim.sample_location_id
    )
    nowhere = ConnectionService(
        db, vault, replace(remotes, ghl_base_url="http://ghl.invalid", ghl_transport=None)
    )
    checked = await nowhere.check(added.connection.id)
    assert checked.failure is not None and checked.failure.kind is FailureKind.UNREACHABLE
    assert checked.connection.status == "active"
