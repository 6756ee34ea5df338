"""Rows of ``bridges`` (a GHL connection paired with a TT connection, its mode and settings)
and of ``bridge_webhooks`` (the subscriptions made for it on the remote side)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ghltt.core import InvalidInput, NotFound, utcnow
from ghltt.store.ids import resolve_prefix
from ghltt.store.tables import bridge_webhooks, bridges


class BridgeRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    # ---- bridges ----------------------------------------------------------------------------
    def find(self, ref: str) -> sa.Row[Any] | None:
        """A bridge by id or by name."""
        with self.db.connect() as conn:
            return conn.execute(
                sa.select(bridges).where((bridges.c.id == ref) | (bridges.c.name == ref))
            ).first()

    def resolve(self, ref: str) -> sa.Row[Any]:
        row = self.find(ref)
        if row is None:
            raise NotFound(f"no bridge {ref!r} ('ghltt bridges list' shows them)")
        return row

    def ids(self) -> list[str]:
        """Every bridge's id, by name."""
        with self.db.connect() as conn:
            return list(conn.execute(sa.select(bridges.c.id).order_by(bridges.c.name)).scalars())

    def ids_of_tt_connection(self, connection_id: str) -> list[str]:
        stmt = sa.select(bridges.c.id).where(bridges.c.tt_connection_id == connection_id)
        with self.db.connect() as conn:
            found: list[Any] = list(conn.execute(stmt).scalars().all())
        return [str(i) for i in found]

    def insert(
        self,
        bridge_id: str,
        *,
        name: str,
        mode: str,
        ghl_connection_id: str,
        tt_connection_id: str,
        now: datetime,
    ) -> None:
        """A new bridge; InvalidInput when one has that name already."""
        with self.db.begin() as conn:
            if conn.execute(sa.select(bridges.c.id).where(bridges.c.name == name)).first():
                raise InvalidInput(f"a bridge named {name!r} exists", where="name")
            conn.execute(
                bridges.insert().values(
                    id=bridge_id,
                    name=name,
                    mode=mode,
                    ghl_connection_id=ghl_connection_id,
                    tt_connection_id=tt_connection_id,
                    settings={},
                    created_at=now,
                    updated_at=now,
                )
            )

    def delete(self, bridge_id: str) -> None:
        with self.db.begin() as conn:
            conn.execute(bridges.delete().where(bridges.c.id == bridge_id))

    def set_mode(self, bridge_id: str, mode: str) -> None:
        with self.db.begin() as conn:
            conn.execute(
                bridges.update()
                .where(bridges.c.id == bridge_id)
                .values(mode=mode, updated_at=utcnow())
            )

    def merge_settings(self, bridge_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Set these keys of the bridge's settings (the others stay); the settings after."""
        with self.db.begin() as conn:
            current = conn.execute(
                sa.select(bridges.c.settings).where(bridges.c.id == bridge_id)
            ).scalar()
            settings = {**dict(current or {}), **values}
            conn.execute(
                bridges.update()
                .where(bridges.c.id == bridge_id)
                .values(settings=settings, updated_at=utcnow())
            )
        return settings

    # ---- webhooks ---------------------------------------------------------------------------
    def webhooks(self, bridge_id: str) -> list[sa.Row[Any]]:
        with self.db.connect() as conn:
            return list(
                conn.execute(
                    sa.select(bridge_webhooks).where(bridge_webhooks.c.bridge_id == bridge_id)
                )
            )

    def webhook_secret_refs(self, bridge_id: str, system: str) -> dict[str, str | None]:
        """Remote webhook id → the vault reference of its verification token."""
        with self.db.connect() as conn:
            rows = conn.execute(
                sa.select(bridge_webhooks.c.remote_id, bridge_webhooks.c.secret_ref).where(
                    bridge_webhooks.c.bridge_id == bridge_id, bridge_webhooks.c.system == system
                )
            ).all()
        return {r.remote_id: r.secret_ref for r in rows}

    def add_webhook(
        self,
        bridge_id: str,
        *,
        system: str,
        remote_id: str,
        url: str,
        events: list[str],
        secret_ref: str,
    ) -> None:
        with self.db.begin() as conn:
            conn.execute(
                bridge_webhooks.insert().values(
                    bridge_id=bridge_id,
                    system=system,
                    remote_id=remote_id,
                    url=url,
                    events=events,
                    secret_ref=secret_ref,
                    created_at=utcnow(),
                )
            )

    def remove_webhook(self, bridge_id: str, remote_id: str) -> str | None:
        """Forget a webhook; the vault reference of its token, for the caller to delete."""
        key = (bridge_webhooks.c.bridge_id == bridge_id) & (
            bridge_webhooks.c.remote_id == remote_id
        )
        with self.db.begin() as conn:
            ref = conn.execute(sa.select(bridge_webhooks.c.secret_ref).where(key)).scalar()
            conn.execute(bridge_webhooks.delete().where(key))
        return str(ref) if ref else None


def bridge_names(db: sa.Engine) -> dict[str, str]:
    """Every bridge's name by its id (tables show bridges by name)."""
    with db.connect() as conn:
        return {r.id: r.name for r in conn.execute(sa.select(bridges.c.id, bridges.c.name))}


def bridge_id_of(db: sa.Engine, ref: str) -> str:
    """The id of the bridge named ``ref`` (by name, id, or a unique prefix of its id)."""
    found = BridgeRepository(db).find(ref)
    if found is not None:
        return str(found.id)
    with db.connect() as conn:
        try:
            return resolve_prefix(
                conn, bridges.c.id, ref, what="bridge", listed_by="ghltt bridges list"
            )
        except NotFound:
            raise NotFound(
                f"no bridge {ref!r}, by name or id ('ghltt bridges list' shows them)"
            ) from None
