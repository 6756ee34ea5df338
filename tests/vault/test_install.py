"""INSTALL and UNINSTALL webhooks create and retire OAuth connections, idempotently."""

from __future__ import annotations

import pytest

from ghltt.bridges import Clients
from ghltt.core import InvalidInput
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.oauth import OAuthClient
from ghltt.vault import ConnectionService, OAuthFlow, handle_install_event, handle_uninstall_event
from tests.vault.oauth_support import authorize

pytestmark = pytest.mark.anyio


def event(sim: GhlSimulator, kind: str, client: OAuthClient) -> dict[str, object]:
    return next(e for e in sim.emitted_events if e["type"] == kind and e["appId"] == client.app_id)


async def test_location_install_then_callback_then_uninstall(
    flow: OAuthFlow,
    connections: ConnectionService,
    ghl_sim: GhlSimulator,
    oauth_client: OAuthClient,
) -> None:
    back = await authorize(ghl_sim, flow.start().url)
    install = event(ghl_sim, "INSTALL", oauth_client)
    placeholder = await handle_install_event(connections, install)
    assert placeholder is not None and placeholder.status == "awaiting_oauth"
    assert await handle_install_event(connections, install) == placeholder  # delivered twice

    stored = await flow.complete(code=back["code"], state=back["state"])
    assert stored.connection.id == placeholder.id and stored.connection.status == "active"

    ghl_sim.oauth.uninstall(oauth_client.client_id, ghl_sim.sample_location_id)
    retired = await handle_uninstall_event(connections, event(ghl_sim, "UNINSTALL", oauth_client))
    assert [c.id for c in retired] == [placeholder.id]
    view = connections.get(placeholder.id)
    assert view.status == "uninstalled" and not view.has_secret
    assert (
        await handle_uninstall_event(connections, event(ghl_sim, "UNINSTALL", oauth_client)) == []
    )


async def test_agency_install_makes_location_connections(
    flow: OAuthFlow, connections: ConnectionService, clients: Clients, ghl_sim: GhlSimulator
) -> None:
    back = await authorize(ghl_sim, flow.start(user_type="Company").url)
    agency = (await flow.complete(code=back["code"], state=back["state"])).connection
    assert agency.account_id is None and agency.company_id == ghl_sim.sample.company_id

    payload = {
        "type": "INSTALL",
        "installType": "Location",
        "locationId": ghl_sim.sample_location_id,
        "companyId": ghl_sim.sample.company_id,
    }
    location = await handle_install_event(connections, payload)
    assert location is not None and location.auth_kind == "agency_location"
    assert location.parent_id == agency.id
    client = clients.ghl(location.id)  # location tokens minted from the agency's
    async with client:
        page = await client.contacts.search_page({"pageLimit": 1})
    assert page.total is not None

    await handle_uninstall_event(
        connections, {"type": "UNINSTALL", "companyId": ghl_sim.sample.company_id}
    )
    assert connections.get(agency.id).status == "uninstalled"
    assert connections.get(location.id).status == "uninstalled"


async def test_foreign_and_malformed_events(connections: ConnectionService) -> None:
    other_app = {"type": "INSTALL", "locationId": "L", "appId": "someone-else"}
    assert await handle_install_event(connections, other_app) is None
    with pytest.raises(InvalidInput, match="neither locationId nor companyId"):
        await handle_install_event(connections, {"type": "INSTALL"})
    with pytest.raises(InvalidInput, match="not an UNINSTALL"):
        await handle_uninstall_event(connections, {"type": "INSTALL"})
