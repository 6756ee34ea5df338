"""Least privilege: the scopes a set of enabled recipes needs, from the action catalog."""

from __future__ import annotations

from collections.abc import Iterable

from ghltt.engine.recipes.catalog import ActionCatalog
from ghltt.engine.recipes.compiled import Recipe


def required_scopes(recipe: Recipe, catalog: ActionCatalog) -> frozenset[str]:
    """Every scope the recipe's actions need (actions missing from the catalog add none;
    the loader has already reported them)."""
    return frozenset(
        scope for action in recipe.actions if action in catalog for scope in catalog[action].scopes
    )


def required_scopes_all(recipes: Iterable[Recipe], catalog: ActionCatalog) -> frozenset[str]:
    found: set[str] = set()
    for recipe in recipes:
        found |= required_scopes(recipe, catalog)
    return frozenset(found)
