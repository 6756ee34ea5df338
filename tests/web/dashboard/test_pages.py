"""Bad input on the dashboard's forms is a message on the page, never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import orjson
import pytest
import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.engine.mapping.errors import Invalid
from ghltt.engine.recipe_params import Param, param_schema
from ghltt.engine.recipe_sources import compile_recipe
from ghltt.store.bridge_recipes import BridgeRecipeRepository
from ghltt.store.tables import bridges
from ghltt.web.dashboard.bridges import param_fields, read_params
from tests.web.dashboard.conftest import Served, csrf_of

# The forms' handling does not depend on the database: SQLite is enough.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _note(location: str) -> str:
    return unquote(location.partition("note=")[2])


@sqlite_only
def test_actions_on_unknown_things_say_so(served: Served) -> None:
    with served.logged_in() as client:
        csrf = csrf_of(client.get("/connections").text)
        for path, form, says in [
            ("/connections/nope/check", {}, "Not checked: "),
            ("/connections/nope/rotate", {"secret": "x"}, "Not rotated: "),
            ("/connections/nope/rotate", {"secret": " "}, "enter the new secret"),
            ("/connections/nope/revoke", {}, "Not revoked: "),
            ("/bridges", {"name": "b", "ghl_connection": "x", "tt_connection": "y"}, "Not added"),
            ("/bridges/nope/mode", {"mode": "live"}, "Mode not changed: "),
            ("/bridges/nope/recipes/contacts", {}, "Not enabled: "),
            ("/connections/oauth", {}, "Not started: "),
        ]:
            answer = client.post(path, data={"csrf": csrf, **form})
            assert answer.status_code == 303, (path, answer.text)
            assert says in _note(answer.headers["location"]), (path, answer.headers)
        assert "No such recipe" in _note(
            client.get("/bridges/nope/recipes/nope").headers["location"]
        )


@sqlite_only
def test_a_pasted_recipe_is_checked_with_its_problems_at_their_line(served: Served) -> None:
    with served.logged_in() as client:
        csrf = csrf_of(client.get("/recipes/validate").text)
        empty = client.post("/recipes/validate", data={"csrf": csrf, "text": " "})
        assert empty.status_code == 422 and "paste a recipe" in empty.text
        broken = client.post(
            "/recipes/validate", data={"csrf": csrf, "text": "version: 2\nname: [unclosed\n"}
        )
        assert broken.status_code == 422 and 'href="#line-' in broken.text
        assert 'class="error-line"' in broken.text
        upload = client.post(
            "/recipes/validate",
            data={"csrf": csrf},
            files={"file": ("mine.yaml", b"version: 2\n", "application/yaml")},
        )
        assert (upload.status_code == 422 and "mine.yaml" not in upload.text) or "problem" in (
            upload.text
        )


@sqlite_only
def test_the_plan_preview_says_what_is_missing(served: Served) -> None:
    with served.logged_in() as client:
        page = client.get("/preview", params={"bridge_ref": "nope"})
        assert page.status_code == 200 and "no bridge" in page.text


def _schema(params: dict[str, Any]) -> dict[str, Param]:
    text = "\n".join(
        [
            "version: 2",
            "name: formed",
            "kind: automation",
            "description: d",
            f"params: {orjson.dumps(params).decode()}",
            "trigger: {events: [ghl.contact.created]}",
            "steps: [{id: one, action: ghltt.stop}]",
        ]
    )
    return param_schema(compile_recipe(text, "formed.yaml"))


def test_parameter_forms_follow_the_defaults_types() -> None:
    schema = _schema({"flag": False, "count": 3, "ratio": 0.5, "name": "x", "rules": [{"a": 1}]})
    kinds = [f.kind for f in param_fields(schema, {"flag": True})]
    assert kinds == ["checkbox", "number", "number", "text", "json"]
    form = {"param.flag": "true", "param.count": "4", "param.ratio": "1.5", "param.name": "y"}
    values, _, errors = read_params(schema, {**form, "param.rules": '[{"a": 2}]'})
    assert errors == {}
    assert values == {"flag": True, "count": 4, "ratio": 1.5, "name": "y", "rules": [{"a": 2}]}
    _, entered, errors = read_params(schema, {**form, "param.count": "many", "param.rules": "{}"})
    assert errors == {"count": "must be a whole number", "rules": "takes a list, got a mapping"}
    assert entered["count"] == "many"  # shown back as typed


DECLARED = {
    "due_days": {
        "default": 2,
        "type": "integer",
        "minimum": 0,
        "maximum": 30,
        "description": "Days until the task is due.",
    },
    "priority": {"default": "normal", "enum": ["low", "normal", "high"]},
    "forms": {"default": [], "type": "list", "items": "string", "description": "Form ids."},
    "notify": {"default": True, "description": "Tell the owner."},
}


def test_a_declared_schema_gives_typed_inputs_checked_against_it() -> None:
    schema = _schema(DECLARED)
    fields = {f.name: f for f in param_fields(schema, {"forms": ["f-1", "f-2"]})}
    assert {n: f.kind for n, f in fields.items()} == {
        "due_days": "number",
        "priority": "select",
        "forms": "lines",
        "notify": "checkbox",
    }
    assert fields["due_days"].step == "1" and fields["priority"].options == [
        "low",
        "normal",
        "high",
    ]
    assert fields["forms"].value == "f-1\nf-2" and fields["notify"].value == "true"
    good = {"param.due_days": "7", "param.priority": "high", "param.forms": "a\n\n b \n"}
    values, _, errors = read_params(schema, good)
    assert errors == {}
    assert values == {"due_days": 7, "priority": "high", "forms": ["a", "b"], "notify": False}
    bad = {"param.due_days": "31", "param.priority": "urgent", "param.forms": "x"}
    _, _, errors = read_params(schema, bad)
    assert errors == {
        "due_days": "must be at most 30",
        "priority": "choose one of the listed values",
    }


@pytest.mark.parametrize(
    ("declared", "says"),
    [
        ({"default": 40, "type": "integer", "maximum": 30}, "above maximum 30"),
        ({"default": "x", "enum": ["a", "b"]}, "is not one of enum"),
        ({"default": "x", "minimum": 1}, "minimum and maximum go with"),
        ({"default": [1], "type": "list", "items": "string"}, "not of type string"),
        ({"default": "x", "type": "integer"}, "is not of type integer"),
    ],
)
def test_a_declaration_that_contradicts_itself_is_refused(
    declared: dict[str, Any], says: str
) -> None:
    with pytest.raises(Invalid) as refused:
        _schema({"p": declared})
    assert says in str(refused.value) and "'p'" in str(refused.value)


@sqlite_only
def test_the_form_of_a_bridge_recipe_shows_help_and_errors_at_their_field(
    served: Served,
) -> None:
    text = "\n".join(
        [
            "version: 2",
            "name: formed",
            "kind: automation",
            "description: d",
            f"params: {orjson.dumps(DECLARED).decode()}",
            "trigger: {events: [ghl.contact.created]}",
            "steps: [{id: one, action: ghltt.stop}]",
        ]
    )
    db = served.db()
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            bridges.insert().values(
                id="br_f", name="formy", settings={}, created_at=now, updated_at=now
            )
        )
    recipes = BridgeRecipeRepository(db)
    version, _ = recipes.add_version("br_f", "formed", text, "formed.yaml")
    recipes.upsert("br_f", "formed", enabled=False, scopes=[], version=version)
    with served.logged_in() as client:
        page = client.get("/bridges/br_f/recipes/formed")
        assert page.status_code == 200, page.text
        html = page.text
        assert 'type="number" step="1" min="0" max="30" name="param.due_days"' in html
        assert (
            'aria-describedby="p-due_days-help"' in html and "Days until the task is due." in html
        )
        assert '<select id="p-priority"' in html and "<option selected>normal</option>" in html
        assert '<textarea id="p-forms"' in html and "(one text per line)" in html
        assert 'type="checkbox" name="param.notify" value="true" checked' in html
        form = {
            "csrf": csrf_of(html),
            "param.due_days": "99",
            "param.priority": "high",
            "param.forms": "f-1",
        }
        refused = client.post("/bridges/br_f/recipes/formed", data=form)
        assert refused.status_code == 422
        assert 'id="p-due_days-error">must be at most 30<' in refused.text
        assert 'aria-invalid="true"' in refused.text and 'value="99"' in refused.text
        assert "<option selected>high</option>" in refused.text  # what was chosen stays
    with db.connect() as conn:
        settings = conn.execute(sa.select(bridges.c.settings)).scalar_one()
    assert "recipe_params" not in settings  # nothing saved
