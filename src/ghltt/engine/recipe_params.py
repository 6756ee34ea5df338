"""A recipe's parameters on a bridge: the schema is the recipe's ``params`` block (each key with
its default, whose type the value must keep), the values live in the bridge's settings
(``recipe_params``) and override the defaults in every run.

A parameter is declared by its default alone (its type is the default's), or in full with a
type, a description, allowed values (``enum``), bounds or the type of a list's items.
``param_schema(recipe)`` describes them; ``parse_assignments(["k=v", ...], schema)`` reads
command-line values; ``set_params`` validates and stores; ``show_params`` gives defaults,
values set and what runs use. Errors name the parameter and the type wanted, in plain words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ghltt.bridges import BridgeService
from ghltt.core import InvalidInput
from ghltt.engine.recipe_sources import bridge_recipe
from ghltt.engine.recipes import Recipe

SETTINGS_KEY = "recipe_params"


# The words errors and listings use for the recipe file's parameter types.
_KIND_OF_TYPE = {
    "string": "text",
    "integer": "whole number",
    "number": "number",
    "boolean": "true/false",
    "list": "list",
    "mapping": "mapping",
}


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    kind: str  # text, whole number, number, true/false, list, mapping, any
    description: str = ""
    enum: tuple[Any, ...] | None = None  # the values it may take
    minimum: float | None = None
    maximum: float | None = None
    items: str | None = None  # a list's items' kind, when the recipe declares it

    def public(self) -> dict[str, Any]:
        shown = {"name": self.name, "default": self.default, "type": self.kind}
        declared = {
            "description": self.description or None,
            "enum": list(self.enum) if self.enum is not None else None,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "items": self.items,
        }
        return {**shown, **{k: v for k, v in declared.items() if v is not None}}


def kind_of(value: Any) -> str:
    """The kind word (text, whole number, ...) of a value."""
    if value is None:
        return "any"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "whole number"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "mapping"
    return "any"


def _plain(value: Any) -> Any:
    """ruamel's round-trip types (CommentedMap, ScalarFloat…) as plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def param_schema(recipe: Recipe) -> dict[str, Param]:
    """The recipe's parameters: each one's default, and its type, help and allowed values as
    declared (``params: {due_days: {default: 2, type: integer, minimum: 0}}``) or, for a
    parameter given as its default alone, as the default's type."""
    schema = {}
    for name, spec in recipe.model.param_specs().items():
        default = _plain(spec.default)
        schema[name] = Param(
            name,
            default,
            _KIND_OF_TYPE[spec.type] if spec.type else kind_of(default),
            description=spec.description,
            enum=tuple(_plain(spec.enum)) if spec.enum is not None else None,
            minimum=spec.minimum,
            maximum=spec.maximum,
            items=_KIND_OF_TYPE[spec.items] if spec.items else None,
        )
    return schema


def _fits(kind: str, value: Any) -> bool:
    if kind == "any":
        return True
    if kind == "number":  # a whole number is a number too
        return kind_of(value) in ("number", "whole number")
    return kind_of(value) == kind


def check_value(param: Param, value: Any, where: str) -> Any:
    """The value if it has the parameter's type (a list keeps its items' shape)."""
    if not _fits(param.kind, value):
        raise InvalidInput(f"takes {_a(param.kind)}, got {_a(kind_of(value))}", where=where)
    if param.enum is not None and value not in param.enum:
        allowed = ", ".join(json.dumps(v) for v in param.enum)
        raise InvalidInput(f"must be one of {allowed}", where=where)
    if param.kind in ("number", "whole number"):
        if param.minimum is not None and value < param.minimum:
            raise InvalidInput(f"must be at least {param.minimum:g}", where=where)
        if param.maximum is not None and value > param.maximum:
            raise InvalidInput(f"must be at most {param.maximum:g}", where=where)
    if param.items is not None:
        item = Param(param.name, None, param.items)
        for index, entry in enumerate(value):
            check_value(item, entry, f"{where}[{index}]")
    elif param.kind == "list" and param.default:
        item = Param(param.name, param.default[0], kind_of(param.default[0]))
        for index, entry in enumerate(value):
            check_value(item, entry, f"{where}[{index}]")
            if isinstance(item.default, Mapping) and isinstance(entry, Mapping):
                unknown = sorted(set(entry) - set(item.default))
                if unknown:
                    known = ", ".join(sorted(item.default))
                    raise InvalidInput(
                        f"unknown key {unknown[0]!r} (each item has: {known})",
                        where=f"{where}[{index}]",
                    )
    return value


