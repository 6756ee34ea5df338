"""Where a bridge's recipe comes from: a shipped template (by name) or a recipe file's text kept
in the store (a numbered version). Either way the same loader validates and compiles it.

``read_recipe_file(path)`` reads a file a user gives (``ghltt recipes enable BRIDGE FILE``,
``ghltt plan FILE``); ``compile_recipe(text, label)`` compiles a text, once per distinct text;
``is_file_ref(arg)`` tells a file argument from a template name; ``enable_template`` and
``enable_text`` enable one on a bridge (a changed text is a new version); ``bridge_recipe``
gives the recipe a bridge runs. References to sync recipes (``parent.recipe``,
``link.recipe``, ``per_link``) name shipped sync templates, or the recipe itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ghltt.bridges import BridgeService
from ghltt.core import NotFound
from ghltt.engine.catalog import action_catalog
from ghltt.engine.mapping import Invalid, Problem
from ghltt.engine.recipes import Recipe, check_recipe_text, parse_yaml, required_scopes
from ghltt.engine.recipes.templates import (
    load_template,
    sync_template_names,
    template_names,
)

_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class RecipeFile:
    """A recipe file as read: its label (the path as given), text and compiled recipe."""

    label: str
    text: str
    recipe: Recipe


def is_file_ref(arg: str) -> bool:
    """``my/contacts.yaml`` is a file; ``contacts`` a template name."""
    return arg.endswith(_SUFFIXES) or "/" in arg or Path(arg).is_file()


def read_recipe_file(path: str | Path) -> RecipeFile:
    """Read and check a recipe file; ``Invalid`` with every problem (file:line:col) if bad."""
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Invalid([Problem(label, None, None, "", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        message = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise Invalid([Problem(label, None, None, "", f"cannot read: {message}")]) from None
    return RecipeFile(label, text, compile_recipe(text, label))


def _sync_name(text: str) -> str | None:
    doc, problems = parse_yaml(text, "")
    if problems or not isinstance(doc, dict) or doc.get("kind") != "sync":
        return None
    name = doc.get("name")
    return name if isinstance(name, str) else None


@lru_cache(maxsize=256)
def compile_recipe(text: str, label: str) -> Recipe:
    """Validate and compile a recipe's text (``label`` names it in problems)."""
    syncs = {*sync_template_names(), *filter(None, [_sync_name(text)])}
    recipe, problems = check_recipe_text(text, action_catalog(), file=label, sync_recipes=syncs)
    if problems or recipe is None:
        raise Invalid(problems or [Problem(label, None, None, "", "empty recipe")])
    return recipe


def known_template(name: str) -> bool:
    return name in template_names()


@dataclass(frozen=True)
class Enabled:
    """What enabling did: the recipe, the version it runs (None: the shipped template), whether
    that version is new, the GHL scopes it needs and the warnings of the scope check."""

    bridge: str
    recipe: str
    version: int | None
    new_version: bool
    scopes: list[str]
    warnings: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {**self.__dict__, "enabled": True}


def _scopes(recipe: Recipe) -> list[str]:
    return sorted(required_scopes(recipe, action_catalog()))


def enable_template(bridges: BridgeService, bridge: str, name: str) -> Enabled:
    """Enable a shipped template on a bridge: it runs the template of the installed ghltt."""
    recipe = load_template(name, action_catalog())
    row = bridges.resolve(bridge)
    needed = _scopes(recipe)
    warnings = bridges.enable_recipe(row.id, recipe.name, needed)
    return Enabled(row.name, recipe.name, None, False, needed, warnings)


def enable_text(bridges: BridgeService, bridge: str, text: str, label: str) -> Enabled:
    """Enable a recipe file's text on a bridge, kept in the store: the same text as its latest
    version is that version, a changed one the next version."""
    recipe = compile_recipe(text, label)
    row = bridges.resolve(bridge)
    needed = _scopes(recipe)
    version, new, warnings = bridges.enable_recipe_text(row.id, recipe.name, needed, text, label)
    return Enabled(row.name, recipe.name, version, new, needed, warnings)


def bridge_recipe(bridges: BridgeService, bridge: str, name: str) -> tuple[Recipe, int | None]:
    """The recipe ``name`` as the bridge runs it, with its stored version (None: the shipped
    template). A recipe the bridge has never enabled is the template of that name."""
    row = bridges.resolve(bridge)
    state = bridges.recipes.state(row.id, name)
    if state is None or state.version is None:
        if not known_template(name):
            raise NotFound(
                f"no recipe {name!r} on bridge {row.name} ('ghltt bridges show {row.name}' "
                "lists its recipes)"
            )
        return load_template(name, action_catalog()), None
    stored = bridges.recipes.version(row.id, name, state.version)
    if stored is None:
        raise NotFound(f"recipe {name} has no version {state.version} on bridge {row.name}")
    return compile_recipe(stored.text, f"{name} v{state.version}"), state.version


__all__ = [
    "Enabled",
    "RecipeFile",
    "bridge_recipe",
    "compile_recipe",
    "enable_template",
    "enable_text",
    "is_file_ref",
    "known_template",
    "read_recipe_file",
]
