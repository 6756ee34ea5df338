"""Which bridges there are and what they run: the routes of webhooks (GHL sends one URL
everything, naming only its location) and of the executor's schedules and recipes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ghltt.store.database import reader
from ghltt.store.tables import bridge_recipes, bridges, connections


@dataclass(frozen=True, slots=True)
class BridgeRoute:
    id: str
    mode: str
    settings: dict[str, Any]
    ghl_connection_id: str | None = None
    tt_connection_id: str | None = None


_COLUMNS = (
    bridges.c.id,
    bridges.c.mode,
    bridges.c.settings,
    bridges.c.ghl_connection_id,
    bridges.c.tt_connection_id,
)


def _route(row: sa.Row[Any]) -> BridgeRoute:
    return BridgeRoute(
        id=row.id,
        mode=row.mode,
        settings=dict(row.settings or {}),
        ghl_connection_id=row.ghl_connection_id,
        tt_connection_id=row.tt_connection_id,
    )


def bridges_for_ghl_account(db: sa.Engine, account: str) -> list[BridgeRoute]:
    """Bridges whose GHL connection is this location (or, for agency events, this company)."""
    stmt = (
        sa.select(*_COLUMNS)
        .join(connections, connections.c.id == bridges.c.ghl_connection_id)
        .where(sa.or_(connections.c.account_id == account, connections.c.company_id == account))
        .order_by(bridges.c.id)
    )
    with db.connect() as conn:
        return [_route(r) for r in conn.execute(stmt)]


def bridge_by_id(db: sa.Engine, bridge_id: str) -> BridgeRoute | None:
    stmt = sa.select(*_COLUMNS).where(bridges.c.id == bridge_id)
    with db.connect() as conn:
        row = conn.execute(stmt).first()
    return _route(row) if row else None


def all_bridges(db: sa.Engine) -> list[BridgeRoute]:
    with db.connect() as conn:
        return [_route(r) for r in conn.execute(sa.select(*_COLUMNS).order_by(bridges.c.id))]


def enabled_recipes(db: sa.Engine) -> dict[str, list[tuple[str, int | None]]]:
    """Each bridge's enabled recipes: (name, stored version or None for the shipped template),
    by name (bridges with none are left out)."""
    stmt = (
        sa.select(bridge_recipes.c.bridge_id, bridge_recipes.c.recipe, bridge_recipes.c.version)
        .where(bridge_recipes.c.enabled.is_(True))
        .order_by(bridge_recipes.c.bridge_id, bridge_recipes.c.recipe)
    )
    found: dict[str, list[tuple[str, int | None]]] = {}
    with db.connect() as conn:
        for row in conn.execute(stmt):
            found.setdefault(row.bridge_id, []).append((row.recipe, row.version))
    return found


@dataclass(frozen=True, slots=True)
class ConnectionState:
    system: str
    id: str
    status: str
    detail: str | None


def bridges_with_recipes_off_for_a_connection(db: sa.Engine) -> set[str]:
    """Bridges with a recipe a connection's revocation switched off (their events wait)."""
    c = bridge_recipes.c
    stmt = (
        sa.select(c.bridge_id)
        .distinct()
        .where(c.enabled.is_(False), c.disabled_reason.like("connection %"))
    )
    with db.connect() as conn:
        found: list[Any] = list(conn.execute(stmt).scalars())
    return {str(b) for b in found}


@dataclass(frozen=True, slots=True)
class BridgeStamp:
    """What changes whenever a bridge's mode, settings or either connection changes (a
    rotation, a revocation, a new status), with its connections' states as read with it."""

    version: tuple[Any, ...]
    connections: tuple[ConnectionState, ...]


def _stamp_of() -> sa.Select[Any]:
    ghl, tt = connections.alias("ghl"), connections.alias("tt")
    return (
        sa.select(
            bridges.c.mode,
            bridges.c.updated_at,
            ghl.c.updated_at,
            ghl.c.vault_ref,
            tt.c.updated_at,
            tt.c.vault_ref,
            ghl.c.id.label("ghl_id"),
            ghl.c.status.label("ghl_status"),
            ghl.c.status_detail.label("ghl_detail"),
            tt.c.id.label("tt_id"),
            tt.c.status.label("tt_status"),
            tt.c.status_detail.label("tt_detail"),
        )
        .outerjoin(ghl, ghl.c.id == bridges.c.ghl_connection_id)
        .outerjoin(tt, tt.c.id == bridges.c.tt_connection_id)
        .where(bridges.c.id == sa.bindparam("bridge_id"))
    )


# Built once: read before every run, and building it cost more than running it.
_STAMP_OF = _stamp_of()


def bridge_stamp(db: sa.Engine, bridge_id: str) -> BridgeStamp | None:
    """The bridge's stamp: an opened bridge is kept while it stays equal, and a run asks its
    connections' states of it instead of the store (one query a second, not one a run)."""
    with reader(db).connect() as conn:
        row = conn.execute(_STAMP_OF, {"bridge_id": bridge_id}).first()
    if row is None:
        return None
    states = tuple(
        ConnectionState(
            system, getattr(row, f"{system}_id"), status, getattr(row, f"{system}_detail")
        )
        for system in ("ghl", "tt")
        if (status := getattr(row, f"{system}_status")) is not None
    )
    return BridgeStamp(tuple(row)[:6], states)
