"""``link:`` on an automation step: checked at load, planned per invocation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ghltt.core import Event, EventSource
from ghltt.engine.mapping import Invalid, MappingFailed
from ghltt.engine.recipes import (
    AutomationRecipe,
    LinkTarget,
    build_context,
    build_scope,
    load_recipe_text,
    plan_step,
    with_output,
)
from tests.engine.catalog import CATALOG

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

RECIPE = """\
version: 2
name: copy-tasks
kind: automation
description: TT tasks as GHL tasks, each the tasks sync's pair.
trigger:
  events: [tt.user.created]
steps:
  - id: tasks
    action: tt.users.assigned_tasks
    input:
      id: event.object_id
  - id: ghl_tasks
    action: ghl.tasks.create
    for_each: steps.tasks.output
    link: {recipe: tasks, tt_id: item.id}
    input:
      contactId: {value: c1}
      title: item.name
      dueDate: {value: "2026-05-10T00:00:00Z"}
      completed: {value: false}
"""


def load(text: str) -> AutomationRecipe:
    recipe = load_recipe_text(text, CATALOG, file="copy.yaml", sync_recipes={"tasks", "notes"})
    assert isinstance(recipe, AutomationRecipe)
    return recipe


def test_a_linked_step_plans_the_pair_of_each_item() -> None:
    recipe = load(RECIPE)
    event = Event(
        source=EventSource.TT, kind="user.created", dedup_key="k", object_id="7", payload={}
    )
    scope = build_scope(recipe, event)
    scope = with_output(scope, "tasks", [{"id": 11, "name": "A"}, {"id": 12.0, "name": "B"}])
    decision = plan_step(recipe.steps[1], scope, build_context(recipe, now=NOW))
    assert [i.link for i in decision.invocations] == [
        LinkTarget("tasks", "tt", "11"),
        LinkTarget("tasks", "tt", "12"),
    ]
    empty = with_output(scope, "tasks", [{"name": "no id"}])
    with pytest.raises(MappingFailed, match=r"link: tt_id gives no record id"):
        plan_step(recipe.steps[1], empty, build_context(recipe, now=NOW))


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("{recipe: tasks, ghl_id: item.id}", "makes a ghl record: give tt_id"),
        ("{recipe: nope, tt_id: item.id}", "no sync recipe named 'nope'"),
        ("{recipe: tasks, tt_id: item.id, ghl_id: x}", "ghl_id or tt_id, one of them"),
        ("{recipe: tasks, tt_id: steps.later.output}", "step 'later' does not run before"),
        ("{recipe: tasks, tt_id: {jmespath: '[['}}", "link.tt_id"),
    ],
)
def test_a_bad_link_is_named_where_it_is(link: str, message: str) -> None:
    text = RECIPE.replace("{recipe: tasks, tt_id: item.id}", link)
    with pytest.raises(Invalid) as caught:
        load(text)
    found = str(caught.value)
    assert message in found and "copy.yaml:" in found, found


def test_only_a_step_that_makes_a_record_can_link() -> None:
    text = RECIPE.replace("action: ghl.tasks.create", "action: ghl.tags.add")
    with pytest.raises(Invalid, match=r"ghl.tags.add makes no GHL or TT record to link"):
        load(text)
