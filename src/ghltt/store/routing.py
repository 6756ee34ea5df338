"""Which bridges a webhook belongs to: GHL sends one URL everything, naming only its location."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ghltt.store.tables import bridges, connections


@dataclass(frozen=True, slots=True)
class BridgeRoute:
    id: str
    mode: str
    settings: dict[str, Any]


def _route(row: sa.Row[Any]) -> BridgeRoute:
    return BridgeRoute(id=row.id, mode=row.mode, settings=dict(row.settings or {}))


def bridges_for_ghl_account(engine: sa.Engine, account: str) -> list[BridgeRoute]:
    """Bridges whose GHL connection is this location (or, for agency events, this company)."""
    stmt = (
        sa.select(bridges.c.id, bridges.c.mode, bridges.c.settings)
        .join(connections, connections.c.id == bridges.c.ghl_connection_id)
        .where(sa.or_(connections.c.account_id == account, connections.c.company_id == account))
        .order_by(bridges.c.id)
    )
    with engine.connect() as conn:
        return [_route(r) for r in conn.execute(stmt)]


def bridge_by_id(engine: sa.Engine, bridge_id: str) -> BridgeRoute | None:
    stmt = sa.select(bridges.c.id, bridges.c.mode, bridges.c.settings).where(
        bridges.c.id == bridge_id
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return _route(row) if row else None


def bridge_stamp(engine: sa.Engine, bridge_id: str) -> tuple[Any, ...] | None:
    """What changes whenever a bridge's mode, settings or either connection changes (a
    rotation, a revocation, a new status): an opened bridge is kept while this stays equal."""
    ghl, tt = connections.alias("ghl"), connections.alias("tt")
    stmt = (
        sa.select(
            bridges.c.mode,
            bridges.c.updated_at,
            ghl.c.updated_at,
            ghl.c.vault_ref,
            tt.c.updated_at,
            tt.c.vault_ref,
        )
        .outerjoin(ghl, ghl.c.id == bridges.c.ghl_connection_id)
        .outerjoin(tt, tt.c.id == bridges.c.tt_connection_id)
        .where(bridges.c.id == bridge_id)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else tuple(row)
