"""Bad input on the dashboard's forms is a message on the page, never a 500."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from ghltt.core import InvalidInput
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
        assert "No such template" in _note(
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


def test_parameter_forms_follow_the_defaults_types() -> None:
    defaults = {"flag": False, "count": 3, "ratio": 0.5, "name": "x", "tags": ["a"]}
    kinds = [f.kind for f in param_fields(defaults, {"flag": True})]
    assert kinds == ["checkbox", "number", "number", "text", "json"]
    form = {"param.flag": "true", "param.count": "4", "param.ratio": "1.5", "param.name": "y"}
    values = read_params(defaults, {**form, "param.tags": '["b", "c"]'})
    assert values == {"flag": True, "count": 4, "ratio": 1.5, "name": "y", "tags": ["b", "c"]}
    with pytest.raises(InvalidInput, match=r"params\.count"):
        read_params(defaults, {**form, "param.count": "many", "param.tags": "[]"})
    with pytest.raises(InvalidInput, match=r"params\.tags: must be a list"):
        read_params(defaults, {**form, "param.tags": "{}"})
