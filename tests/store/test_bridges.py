"""The bridges' rows: settings merged key by key, recipes switched off and on by connection,
webhooks forgotten with the reference to their token."""

from __future__ import annotations

import pytest

from ghltt.core import InvalidInput, NotFound, utcnow
from ghltt.store import migrate, open_database
from ghltt.store.bridge_recipes import BridgeRecipeRepository, revoked_reason
from ghltt.store.bridges import BridgeRepository
from ghltt.store.connections import ConnectionRepository


def _store(database_url: str) -> tuple[BridgeRepository, BridgeRecipeRepository, str, str]:
    db = open_database(database_url)
    migrate.upgrade(db)
    connections = ConnectionRepository(db)
    assert not connections.exists()
    ghl = connections.insert(system="ghl", label="shop", auth_kind="pit", account_id="loc")
    tt = connections.insert(system="tt", label="team", auth_kind="app_password")
    assert connections.exists()
    bridges = BridgeRepository(db)
    bridges.insert(
        "br_1", name="main", mode="sandbox", ghl_connection_id=ghl, tt_connection_id=tt,
        now=utcnow(),
    )  # fmt: skip
    return bridges, BridgeRecipeRepository(db), ghl, tt


def test_a_bridge_is_found_by_id_or_name_and_its_settings_merge(database_url: str) -> None:
    bridges, _, ghl, tt = _store(database_url)
    assert bridges.resolve("main").id == bridges.resolve("br_1").id == "br_1"
    with pytest.raises(NotFound):
        bridges.resolve("other")
    with pytest.raises(InvalidInput, match="exists"):
        bridges.insert(
            "br_2", name="main", mode="live", ghl_connection_id=ghl, tt_connection_id=tt,
            now=utcnow(),
        )  # fmt: skip
    before = bridges.resolve("br_1").updated_at
    bridges.merge_settings("br_1", {"tt_timezone": "Europe/Paris"})
    after = bridges.merge_settings("br_1", {"recipe_params": {"contacts": {"x": 1}}})
    assert after == {"tt_timezone": "Europe/Paris", "recipe_params": {"contacts": {"x": 1}}}
    row = bridges.resolve("br_1")
    assert row.settings == after and row.updated_at >= before
    assert bridges.ids_of_tt_connection(tt) == ["br_1"] and bridges.ids() == ["br_1"]


def test_revoking_switches_off_only_what_it_switches_back_on(database_url: str) -> None:
    _, recipes, ghl, tt = _store(database_url)
    recipes.upsert("br_1", "contacts", enabled=True, scopes=["contacts.write", "contacts.write"])
    recipes.upsert("br_1", "hours", enabled=True, scopes=["contacts.readonly"])
    recipes.set_enabled("br_1", "hours", enabled=False, reason="disabled")
    assert recipes.enabled_scopes(connection_id=ghl) == {"contacts.write"}
    assert recipes.enabled_among("br_1", ["contacts", "hours"]) == {"contacts"}

    assert recipes.disable_for_connection(tt) == 1
    assert recipes.enabled_among("br_1", ["contacts", "hours"]) == set()
    states = {s.recipe: s for s in recipes.of_bridge("br_1")}
    assert states["contacts"].disabled_reason == revoked_reason(tt)
    assert states["contacts"].scopes == ["contacts.write"]

    assert recipes.reenable_for_connection(tt) == 1
    assert recipes.enabled_among("br_1", ["contacts", "hours"]) == {"contacts"}


def test_a_forgotten_webhook_hands_back_its_token_reference(database_url: str) -> None:
    bridges, _, _, _ = _store(database_url)
    bridges.add_webhook(
        "br_1", system="tt", remote_id="7", url="u", events=["task.created"], secret_ref="sec_1"
    )
    assert bridges.webhook_secret_refs("br_1", "tt") == {"7": "sec_1"}
    assert bridges.webhook_secret_refs("br_1", "ghl") == {}
    assert [w.remote_id for w in bridges.webhooks("br_1")] == ["7"]
    assert bridges.remove_webhook("br_1", "7") == "sec_1"
    assert bridges.remove_webhook("br_1", "7") is None
    assert bridges.webhooks("br_1") == []
