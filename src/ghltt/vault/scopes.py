"""Least privilege: the GHL scopes the enabled recipes need, compared with what was granted.

A missing scope is an error that names it (the recipe would fail at run time); an excess scope
is a warning (it works, but a leaked token could do more than ghltt needs).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ghltt.connectors.ghl import scopes_for
from ghltt.store.bridge_recipes import BridgeRecipeRepository
from ghltt.store.database import Database
from ghltt.vault.errors import MissingScopes

# What 'connections check' calls (one contacts search of one record).
CHECK_OPERATIONS = ("contacts.search",)
BASELINE: frozenset[str] = scopes_for(CHECK_OPERATIONS)


class HasScopes(Protocol):
    @property
    def scopes(self) -> Collection[str]: ...


def for_operations(names: Iterable[str]) -> frozenset[str]:
    """Scopes of GHL catalog operations (``contacts.upsert`` …)."""
    return scopes_for(tuple(names))


def for_actions(names: Iterable[str], catalog: Mapping[str, HasScopes]) -> frozenset[str]:
    """Scopes the named actions declare; an action unknown to ``catalog`` declares none."""
    return frozenset(s for name in names if name in catalog for s in catalog[name].scopes)


@dataclass(frozen=True)
class ScopeCheck:
    required: frozenset[str]
    granted: frozenset[str] | None  # None: the credential's scopes cannot be known

    @property
    def missing(self) -> frozenset[str]:
        return frozenset() if self.granted is None else self.required - self.granted

    @property
    def excess(self) -> frozenset[str]:
        return frozenset() if self.granted is None else self.granted - self.required

    def warnings(self) -> list[str]:
        if self.granted is None:
            return [
                "granted scopes are unknown (a Private Integration token or API key cannot be "
                "inspected); record them with --scope (once per scope) to have them checked"
            ]
        if self.excess:
            return [f"more scopes granted than needed: {', '.join(sorted(self.excess))}"]
        return []

    def require(self, *, where: str) -> None:
        if self.missing:
            raise MissingScopes(self.missing, where=where)


def compare(granted: Iterable[str] | None, required: Iterable[str]) -> ScopeCheck:
    return ScopeCheck(
        required=frozenset(required), granted=None if granted is None else frozenset(granted)
    )


def required_scopes(
    db: Database,
    *,
    bridge_id: str | None = None,
    connection_id: str | None = None,
    extra: Iterable[str] = (),
) -> frozenset[str]:
    """The smallest set to ask for: the check call's, the enabled recipes', and ``extra``."""
    enabled = BridgeRecipeRepository(db).enabled_scopes(
        bridge_id=bridge_id, connection_id=connection_id
    )
    return BASELINE | enabled | frozenset(extra)
