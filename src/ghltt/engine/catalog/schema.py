"""JSON Schema of actions' inputs and outputs, derived from the connectors' models.

Inputs follow the adapter's rules (``generate.py``): path parameters first, required, then
the input model's fields by wire name. Outputs are what ``records.py`` makes of the answer:
the model dumped by field name, extra keys allowed (TT adds keys often)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

__all__ = ["input_schema", "inputs_schema", "output_schema"]

_ID_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "string": {"type": "string", "minLength": 1},
}
DONE = {"type": "boolean", "const": True, "description": "the write was done"}


@cache
def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True, mode="validation")


def input_schema(
    params: tuple[str, ...],
    id_type: str,
    model: type[BaseModel] | None,
    *,
    skip: frozenset[str] = frozenset(),
    open_inputs: bool = False,
) -> dict[str, Any]:
    """An object schema: ``params`` (ids) required, the model's fields by wire name."""
    base: dict[str, Any] = (
        dict(_model_schema(model)) if model is not None else {"type": "object", "properties": {}}
    )
    properties = {k: v for k, v in base.get("properties", {}).items() if k not in skip}
    required = [k for k in base.get("required", []) if k not in skip]
    for name in reversed([p for p in params if p not in skip]):
        properties = {name: {**_ID_TYPES[id_type], "title": name}, **properties}
        required = [name, *(r for r in required if r != name)]
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if "$defs" in base:
        schema["$defs"] = base["$defs"]
    # Extra fields pass on to the API (custom fields, TT's ``json``...) where the model says so.
    extra = model is None or model.model_config.get("extra") == "allow"
    schema["additionalProperties"] = bool(open_inputs or (extra and model is not None))
    return schema


def inputs_schema(inputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The schema of inputs described only as ``Input`` (name, type, required): ghltt's own
    steps and plugins' actions. None: not described, anything passes."""
    if inputs is None:
        return {"type": "object", "additionalProperties": True}
    properties = {
        name: {} if spec.type == "any" else {"type": spec.type} for name, spec in inputs.items()
    }
    required = [name for name, spec in inputs.items() if spec.required]
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def output_schema(output: Any) -> dict[str, Any]:
    """The schema of an answer as a record; None (an answer with nothing to read) is done."""
    if output is None:
        return dict(DONE)
    found = TypeAdapter(output).json_schema(mode="serialization")
    return _open_objects(found) if isinstance(found, Mapping) else {}


def _open_objects(schema: dict[str, Any]) -> dict[str, Any]:
    """Records may add keys the models leave out: mark every object open, as the models are."""
    for definition in [schema, *schema.get("$defs", {}).values()]:
        if definition.get("type") == "object":
            definition.setdefault("additionalProperties", True)
    return schema
