"""The recipes that ship with ghltt (templates): the YAML files of package ``ghltt.templates``.

``list_templates()`` names them with their kind and description; ``template_text(name)`` gives
a file's text; ``load_template(name, catalog)`` and ``load_templates(catalog)`` validate and
compile them with the recipe loader.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from ghltt.engine.mapping import Invalid, Problem
from ghltt.engine.recipes import ActionCatalog, Recipe, check_recipe_text, parse_yaml

_PACKAGE = "ghltt.templates"
_SUFFIX = ".yaml"


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    kind: str
    description: str
    file: str


def _root() -> Traversable:
    return resources.files(_PACKAGE)


def _files() -> list[str]:
    root = _root()
    return sorted(p.name for p in root.iterdir() if p.name.endswith(_SUFFIX))


def template_names() -> list[str]:
    return [f.removesuffix(_SUFFIX) for f in _files()]


def template_text(name: str) -> str:
    if name not in template_names():
        raise Invalid(
            [
                Problem(
                    name,
                    None,
                    None,
                    "",
                    f"no template named {name!r} (one of: {', '.join(template_names())})",
                )
            ]
        )
    return _root().joinpath(name + _SUFFIX).read_text(encoding="utf-8")


def _label(name: str) -> str:
    return f"templates/{name}{_SUFFIX}"


def list_templates() -> list[TemplateInfo]:
    """Every shipped template with its kind and description (read, not validated)."""
    return list(_template_infos())


@functools.cache
def _template_infos() -> tuple[TemplateInfo, ...]:
    # Shipped files do not change while the process runs; the dashboard lists them per page.
    found = []
    for name in template_names():
        doc, _ = parse_yaml(template_text(name), _label(name))
        doc = doc if isinstance(doc, dict) else {}
        found.append(
            TemplateInfo(
                name,
                str(doc.get("kind", "?")),
                " ".join(str(doc.get("description", "")).split()),
                _label(name),
            )
        )
    return tuple(found)


def sync_template_names() -> list[str]:
    return [t.name for t in list_templates() if t.kind == "sync"]


def load_template(name: str, catalog: ActionCatalog) -> Recipe:
    recipe, problems = check_recipe_text(
        template_text(name), catalog, file=_label(name), sync_recipes=sync_template_names()
    )
    if problems or recipe is None:
        raise Invalid(problems or [Problem(_label(name), None, None, "", "empty template")])
    return recipe


def load_templates(catalog: ActionCatalog) -> list[Recipe]:
    """All shipped templates, compiled; ``Invalid`` lists every problem in any of them."""
    recipes: list[Recipe] = []
    problems: list[Problem] = []
    syncs = sync_template_names()
    for name in template_names():
        recipe, found = check_recipe_text(
            template_text(name), catalog, file=_label(name), sync_recipes=syncs
        )
        problems += found
        if recipe is not None:
            recipes.append(recipe)
    if problems:
        raise Invalid(problems)
    return recipes


__all__ = [
    "TemplateInfo",
    "list_templates",
    "load_template",
    "load_templates",
    "sync_template_names",
    "template_names",
    "template_text",
]
