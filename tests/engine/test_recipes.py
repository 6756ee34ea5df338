from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ghltt.core import Event, EventSource, InvalidInput
from ghltt.engine.mapping import DictResolver, Invalid, MappingContext, MappingFailed
from ghltt.engine.mapping.locate import Locator
from ghltt.engine.recipes import (
    AutomationRecipe,
    SyncRecipe,
    build_context,
    build_scope,
    check_condition,
    load_recipe,
    load_recipe_text,
    load_recipes,
    plan_step,
    required_scopes,
    with_output,
)
from tests.engine.catalog import CATALOG

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

AUTOMATION = """\
version: 2
name: welcome
kind: automation
description: Tag new TT users' contacts.
params:
  tag: new
trigger:
  events: [tt.user.created]
conditions:
  - {path: event.payload.data.email, op: exists}
steps:
  - id: contact
    action: ghl.contacts.upsert
    input:
      email: {from: event.payload.data.email, transforms: [lower]}
  - id: tag
    action: ghl.tags.add
    input:
      contactId: steps.contact.output.contact.id
      tags: {jmespath: "[params.tag]"}
"""


def test_automation_loads_and_plans() -> None:
    recipe = load_recipe_text(AUTOMATION, CATALOG, file="welcome.yaml")
    assert isinstance(recipe, AutomationRecipe)
    assert recipe.matches("tt", "user.created")
    assert not recipe.matches("ghl", "contact.created")
    event = Event(
        source=EventSource.TT,
        kind="user.created",
        dedup_key="k",
        payload={"data": {"email": "A@B.C"}},
    )
    scope = build_scope(recipe, event)
    ctx = build_context(recipe, now=NOW)
    assert recipe.conditions_hold(scope, ctx)
    first = plan_step(recipe.steps[0], scope, ctx)
    assert first.outcome == "call"
    assert first.invocations[0].input == {"email": "a@b.c"}
    scope = with_output(scope, "contact", {"contact": {"id": "c1"}})
    second = plan_step(recipe.steps[1], scope, ctx)
    assert second.invocations[0].input == {"contactId": "c1", "tags": ["new"]}
    assert second.invocations[0].mapped.provenance["contactId"].sources == (
        "steps.contact.output.contact.id",
    )


def test_required_scopes_from_the_catalog() -> None:
    recipe = load_recipe_text(AUTOMATION, CATALOG)
    assert required_scopes(recipe, CATALOG) == {"contacts.write"}


def test_version_1_files_are_migrated() -> None:
    old = AUTOMATION.replace("version: 2", "version: 1").replace(
        "trigger:\n  events: [tt.user.created]", "trigger: tt.user.created"
    )
    recipe = load_recipe_text(old, CATALOG)
    assert isinstance(recipe, AutomationRecipe)
    assert recipe.model.trigger.events == ["tt.user.created"]
    assert recipe.model.version == 2


def test_sync_v1_policies_are_lifted() -> None:
    text = """\
version: 1
name: people
kind: sync
description: d
ghl: contact
tt: customer
direction: ghl_to_tt
policies: {conflict: ghl_wins, delete: ignore}
ghl_to_tt:
  name: name
"""
    recipe = load_recipe_text(text, CATALOG)
    assert isinstance(recipe, SyncRecipe)
    assert recipe.model.conflict == "ghl_wins"
    assert recipe.delete_action("ghl_to_tt") == "ignore"


def test_newer_version_is_refused() -> None:
    with pytest.raises(Invalid, match=r"<recipe>:1:1: version: version 9 is newer"):
        load_recipe_text(AUTOMATION.replace("version: 2", "version: 9"), CATALOG)


BROKEN = """\
version: 2
name: Bad Name
kind: automation
description: x
trigger:
  events: [tt.user.created, "not a kind"]
  schedule: {cron: "61 * * * *"}
stepz: []
steps:
  - id: a
    action: ghl.contacts.upsrt
    input: {email: event.email}
"""


