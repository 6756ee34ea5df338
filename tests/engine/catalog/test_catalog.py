"""The real action catalog: every template validates against it, it offers every action of the
test catalog with the same required inputs and scopes, and its generated entries say what
their connector declarations say."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from ghltt.connectors.ghl import CATALOG as GHL
from ghltt.connectors.trackingtime.catalog import OPERATIONS as TT
from ghltt.engine.catalog import ACTIONS, GENERATED, action_catalog
from ghltt.engine.catalog.generate import input_type
from ghltt.engine.recipes import required_scopes
from ghltt.engine.recipes.templates import load_templates, template_names
from tests.engine.catalog import CATALOG as TEST_CATALOG

# What a step must give each action (before the catalog was generated these were listed by
# hand; ghl.notes.update now also requires its noteId, a path parameter it cannot go without).
REQUIRED: dict[str, set[str]] = {
    "ghl.contacts.get": {"contactId"},
    "ghl.contacts.upsert": set(),
    "ghl.contacts.update": {"contactId"},
    "ghl.contacts.delete": {"contactId"},
    "ghl.tags.add": {"tags", "contactId"},
    "ghl.tags.remove": {"tags", "contactId"},
    "ghl.tasks.get": {"taskId", "contactId"},
    "ghl.tasks.create": {"title", "dueDate", "completed", "contactId"},
    "ghl.tasks.update": {"dueDate", "completed", "title", "contactId", "taskId"},
    "ghl.tasks.delete": {"taskId", "contactId"},
    "ghl.notes.get": {"noteId", "contactId"},
    "ghl.notes.create": {"body", "contactId"},
    "ghl.notes.update": {"contactId", "noteId"},
    "ghl.notes.delete": {"noteId", "contactId"},
    "ghl.appointments.get": {"eventId"},
    "ghl.appointments.delete": {"eventId"},
    "tt.users.get": {"id"},
    "tt.users.assigned_tasks": {"id"},
    "tt.customers.get": {"id"},
    "tt.customers.delete": {"id"},
    "tt.customers.close": {"id"},
    "tt.customers.open": {"id"},
    "tt.projects.get": {"id"},
    "tt.projects.close": {"id"},
    "tt.projects.open": {"id"},
    "tt.tasks.get": {"id"},
    "tt.tasks.add": {"name"},
    "tt.tasks.delete": {"id"},
    "tt.tasks.close": {"id"},
    "tt.tasks.open": {"id"},
    "tt.events.get": {"id"},
    "tt.events.list": {"filter"},
    "tt.events.delete": {"id"},
    "ghltt.links.find": {"recipe"},
}
# Inputs not described: the API takes more than its model names (TT custom fields, ...).
UNDESCRIBED = {
    "ghl.appointments.create",
    "ghl.appointments.update",
    "tt.customers.add",
    "tt.customers.update",
    "tt.tasks.update",
    "tt.events.add",
    "tt.events.update",
}
OBJECT_TYPES = {
    "ghl.contacts.upsert": "ghl.contact",
    "ghl.contacts.update": "ghl.contact",
    "ghl.tasks.create": "ghl.task",
    "ghl.tasks.update": "ghl.task",
    "ghl.notes.create": "ghl.note",
    "ghl.notes.update": "ghl.note",
    "ghl.appointments.create": "ghl.appointment",
    "ghl.appointments.update": "ghl.appointment",
    "tt.customers.add": "tt.customer",
    "tt.customers.update": "tt.customer",
    "tt.tasks.add": "tt.task",
    "tt.tasks.update": "tt.task",
    "tt.events.add": "tt.event",
    "tt.events.update": "tt.event",
}
READS = {
    "ghl.contacts.get",
    "ghl.tasks.get",
    "ghl.notes.get",
    "ghl.appointments.get",
    "tt.users.get",
    "tt.users.assigned_tasks",
    "tt.customers.get",
    "tt.projects.get",
    "tt.tasks.get",
    "tt.events.get",
    "tt.events.list",
    "ghltt.links.find",
}


def test_every_template_validates_against_the_real_catalog() -> None:
    recipes = load_templates(action_catalog())
    assert len(recipes) == len(template_names()) >= 10
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


@pytest.mark.parametrize("name", sorted(set(REQUIRED) | UNDESCRIBED))
def test_each_action_keeps_its_inputs_type_and_scopes(name: str) -> None:
    action = ACTIONS[name]
    if name in UNDESCRIBED:
        assert action.inputs is None
    else:
        assert action.inputs is not None
        assert {k for k, v in action.inputs.items() if v.required} == REQUIRED[name]
    assert action.object_type == OBJECT_TYPES.get(name)
    assert action.writes is (name not in READS)
    if name.startswith("ghl."):
        assert action.scopes == GHL[name.removeprefix("ghl.")].scopes
    else:
        assert action.scopes == ()


def _fields(model: type[BaseModel] | None) -> dict[str, Any]:
    if model is None:
        return {}
    return {(f.alias or n): f for n, f in model.model_fields.items() if f.alias != "locationId"}


@pytest.mark.parametrize("action", GENERATED, ids=lambda a: a.name)
def test_generated_inputs_are_the_declared_path_and_input_model(action: Any) -> None:
    """Path parameters first (ids: text for GHL, integers for TT; never the location, which
    the client fills), then the input model's fields by wire name, typed and required as the
    model says."""
    system, _, name = action.name.partition(".")
    op = GHL[name] if system == "ghl" else TT[name]
    if action.inputs is None:
        return
    fields = _fields(op.input)
    params = [p for p in op.path_params if p != "locationId"]
    assert list(action.inputs)[: len(params)] == params
    assert set(action.inputs) == set(params) | set(fields)
    for key in params:
        assert action.inputs[key].type == ("string" if system == "ghl" else "integer")
        assert action.inputs[key].required
    for key, field in fields.items():
        assert action.inputs[key].type == input_type(field.annotation)
        if field.is_required():
            assert action.inputs[key].required, key


def test_input_types_from_annotations() -> None:
    assert input_type(str | None) == "string"
    assert input_type(list[str] | None) == "array"
    assert input_type(dict[str, Any] | None) == "object"
    assert input_type(bool) == "boolean"
    assert input_type(int | None) == "integer"
    assert input_type(date | None) == "string"
    assert input_type(int | str) == "any"
    assert input_type(Any) == "any"
