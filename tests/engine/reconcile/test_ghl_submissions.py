"""Form and survey submissions: GHL pushes no event for them; the poll reports each new one once."""

from __future__ import annotations

from datetime import timedelta

import jsonschema_rs
import pytest
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient
from ghltt.core import EventOrigin, EventSource, FixedClock
from ghltt.engine.catalog import TRIGGERS
from ghltt.engine.dispatch import recipes_for
from ghltt.engine.recipes import Recipe, load_recipe_text
from ghltt.engine.reconcile import reconcile
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.sample_ids import SAMPLE_IDS
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import InboxRepository
from ghltt.store.cursors import CursorRepository
from tests.engine.catalog import CATALOG

pytestmark = pytest.mark.anyio

Sims = tuple[GhlSimulator, TrackingTimeSimulator]
STREAMS = ("ghl.submissions",)


def _contact(sim: GhlSimulator) -> str:
    return str(next(iter(sim.state.contacts.values()))["id"])


async def test_a_new_submission_is_reported_once_with_its_answers(
    sims: Sims, ghl: GhlClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    sim = sims[0]
    first = await reconcile("b1", ghl, None, cursors, streams=STREAMS, now=clock.now())
    # The seeded submissions are history: a first poll only sets the starting point.
    assert first.events == [] and not first.errors
    first.commit(db)
    clock.advance(timedelta(minutes=1))
    contact = _contact(sim)
    form = sim.submit("form", SAMPLE_IDS["form"], contact, {"goal": "A website"})
    survey = sim.submit("survey", SAMPLE_IDS["survey"], contact, {"score": 9})

    second = await reconcile("b1", ghl, None, cursors, streams=STREAMS, now=clock.now())
    by_kind = {e.kind: e for e in second.events}
    assert set(by_kind) == {"form.submitted", "survey.submitted"}
    event = by_kind["form.submitted"]
    assert (event.source, event.origin, event.object_type) == (
        EventSource.GHL,
        EventOrigin.POLL,
        "form",
    )
    assert event.object_id == form["id"]
    assert event.payload["others"] == {"goal": "A website"}
    assert event.payload["contactId"] == contact
    assert event.payload["formId"] == SAMPLE_IDS["form"]
    assert by_kind["survey.submitted"].object_id == survey["id"]
    # Each is its catalog trigger's event: the payload it documents, and a recipe listening
    # to that trigger runs for it.
    for kind, found in by_kind.items():
        jsonschema_rs.validate(dict(TRIGGERS[f"ghl.{kind}"].payload_schema), found.payload)
        assert recipes_for(found, [_listening(kind)]) == [_listening(kind)]
    assert second.commit(db).inserted == 2

    clock.advance(timedelta(minutes=1))
    third = await reconcile("b1", ghl, None, cursors, streams=STREAMS, now=clock.now())
    assert third.events == []  # seen within the overlap: not again
    assert InboxRepository(db).count() == 2


def _listening(kind: str) -> Recipe:
    text = f"""\
version: 2
name: listens
kind: automation
description: d
trigger: {{events: [ghl.{kind}]}}
steps:
  - {{id: look, action: ghl.contacts.get, input: {{contactId: event.payload.contactId}}}}
"""
    return load_recipe_text(text, CATALOG)


async def test_the_stream_is_off_unless_a_bridge_names_it(
    sims: Sims, ghl: GhlClient, cursors: CursorRepository, clock: FixedClock
) -> None:
    report = await reconcile("b1", ghl, None, cursors, now=clock.now())
    assert "ghl.submissions" not in report.streams
    assert not any(r["path"].endswith("/submissions") for r in sims[0].request_log())


def test_the_simulator_refuses_a_submission_of_an_unknown_form(sims: Sims) -> None:
    with pytest.raises(KeyError, match="no form"):
        sims[0].submit("form", "nope", _contact(sims[0]), {})