def test_structure_errors_point_at_lines() -> None:
    with pytest.raises(Invalid) as caught:
        load_recipe_text(BROKEN, CATALOG, file="bad.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith("bad.yaml:2:1: name: use lower-case letters") for line in lines)
    assert any(line.startswith("bad.yaml:6:3: trigger.events:") for line in lines)
    assert any(
        line.startswith("bad.yaml:7:14: trigger.schedule.cron: cron minute: 61") for line in lines
    )
    assert "bad.yaml:8:1: stepz: unknown field" in lines
    assert isinstance(caught.value, InvalidInput)


def test_step_errors() -> None:
    text = AUTOMATION.replace("ghl.tags.add", "ghl.tags.ad").replace(
        "steps.contact.output", "steps.later.output"
    )
    text += """\
  - id: later
    action: ghl.tasks.create
    input:
      contactId: params.nope
      title: {value: 5}
      completed: {value: false}
      dueDate: {value: "2026-01-01"}
      color: {value: red}
"""
    with pytest.raises(Invalid) as caught:
        load_recipe_text(text, CATALOG, file="s.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert lines == [
        "s.yaml:17:5: steps[1].action: unknown action 'ghl.tags.ad'; did you mean 'ghl.tags.add'?",
        "s.yaml:19:7: steps[1].input.contactId: step 'later' does not run before this one",
        "s.yaml:24:7: steps[2].input.contactId: no parameter 'nope' in params",
        "s.yaml:28:7: steps[2].input.color: unknown field of ghl.task",
    ]
    without_color = text.replace("      color: {value: red}\n", "")
    with pytest.raises(Invalid) as caught:
        load_recipe_text(without_color, CATALOG, file="s.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert "s.yaml:25:7: steps[2].input.title: input 'title' takes string, got int" in lines


def test_missing_required_input() -> None:
    text = AUTOMATION.replace('      tags: {jmespath: "[params.tag]"}\n', "")
    with pytest.raises(Invalid, match=r"steps\[1\]\.input: required input 'tags' is missing"):
        load_recipe_text(text, CATALOG)


def test_yaml_syntax_and_duplicate_keys() -> None:
    with pytest.raises(Invalid, match=r"^x.yaml:2:\d+: YAML:"):
        load_recipe_text("name: a\nname: b\n", CATALOG, file="x.yaml")
    with pytest.raises(Invalid, match=r"^x.yaml:2:1: YAML:"):
        load_recipe_text("a: [1,\n", CATALOG, file="x.yaml")
    with pytest.raises(Invalid, match="kind must be 'sync' or 'automation'"):
        load_recipe_text("name: a\n", CATALOG)


SYNC = """\
version: 2
name: people
kind: sync
description: d
ghl: contact
tt: customer
match:
  - {ghl: email, tt: contact_email}
delete: {ghl_to_tt: archive, tt_to_ghl: ignore}
filter:
  ghl: [{path: email, op: exists}]
ghl_to_tt:
  name: name
  contact_email: {from: email, transforms: [lower]}
tt_to_ghl:
  email: contact_email
"""


def test_sync_recipe() -> None:
    recipe = load_recipe_text(SYNC, CATALOG)
    assert isinstance(recipe, SyncRecipe)
    assert recipe.event_kinds() == ("ghl.contact.*", "tt.customer.*")
    assert recipe.matches("ghl", "contact.updated")
    ctx = MappingContext()
    assert recipe.accepts("ghl", {"email": "a@b"}, ctx)
    assert not recipe.accepts("ghl", {}, ctx)
    assert recipe.match_candidates("ghl", {"email": " A@B.c "}) == [("contact_email", "a@b.c")]
    assert "tt.customers.close" in recipe.actions
    assert "ghl.contacts.delete" not in recipe.actions
    assert required_scopes(recipe, CATALOG) == {"contacts.readonly", "contacts.write"}


def test_sync_errors() -> None:
    text = SYNC.replace("contact_email: {from", "contact_emial: {from").replace(
        "tt_to_ghl:\n  email: contact_email\n", ""
    )
    text = text.replace("{ghl: email, tt: contact_email}", "{ghl: email, tt: mail}")
    with pytest.raises(Invalid) as caught:
        load_recipe_text(text, CATALOG, file="p.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert "p.yaml:8:18: match[0].tt: tt.customer has no field 'mail' to match on" in lines
    assert any(
        line.startswith("p.yaml:14:3: ghl_to_tt.contact_emial: unknown field") for line in lines
    )
    assert any("tt_to_ghl: this direction is synced but has no mapping" in line for line in lines)


def test_import_keys_name_the_side_they_match_on() -> None:
    keys = "import:\n  match:\n    - {tt: contact_email}\n    - {ghl: email}\n    - {}\n"
    with pytest.raises(Invalid) as caught:
        load_recipe_text(SYNC + keys, CATALOG, file="k.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert any("import.match[2]: a key names a field on ghl, tt or both" in x for x in lines)
    assert len(lines) == 1, lines  # a key may name one side only
    recipe = load_recipe_text(SYNC + keys.replace("    - {}\n", ""), CATALOG)
    assert isinstance(recipe, SyncRecipe)
    assert [(k.fields("ghl"), k.fields("tt")) for k in recipe.model.import_keys()] == [
        ((), ("contact_email",)),
        (("email",), ()),
    ]


def test_archive_needs_an_archivable_target() -> None:
    text = SYNC.replace("delete: {ghl_to_tt: archive, tt_to_ghl: ignore}", "delete: archive")
    with pytest.raises(Invalid, match=r"ghl\.contact cannot be archived"):
        load_recipe_text(text, CATALOG)


def test_cross_references_between_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SYNC)
    child = AUTOMATION.replace(
        "  events: [tt.user.created]", "  schedule: {cron: '@daily', per_link: people}"
    )
    (tmp_path / "b.yaml").write_text(child)
    recipes, problems = load_recipes(sorted(tmp_path.iterdir()), CATALOG)
    assert problems == [] and len(recipes) == 2
    (tmp_path / "a.yaml").unlink()
    recipes, problems = load_recipes(sorted(tmp_path.iterdir()), CATALOG)
    assert [p.message for p in problems] == ["no sync recipe named 'people'"]
    with pytest.raises(Invalid, match="cannot read"):
        load_recipe(tmp_path / "missing.yaml", CATALOG)


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ("record.n > `2`", True),
        ("record.missing", False),
        ({"path": "record.n", "op": "gte", "value": 3}, True),
        ({"path": "record.n", "op": "lt", "value": "x"}, False),
        ({"path": "record.tags", "op": "contains", "value": "vip"}, True),
        ({"path": "record.s", "op": "in", "value": ["a", "b"]}, True),
        ({"path": "record.s", "op": "starts_with", "value": "a"}, True),
        ({"path": "record.at", "op": "before", "value": "$now"}, True),
        ({"path": "record.local", "op": "after", "value": "$now", "tz": "Asia/Tokyo"}, False),
        ({"not": {"path": "record.gone", "op": "exists"}}, True),
        ({"any": [{"path": "record.n", "op": "eq", "value": 1}, "record.tags"]}, True),
        ({"all": [{"path": "record.n", "op": "eq", "value": 1}, "record.tags"]}, False),
    ],
)
def test_conditions(condition: object, holds: bool) -> None:
    compiled, problems = check_condition(condition, Locator("c"))
    assert problems == [] and compiled is not None
    scope = {
        "record": {
            "n": 3,
            "tags": ["vip"],
            "s": "a",
            "at": "2026-04-30T00:00:00Z",
            "local": "2026-05-01 20:00:00",
        }
    }
    assert compiled.holds(scope, MappingContext(now=NOW)) is holds


def test_condition_errors() -> None:
    _, problems = check_condition({"path": "a", "op": "near", "value": 1}, Locator("c.yaml"))
    assert problems[0].message.startswith("unknown operator 'near'")
    _, problems = check_condition({"path": "a", "op": "in", "value": 1}, Locator("c.yaml"))
    assert problems[0].message == "in needs a list value"
    _, problems = check_condition("a[?", Locator("c.yaml"))
    assert problems[0].message.startswith("bad JMESPath expression")


FOR_EACH = """\
version: 2
name: fan
kind: automation
description: d
params: {limit: 2}
trigger: {events: [ghl.contact.updated]}
steps:
  - id: calc
    action: ghltt.set
    input:
      total: {jmespath: "sum(event.payload.items[].n)"}
  - id: stop_small
    action: ghltt.stop
    when: "steps.calc.output.total < `1`"
  - id: each
    action: ghl.tags.add
    for_each: event.payload.items
    when: "item.n >= params.limit"
    once: "{{ item.n }}"
    input:
      contactId: event.object_id
      tags: {jmespath: "[item.tag]"}
"""


def test_for_each_set_stop_and_once() -> None:
    recipe = load_recipe_text(FOR_EACH, CATALOG)
    assert isinstance(recipe, AutomationRecipe)
    items = [{"n": 1, "tag": "a"}, {"n": 2, "tag": "b"}, {"n": 3, "tag": "c"}]
    scope = build_scope(recipe, {"object_id": "c9", "payload": {"items": items}})
    ctx = build_context(recipe, now=NOW)
    calc = plan_step(recipe.steps[0], scope, ctx)
    assert calc.outcome == "set" and calc.output == {"total": 6}
    scope = with_output(scope, "calc", calc.output)
    assert plan_step(recipe.steps[1], scope, ctx).outcome == "skip"
    each = plan_step(recipe.steps[2], scope, ctx)
    assert [i.input["tags"] for i in each.invocations] == [["b"], ["c"]]
    assert [i.once_key for i in each.invocations] == ["each:2", "each:3"]
    assert each.skipped_items == (0,)
    stopped = with_output(scope, "calc", {"total": 0})
    assert plan_step(recipe.steps[1], stopped, ctx).outcome == "stop"


def test_runtime_type_errors_name_the_input() -> None:
    recipe = load_recipe_text(FOR_EACH, CATALOG, file="fan.yaml")
    assert isinstance(recipe, AutomationRecipe)
    scope = build_scope(recipe, {"object_id": 5, "payload": {"items": [{"n": 3, "tag": "x"}]}})
    with pytest.raises(MappingFailed, match=r"fan.yaml:21:7: steps\[2\].input.contactId: input"):
        plan_step(recipe.steps[2], scope, build_context(recipe, now=NOW))


def test_resolver_reaches_step_custom_fields() -> None:
    text = AUTOMATION.replace(
        "      email: {from: event.payload.data.email, transforms: [lower]}",
        "      email: {from: event.payload.data.email, transforms: [lower]}\n"
        "      custom:contact.plan: {value: pro}",
    )
    recipe = load_recipe_text(text, CATALOG)
    assert isinstance(recipe, AutomationRecipe)
    scope = build_scope(recipe, {"payload": {"data": {"email": "a@b"}}})
    resolver = DictResolver({("ghl.contact", "contact.plan"): "f1"})
    decision = plan_step(recipe.steps[0], scope, build_context(recipe, now=NOW, resolver=resolver))
    body = decision.invocations[0].input
    assert body == {"email": "a@b", "customFields": [{"id": "f1", "field_value": "pro"}]}


def test_a_source_path_the_source_record_does_not_have_is_flagged() -> None:
    text = SYNC.replace("tt_to_ghl:\n  email: contact_email", "tt_to_ghl:\n  email: contact_emial")
    text = text.replace("{from: email", "{from: emial")
    with pytest.raises(Invalid) as caught:
        load_recipe_text(text, CATALOG, file="p.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert any(
        line.startswith("p.yaml:")
        and "ghl_to_tt.contact_email: ghl.contact records have no field 'emial'" in line
        and "did you mean 'email'?" in line
        for line in lines
    ), lines
    assert any(
        "tt_to_ghl.email: tt.customer records have no field 'contact_emial'" in line
        for line in lines
    ), lines
    # Paths into nested fields, custom fields and context variables are not second-guessed.
    fine = SYNC.replace("{from: email", '{from: "customFields[0].value"')
    assert isinstance(load_recipe_text(fine, CATALOG), SyncRecipe)
