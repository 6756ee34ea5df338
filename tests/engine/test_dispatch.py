"""Dispatch: which enabled recipes an event runs, schedule ticks and their items included."""

from __future__ import annotations

from ghltt.core import Event, EventSource
from ghltt.engine.dispatch import (
    event_patterns,
    matches,
    recipes_for,
    schedule_kind,
    shipped_recipe,
)


def test_patterns_match_plain_and_source_qualified_kinds() -> None:
    patterns = ("ghl.contact.*", "task.created")
    ghl = Event(source=EventSource.GHL, kind="contact.updated", dedup_key="a")
    tt = Event(source=EventSource.TT, kind="contact.updated", dedup_key="b")
    task = Event(source=EventSource.TT, kind="task.created", dedup_key="c")
    assert matches(patterns, ghl) and not matches(patterns, tt) and matches(patterns, task)


def test_an_event_runs_the_enabled_recipes_it_concerns_by_name() -> None:
    enabled = [shipped_recipe(n) for n in ("tasks", "contacts", "hours")]
    contact = Event(source=EventSource.GHL, kind="contact.updated", dedup_key="a")
    assert [r.name for r in recipes_for(contact, enabled)] == ["contacts"]
    task = Event(source=EventSource.TT, kind="task.updated", dedup_key="b")
    assert [r.name for r in recipes_for(task, enabled)] == ["tasks"]
    unknown = Event(source=EventSource.GHL, kind="opportunity.created", dedup_key="c")
    assert recipes_for(unknown, enabled) == []


def test_a_scheduled_recipe_runs_for_its_ticks_and_their_items() -> None:
    hours = shipped_recipe("hours")
    assert {"schedule.recipe.hours", "schedule.recipe.hours.item"} <= set(event_patterns(hours))
    for kind in ("recipe.hours", "recipe.hours.item"):
        tick = Event(source=EventSource.SCHEDULE, kind=kind, dedup_key=kind)
        assert recipes_for(tick, [hours, shipped_recipe("contacts")]) == [hours]


def test_a_scheduled_recipe_with_a_hyphen_in_its_name_gets_its_ticks() -> None:
    tags = shipped_recipe("activity-tags")
    tick = Event(source=EventSource.SCHEDULE, kind=schedule_kind(tags.name), dedup_key="t")
    assert tick.kind == "recipe.activity-tags"
    assert recipes_for(tick, [tags, shipped_recipe("hours")]) == [tags]
