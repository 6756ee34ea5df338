"""Rows of ``bridge_recipes``: which recipes are enabled on which bridge, with the GHL scopes
they need, why one was switched off and which stored version it runs; and ``recipe_versions``,
every text of a recipe file enabled on a bridge."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ghltt.core import utcnow
from ghltt.store.tables import bridge_recipes, bridges, recipe_versions


@dataclass(frozen=True)
class RecipeState:
    bridge_id: str
    recipe: str
    enabled: bool
    scopes: list[str]
    disabled_reason: str | None
    # The stored version it runs; None: the template shipped with ghltt.
    version: int | None = None

    def public(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RecipeVersion:
    bridge_id: str
    recipe: str
    version: int
    sha256: str
    source: str
    created_at: datetime
    text: str

    def public(self, *, text: bool = False) -> dict[str, Any]:
        out = dict(self.__dict__)
        if not text:
            del out["text"]
        return out


def _version(row: sa.Row[Any]) -> RecipeVersion:
    return RecipeVersion(
        row.bridge_id, row.recipe, row.version, row.sha256, row.source, row.created_at, row.text
    )


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

    def upsert(
        self,
        bridge_id: str,
        recipe: str,
        *,
        enabled: bool,
        scopes: Iterable[str],
        version: int | None = None,
    ) -> None:
        """Enable (or not) a recipe; ``version`` None runs the shipped template."""
        dialect = postgresql if self.db.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(bridge_recipes)
        values = {
            "enabled": enabled,
            "scopes": sorted(set(scopes)),
            "disabled_reason": None,
            "version": version,
        }
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
                    r.bridge_id,
                    r.recipe,
                    r.enabled,
                    list(r.scopes or []),
                    r.disabled_reason,
                    r.version,
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

    def state(self, bridge_id: str, recipe: str) -> RecipeState | None:
        return next((s for s in self.of_bridge(bridge_id) if s.recipe == recipe), None)

    # ---- versions -----------------------------------------------------------------------------
    def add_version(self, bridge_id: str, recipe: str, text: str, source: str) -> tuple[int, bool]:
        """Keep a recipe's text: (its version, whether it is new). The same text as the latest
        version is that version; any other text is the next number."""
        digest = hashlib.sha256(text.encode()).hexdigest()
        c = recipe_versions.c
        key = (c.bridge_id == bridge_id) & (c.recipe == recipe)
        with self.db.begin() as conn:
            latest = conn.execute(
                sa.select(c.version, c.sha256).where(key).order_by(c.version.desc()).limit(1)
            ).first()
            if latest is not None and latest.sha256 == digest:
                return int(latest.version), False
            number = 1 if latest is None else int(latest.version) + 1
            conn.execute(
                recipe_versions.insert().values(
                    bridge_id=bridge_id,
                    recipe=recipe,
                    version=number,
                    text=text,
                    sha256=digest,
                    source=source[:500],
                    created_at=utcnow(),
                )
            )
        return number, True

    def versions(self, bridge_id: str, recipe: str) -> list[RecipeVersion]:
        """Every stored version of a recipe on a bridge, oldest first."""
        c = recipe_versions.c
        stmt = (
            sa.select(recipe_versions)
            .where(c.bridge_id == bridge_id, c.recipe == recipe)
            .order_by(c.version)
        )
        with self.db.connect() as conn:
            return [_version(r) for r in conn.execute(stmt)]

    def version(self, bridge_id: str, recipe: str, number: int) -> RecipeVersion | None:
        c = recipe_versions.c
        stmt = sa.select(recipe_versions).where(
            c.bridge_id == bridge_id, c.recipe == recipe, c.version == number
        )
        with self.db.connect() as conn:
            row = conn.execute(stmt).first()
        return _version(row) if row else None
