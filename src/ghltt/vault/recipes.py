"""Which recipes are enabled on which bridge, and why one was switched off."""

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


def upsert(
    engine: sa.Engine, bridge_id: str, recipe: str, *, enabled: bool, scopes: Iterable[str]
) -> None:
    insert = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(
        bridge_recipes
    )
    values = {"enabled": enabled, "scopes": sorted(set(scopes)), "disabled_reason": None}
    stmt = insert.values(bridge_id=bridge_id, recipe=recipe, updated_at=utcnow(), **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["bridge_id", "recipe"], set_={**values, "updated_at": utcnow()}
    )
    with engine.begin() as conn:
        conn.execute(stmt)


def set_enabled(
    engine: sa.Engine, bridge_id: str, recipe: str, *, enabled: bool, reason: str | None = None
) -> bool:
    with engine.begin() as conn:
        done = conn.execute(
            bridge_recipes.update()
            .where(bridge_recipes.c.bridge_id == bridge_id, bridge_recipes.c.recipe == recipe)
            .values(enabled=enabled, disabled_reason=reason, updated_at=utcnow())
        )
    return bool(done.rowcount)


def _bridges_of(connection_id: str) -> sa.Select[tuple[str]]:
    return sa.select(bridges.c.id).where(
        (bridges.c.ghl_connection_id == connection_id)
        | (bridges.c.tt_connection_id == connection_id)
    )


def disable_for_connection(engine: sa.Engine, connection_id: str) -> int:
    """Switch off the enabled recipes of every bridge that uses the connection."""
    with engine.begin() as conn:
        done = conn.execute(
            bridge_recipes.update()
            .where(
                bridge_recipes.c.bridge_id.in_(_bridges_of(connection_id)),
                bridge_recipes.c.enabled.is_(True),
            )
            .values(
                enabled=False, disabled_reason=revoked_reason(connection_id), updated_at=utcnow()
            )
        )
    return int(done.rowcount)


def reenable_for_connection(engine: sa.Engine, connection_id: str) -> int:
    """Switch back on what revoking this connection switched off (nothing else)."""
    with engine.begin() as conn:
        done = conn.execute(
            bridge_recipes.update()
            .where(
                bridge_recipes.c.bridge_id.in_(_bridges_of(connection_id)),
                bridge_recipes.c.disabled_reason == revoked_reason(connection_id),
            )
            .values(enabled=True, disabled_reason=None, updated_at=utcnow())
        )
    return int(done.rowcount)


def of_bridge(engine: sa.Engine, bridge_id: str) -> list[RecipeState]:
    stmt = (
        sa.select(bridge_recipes)
        .where(bridge_recipes.c.bridge_id == bridge_id)
        .order_by(bridge_recipes.c.recipe)
    )
    with engine.connect() as conn:
        return [
            RecipeState(r.bridge_id, r.recipe, r.enabled, list(r.scopes or []), r.disabled_reason)
            for r in conn.execute(stmt)
        ]
