"""The real action catalog: every template validates against it, and it offers every action
the templates' test catalog names, with the same required inputs and scopes."""

from __future__ import annotations

from ghltt.engine.recipes import required_scopes
from ghltt.engine.recipes.templates import load_templates
from ghltt.engine.runner import ACTIONS, action_catalog
from tests.engine.catalog import CATALOG as TEST_CATALOG


def test_every_template_validates_against_the_real_catalog() -> None:
    recipes = load_templates(action_catalog())
    assert len(recipes) == 8
    scopes = set().union(*(required_scopes(r, action_catalog()) for r in recipes))
    assert "contacts.write" in scopes


def test_the_real_catalog_covers_the_test_catalog() -> None:
    for name, spec in TEST_CATALOG.items():
        real = ACTIONS[name]
        assert set(real.scopes) == set(spec.scopes), name
        assert real.object_type == spec.object_type, name
        if spec.inputs and real.inputs is not None:
            wanted = {k for k, v in spec.inputs.items() if v.required}
            assert wanted == {k for k, v in real.inputs.items() if v.required}, name
