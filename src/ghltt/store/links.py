"""Record links: which GHL record stands for which TT record, per bridge, with the fingerprint
of the mapped fields each side held right after we synced it (echo detection)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.database import Bind, reader
from ghltt.store.inbox import as_utc
from ghltt.store.tables import record_links


@dataclass(frozen=True, slots=True)
class Link:
    bridge_id: str
    ghl_type: str
    ghl_id: str
    tt_type: str
    tt_id: str
    ghl_fingerprint: str | None = None
    tt_fingerprint: str | None = None
    updated_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bridge_id": self.bridge_id,
            "ghl_type": self.ghl_type,
            "ghl_id": self.ghl_id,
            "tt_type": self.tt_type,
            "tt_id": self.tt_id,
            "ghl_fingerprint": self.ghl_fingerprint,
            "tt_fingerprint": self.tt_fingerprint,
        }


def _link(row: sa.Row[Any]) -> Link:
    m = row._mapping
    return Link(
        bridge_id=m["bridge_id"],
        ghl_type=m["ghl_type"],
        ghl_id=m["ghl_id"],
        tt_type=m["tt_type"],
        tt_id=m["tt_id"],
        ghl_fingerprint=m["ghl_fingerprint"],
        tt_fingerprint=m["tt_fingerprint"],
        updated_at=as_utc(m["updated_at"]),
    )


# The statements of a sync run, built once (building one costs more than executing it).
_c = record_links.c
_SAME_PAIR = (
    (_c.bridge_id == sa.bindparam("bridge_id"))
    & (_c.ghl_type == sa.bindparam("ghl_type"))
    & (_c.tt_type == sa.bindparam("tt_type"))
)
_BY_GHL = sa.select(record_links).where(_SAME_PAIR & (_c.ghl_id == sa.bindparam("ghl_id")))
_BY_TT = sa.select(record_links).where(_SAME_PAIR & (_c.tt_id == sa.bindparam("tt_id")))
_EITHER_SIDE = sa.select(_c.id).where(
    _SAME_PAIR & ((_c.ghl_id == sa.bindparam("ghl_id")) | (_c.tt_id == sa.bindparam("tt_id")))
)
_UPDATE = record_links.update().where(_c.id == sa.bindparam("link_id"))  # SET: the params
_INSERT = record_links.insert()


class LinkRepository:
    def __init__(self, db: Bind) -> None:
        self.db = db

    def by_ghl(self, bridge_id: str, ghl_type: str, ghl_id: str, tt_type: str) -> Link | None:
        params = {"bridge_id": bridge_id, "ghl_type": ghl_type, "tt_type": tt_type}
        return self._one(_BY_GHL, {**params, "ghl_id": str(ghl_id)})

    def by_tt(self, bridge_id: str, tt_type: str, tt_id: str, ghl_type: str) -> Link | None:
        params = {"bridge_id": bridge_id, "ghl_type": ghl_type, "tt_type": tt_type}
        return self._one(_BY_TT, {**params, "tt_id": str(tt_id)})

    def by_side(
        self, system: str, bridge_id: str, ghl_type: str, tt_type: str, record_id: str
    ) -> Link | None:
        """The link of a record of ``system`` (``ghl`` or ``tt``)."""
        if system == "ghl":
            return self.by_ghl(bridge_id, ghl_type, record_id, tt_type)
        return self.by_tt(bridge_id, tt_type, record_id, ghl_type)

    def save(self, link: Link) -> Link:
        """Insert or update the pair. Either side already linked is re-pointed, so a record
        is never linked twice (a retried run converges on one row)."""
        values: dict[str, Any] = {
            "ghl_id": str(link.ghl_id),
            "tt_id": str(link.tt_id),
            "ghl_fingerprint": link.ghl_fingerprint,
            "tt_fingerprint": link.tt_fingerprint,
            "updated_at": utcnow(),
        }
        pair = {"bridge_id": link.bridge_id, "ghl_type": link.ghl_type, "tt_type": link.tt_type}
        with self.db.begin() as conn:
            sides = {**pair, "ghl_id": values["ghl_id"], "tt_id": values["tt_id"]}
            ids: list[int] = list(conn.execute(_EITHER_SIDE, sides).scalars())
            if ids:
                # Keep one row; a stale second one (each side linked elsewhere) goes.
                if ids[1:]:
                    conn.execute(record_links.delete().where(_c.id.in_(ids[1:])))
                conn.execute(_UPDATE, {**values, "link_id": ids[0]})
            else:
                conn.execute(_INSERT, {**pair, **values})
        # As stored: what a read-back would answer, without its round trip.
        return Link(
            bridge_id=link.bridge_id,
            ghl_type=link.ghl_type,
            ghl_id=values["ghl_id"],
            tt_type=link.tt_type,
            tt_id=values["tt_id"],
            ghl_fingerprint=link.ghl_fingerprint,
            tt_fingerprint=link.tt_fingerprint,
            updated_at=values["updated_at"],
        )

    def delete(self, link: Link) -> bool:
        c = record_links.c
        with self.db.begin() as conn:
            gone = conn.execute(
                record_links.delete().where(
                    (c.bridge_id == link.bridge_id)
                    & (c.ghl_type == link.ghl_type)
                    & (c.ghl_id == str(link.ghl_id))
                    & (c.tt_type == link.tt_type)
                )
            ).rowcount
        return bool(gone)

    def all(self, bridge_id: str, ghl_type: str, tt_type: str) -> list[Link]:
        c = record_links.c
        stmt = (
            sa.select(record_links)
            .where((c.bridge_id == bridge_id) & (c.ghl_type == ghl_type) & (c.tt_type == tt_type))
            .order_by(c.id)
        )
        with self.db.connect() as conn:
            return [_link(r) for r in conn.execute(stmt)]

    def ghl_ids_after(
        self, bridge_id: str, ghl_type: str, after: str | None, limit: int
    ) -> list[str]:
        """Linked GHL ids of one type in id order, from just after ``after``: a scan's page."""
        c = record_links.c
        where = (c.bridge_id == bridge_id) & (c.ghl_type == ghl_type)
        if after is not None:
            where = where & (c.ghl_id > after)
        stmt = sa.select(c.ghl_id).where(where).distinct().order_by(c.ghl_id).limit(limit)
        with self.db.connect() as conn:
            return [str(row.ghl_id) for row in conn.execute(stmt)]

    def _one(self, stmt: sa.Select[Any], params: dict[str, Any]) -> Link | None:
        db = reader(self.db)
        with db.connect() as conn:
            row = conn.execute(stmt, params).first()
        return None if row is None else _link(row)
