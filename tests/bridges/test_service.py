"""Bridges: TT webhooks registered and removed idempotently; recipes and least privilege."""

from __future__ import annotations

import pytest

from ghltt.bridges import BridgeService, Clients
from ghltt.core import Event, EventSource, InvalidInput
from ghltt.engine.recipe_sources import enable_template
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import InboxRepository, commit_new
from ghltt.vault import ConnectionService, MissingScopes
from tests.vault.conftest import tt_app_password

pytestmark = pytest.mark.anyio


async def make_bridge(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    *,
    granted: list[str] | None = None,
) -> tuple[str, str, str]:
    ghl = await connections.add_ghl_token(
        label="shop",
        token=ghl_sim.sample_token,
        location_id=ghl_sim.sample_location_id,
        granted=granted,
    )
    tt = await connections.add_tt(label="team", secret=tt_app_password(tt_sim))
    bridge = await bridges.add(name="main", ghl_connection="shop", tt_connection="team")
    return bridge.id, ghl.connection.id, tt.connection.id


async def remote_hooks(clients: Clients, tt_id: str, url: str) -> list[int]:
    async with clients.tt(tt_id) as tt:
        return [h.id for h in await tt.webhooks.list() if h.url == url]


async def test_webhooks_are_registered_once_and_removed(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    bridge_id, _ghl, tt_id = await make_bridge(connections, bridges, ghl_sim, tt_sim)
    url = bridges.webhooks.url(bridge_id)
    assert len(await remote_hooks(bridges.clients, tt_id, url)) == 1
    assert len(bridges.webhooks.tokens(bridge_id)) == 1

    await bridges.webhooks.register(bridge_id)  # again: listed first, not added twice
    assert len(await remote_hooks(bridges.clients, tt_id, url)) == 1

    # Lost track of it (a crash after adding): the token is renewed, not a second hook added.
    bridges.webhooks.forget(bridge_id, str((await remote_hooks(bridges.clients, tt_id, url))[0]))
    await bridges.webhooks.register(bridge_id)
    assert len(await remote_hooks(bridges.clients, tt_id, url)) == 1
    assert len(bridges.webhooks.tokens(bridge_id)) == 1

    shown = bridges.show("main")
    assert shown.ghl_connection_id and shown.webhooks[0]["url"] == url
    assert [b.id for b in bridges.all()] == [bridge_id]

    notes = await bridges.remove("main")
    assert any("deleted TrackingTime webhook" in n for n in notes)
    assert await remote_hooks(bridges.clients, tt_id, url) == []
    assert bridges.all() == []


async def test_bad_bridge_input_is_named(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    await make_bridge(connections, bridges, ghl_sim, tt_sim)
    with pytest.raises(InvalidInput, match=r"name: a bridge named 'main' exists"):
        await bridges.add(name="main", ghl_connection="shop", tt_connection="team")
    with pytest.raises(InvalidInput, match=r"ghl connection: .* is a tt connection"):
        await bridges.add(name="b", ghl_connection="team", tt_connection="team")
    with pytest.raises(InvalidInput, match=r"mode"):
        await bridges.add(name="b", ghl_connection="shop", tt_connection="team", mode="x")


async def test_least_privilege_and_revoke_disables_recipes(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    granted = ["contacts.readonly", "contacts.write", "users.readonly"]
    bridge_id, ghl_id, tt_id = await make_bridge(
        connections, bridges, ghl_sim, tt_sim, granted=granted
    )
    with pytest.raises(MissingScopes, match=r"businesses.write"):
        bridges.enable_recipe("main", "companies", ["businesses.write"])
    warnings = bridges.enable_recipe("main", "contacts", ["contacts.readonly", "contacts.write"])
    assert warnings == ["more scopes granted than needed: users.readonly"]
    checked = await connections.check(ghl_id)
    assert checked.warnings == ["more scopes granted than needed: users.readonly"]

    revoked = await connections.revoke(tt_id)
    assert any("deleted TrackingTime webhook" in n for n in revoked.notes)
    assert any("disabled 1 recipe" in n for n in revoked.notes)
    state = bridges.show(bridge_id).recipes[0]
    assert not state.enabled and state.disabled_reason == f"connection {tt_id} revoked"

    fresh = tt_sim.add_app_password(int(tt_sim.credentials()[0]["id"]))
    await connections.rotate(tt_id, fresh)
    assert bridges.show(bridge_id).recipes[0].enabled  # what revoke switched off comes back


async def test_a_private_integration_bridge_is_told_to_build_workflows_and_the_urls(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    bridge_id, _ghl, _tt = await make_bridge(connections, bridges, ghl_sim, tt_sim)
    guide = bridges.intake("main")
    assert guide.ghl_auth_kind == "pit" and guide.ghl_path == "workflow_webhooks"
    assert guide.tt_webhooks == 1
    assert guide.urls["ghl_workflow_webhook"].startswith(
        f"http://ghltt.test/hooks/ghl-workflow/{bridge_id}?secret="
    )
    kinds = {w.custom_data["ghltt_event"]: w for w in guide.workflows}
    for kind in (
        "contact.created",
        "contact.updated",
        "contact.tags_updated",
        "task.created",
        "task.completed",
        "note.created",
        "appointment.created",
        "appointment.updated",
        "opportunity.stage_updated",
    ):
        assert kind in kinds, kind
    assert kinds["task.created"].trigger == "Task Added"
    assert kinds["task.created"].custom_data["ghltt_id"] == "{{task.id}}"
    assert "ghltt_id" not in kinds["contact.created"].custom_data


async def test_a_check_that_passes_again_releases_the_events_held_meanwhile(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    bridge_id, ghl_id, _tt = await make_bridge(connections, bridges, ghl_sim, tt_sim)
    event = Event(bridge=bridge_id, source=EventSource.GHL, kind="contact.updated", dedup_key="k")
    inbox = InboxRepository(connections.db)
    commit_new(connections.db, [event])
    inbox.mark_dispatched([event.id])
    inbox.mark_processed(event.id, "held")
    connections.repo.update(ghl_id, status="needs_reauth", status_detail="revoked: [401]")
    assert inbox.count_held(bridge_id) == 1

    checked = await connections.check(ghl_id)
    assert checked.ok and checked.connection.status == "active"
    assert "released 1 held event(s): they run again" in checked.notes
    stored = inbox.get(event.id)
    assert stored is not None and stored.outcome == "released"
    assert stored.dispatched_at is None and stored.processed_at is None
    assert inbox.count_held() == 0
    # A check of a connection that was fine all along releases nothing and says nothing.
    assert (await connections.check(ghl_id)).notes == []


async def test_enabling_a_template_checks_the_scopes_of_its_catalog_actions(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    """deals reads opportunities and pipelines: a connection granted only contacts' scopes
    cannot run it, and the error names what is missing; once granted, it is enabled."""
    contacts = ["contacts.readonly", "contacts.write"]
    await make_bridge(connections, bridges, ghl_sim, tt_sim, granted=contacts)
    with pytest.raises(MissingScopes) as refused:
        enable_template(bridges, "main", "deals")
    assert refused.value.missing == {"opportunities.readonly", "opportunities.write"}
    await connections.add_ghl_token(
        label="shop-deals",
        token=ghl_sim.sample_token,
        location_id=ghl_sim.sample_location_id,
        granted=[*contacts, "opportunities.readonly", "opportunities.write"],
    )
    await bridges.add(name="deals", ghl_connection="shop-deals", tt_connection="team")
    done = enable_template(bridges, "deals", "deals")
    assert list(done.scopes) == ["opportunities.readonly", "opportunities.write"]
    assert done.warnings == ["more scopes granted than needed: contacts.readonly, contacts.write"]
