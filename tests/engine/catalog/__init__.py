"""A test catalog: every action of the real catalog as plain ``Action`` data (no calls), for
tests of the recipe loader. Inputs, scopes and object types come from the same connector
declarations the real catalog is generated from; nothing is listed by hand here."""

from __future__ import annotations

from ghltt.engine.catalog import ACTIONS
from ghltt.engine.recipes import Action

CATALOG: dict[str, Action] = {
    name: Action(spec.inputs, spec.scopes, spec.object_type, spec.custom_fields)
    for name, spec in ACTIONS.items()
}