def _a(kind: str) -> str:
    return {"any": "any value", "list": "a list", "mapping": "a mapping"}.get(kind, kind)


def parse_assignments(items: Iterable[str], schema: Mapping[str, Param]) -> dict[str, Any]:
    """``KEY=VALUE`` words as values: text parameters take the text as written, the others a
    YAML value (``30``, ``true``, ``[a, b]``, ``[{hours: 5, tag: x}]``)."""
    values: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidInput("write KEY=VALUE", where=item)
        if key in values:
            raise InvalidInput("given twice: give each key once", where=key)
        param = _known(key, schema)
        if param.kind == "text":
            values[key] = raw
            continue
        try:
            parsed = YAML(typ="safe").load(raw) if raw.strip() else None
        except YAMLError:
            raise InvalidInput(f"not a valid value for {_a(param.kind)}", where=key) from None
        values[key] = _plain(parsed)
    return values


def _known(key: str, schema: Mapping[str, Param]) -> Param:
    param = schema.get(key)
    if param is None:
        known = ", ".join(sorted(schema)) or "none"
        raise InvalidInput(f"unknown parameter (this recipe has: {known})", where=key)
    return param


def validate_params(recipe: Recipe, values: Mapping[str, Any]) -> dict[str, Any]:
    schema = param_schema(recipe)
    return {key: check_value(_known(key, schema), value, key) for key, value in values.items()}


def set_params(
    bridges: BridgeService, bridge: str, recipe_name: str, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate and store parameter values of a recipe on a bridge; what runs use after."""
    recipe, _ = bridge_recipe(bridges, bridge, recipe_name)
    checked = validate_params(recipe, values)
    row = bridges.resolve(bridge)
    current = dict(bridges.settings(row.id).get(SETTINGS_KEY) or {})
    current[recipe.name] = {**dict(current.get(recipe.name) or {}), **checked}
    bridges.update_settings(row.id, {SETTINGS_KEY: current})
    return show_params(bridges, bridge, recipe_name)


def unset_params(
    bridges: BridgeService, bridge: str, recipe_name: str, keys: Iterable[str]
) -> dict[str, Any]:
    """Back to the recipe's defaults for these keys."""
    recipe, _ = bridge_recipe(bridges, bridge, recipe_name)
    schema = param_schema(recipe)
    row = bridges.resolve(bridge)
    current = dict(bridges.settings(row.id).get(SETTINGS_KEY) or {})
    mine = dict(current.get(recipe.name) or {})
    for key in keys:
        _known(key, schema)
        mine.pop(key, None)
    current[recipe.name] = mine
    bridges.update_settings(row.id, {SETTINGS_KEY: current})
    return show_params(bridges, bridge, recipe_name)


def show_params(bridges: BridgeService, bridge: str, recipe_name: str) -> dict[str, Any]:
    """The recipe's parameters on the bridge: type, default, value set (if any), value used."""
    recipe, version = bridge_recipe(bridges, bridge, recipe_name)
    row = bridges.resolve(bridge)
    stored = dict((bridges.settings(row.id).get(SETTINGS_KEY) or {}).get(recipe.name) or {})
    params = []
    for param in param_schema(recipe).values():
        entry = param.public()
        entry["is_set"] = param.name in stored
        if entry["is_set"]:
            entry["value"] = stored[param.name]
        entry["effective"] = stored.get(param.name, param.default)
        params.append(entry)
    return {"bridge": row.name, "recipe": recipe.name, "version": version, "params": params}


__all__ = [
    "Param",
    "check_value",
    "kind_of",
    "param_schema",
    "parse_assignments",
    "set_params",
    "show_params",
    "unset_params",
    "validate_params",
]
