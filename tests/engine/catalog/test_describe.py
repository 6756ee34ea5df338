"""What the catalog tells users: every entry complete, docs/catalog.md current."""

from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import pytest

from ghltt.bridges.webhooks import TT_WEBHOOK_EVENTS
from ghltt.engine.catalog import ACTIONS
from ghltt.engine.catalog.describe import catalog_markdown, entries, find_entry
from ghltt.engine.catalog.triggers import TRIGGERS
from ghltt.sandbox.trackingtime import DEFAULT_WEBHOOK_EVENTS

DOCS = Path(__file__).parents[3] / "docs" / "catalog.md"


def test_docs_catalog_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == catalog_markdown(), (
        "docs/catalog.md is stale: run 'ghltt catalog docs'"
    )


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_is_described(name: str) -> None:
    entry = find_entry(name)
    assert entry is not None and entry.kind == "action"
    assert entry.input_schema is not None and entry.output_schema is not None
    jsonschema_rs.meta.validate(entry.input_schema)
    jsonschema_rs.meta.validate(entry.output_schema)
    assert entry.idempotence is not None and entry.idempotent_how
    assert entry.description and entry.example is not None, name
    jsonschema_rs.validate(entry.input_schema, entry.example)
    if entry.system == "ghl":
        assert entry.scopes and entry.api_version in ("2021-04-15", "2021-07-28"), name
    if entry.system == "tt":
        assert entry.description and entry.example is not None and entry.api_version == "v4"
        assert entry.scopes == []  # App Passwords carry no scopes


def test_every_webhook_event_tt_sends_is_a_trigger() -> None:
    for kind in {*TT_WEBHOOK_EVENTS, *DEFAULT_WEBHOOK_EVENTS}:
        assert "webhook" in TRIGGERS[f"tt.{kind}"].detection


def test_triggers_say_how_they_are_detected_and_what_they_carry() -> None:
    triggers = entries(kind="trigger")
    assert {d for t in triggers for d in t.detection} == {"webhook", "poll", "schedule"}
    for t in triggers:
        assert t.description and t.payload_schema and t.example
        jsonschema_rs.meta.validate(t.payload_schema)


def test_search_and_filters() -> None:
    assert {e.name for e in entries(search="TIMER")} >= {"tt.tasks.track", "tt.tasks.stop"}
    assert all(e.system == "ghl" for e in entries(system="ghl"))
    assert len(entries(system="tt", kind="action")) >= 70
