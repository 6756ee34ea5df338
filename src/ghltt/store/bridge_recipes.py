"""Rows of ``bridge_recipes``: which recipes are enabled on which bridge, with the GHL scopes
they need, and why one was switched off."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ghltt.core import utcnow
from ghltt.store.tables import bridge_recipes, bridges


@dataclass(frozen=True)
class RecipeState:
    bridge_id: str
    recipe: str
    enabled: bool
    scopes: list[str]
    disabled_reason: str | None

    def public(self) -> dict[str, Any]:
        return dict(self.__dict__)


def revoked_reason(connection_id: str) -> str:
    # Machine-readable prefix: reconnecting re-enables exactly what revoking switched off.
    return f"connection {connection_id} revoked"


def _bridges_of(connection_id: str) -> sa.Select[tuple[str]]:
    return sa.select(bridges.c.id).where(
        (bridges.c.ghl_connection_id == connection_id)
        | (bridges.c.tt_connection_id == connection_id)
    )


class BridgeRecipeRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def upsert(self, bridge_id: str, recipe: str, *, enabled: bool, scopes: Iterable[str]) -> None:
        dialect = postgresql if self.db.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(bridge_recipes)
        values = {"enabled": enabled, "scopes": sorted(set(scopes)), "disabled_reason": None}
        stmt = insert.values(bridge_id=bridge_id, recipe=recipe, updated_at=utcnow(), **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["bridge_id", "recipe"], set_={**values, "updated_at": utcnow()}
        )
        with self.db.begin() as conn:
            conn.execute(stmt)

    def set_enabled(
        self, bridge_id: str, recipe: str, *, enabled: bool, reason: str | None = None
    ) -> bool:
        with self.db.begin() as conn:
            done = conn.execute(
                bridge_recipes.update()
                .where(bridge_recipes.c.bridge_id == bridge_id, bridge_recipes.c.recipe == recipe)
                .values(enabled=enabled, disabled_reason=reason, updated_at=utcnow())
            )
        return bool(done.rowcount)

    def disable_for_connection(self, connection_id: str) -> int:
        """Switch off the enabled recipes of every bridge that uses the connection."""
        with self.db.begin() as conn:
            done = conn.execute(
                bridge_recipes.update()
                .where(
                    bridge_recipes.c.bridge_id.in_(_bridges_of(connection_id)),
                    bridge_recipes.c.enabled.is_(True),
                )
                .values(
                    enabled=False,
                    disabled_reason=revoked_reason(connection_id),
                    updated_at=utcnow(),
                )
            )
        return int(done.rowcount)

    def reenable_for_connection(self, connection_id: str) -> int:
        """Switch back on what revoking this connection switched off (nothing else)."""
        with self.db.begin() as conn:
            done = conn.execute(
                bridge_recipes.update()
                .where(
                    bridge_recipes.c.bridge_id.in_(_bridges_of(connection_id)),
                    bridge_recipes.c.disabled_reason == revoked_reason(connection_id),
                )
                .values(enabled=True, disabled_reason=None, updated_at=utcnow())
            )
        return int(done.rowcount)

    def of_bridge(self, bridge_id: str) -> list[RecipeState]:
        stmt = (
            sa.select(bridge_recipes)
            .where(bridge_recipes.c.bridge_id == bridge_id)
            .order_by(bridge_recipes.c.recipe)
        )
        with self.db.connect() as conn:
            return [
                RecipeState(
                    r.bridge_id, r.recipe, r.enabled, list(r.scopes or []), r.disabled_reason
                )
                for r in conn.execute(stmt)
            ]

    def enabled_among(self, bridge_id: str, names: Iterable[str]) -> set[str]:
        """Which of ``names`` are enabled on the bridge."""
        c = bridge_recipes.c
        stmt = sa.select(c.recipe).where(
            (c.bridge_id == bridge_id) & c.enabled.is_(True) & c.recipe.in_(list(names))
        )
        with self.db.connect() as conn:
            rows: list[Any] = list(conn.execute(stmt).scalars())
        return {str(name) for name in rows}

    def enabled_scopes(
        self, *, bridge_id: str | None = None, connection_id: str | None = None
    ) -> frozenset[str]:
        """Union of the scopes of the enabled recipes of one bridge, of the bridges of one GHL
        connection, or (neither given) of every bridge."""
        stmt = (
            sa.select(bridge_recipes.c.scopes)
            .join(bridges, bridges.c.id == bridge_recipes.c.bridge_id)
            .where(bridge_recipes.c.enabled.is_(True))
        )
        if bridge_id is not None:
            stmt = stmt.where(bridges.c.id == bridge_id)
        if connection_id is not None:
            stmt = stmt.where(bridges.c.ghl_connection_id == connection_id)
        with self.db.connect() as conn:
            rows: list[list[str] | None] = list(conn.execute(stmt).scalars())
        return frozenset(str(s) for scopes in rows for s in scopes or ())
