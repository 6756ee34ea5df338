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


def link_of(row: sa.Row[Any]) -> Link:
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


def _by_side(system: str) -> sa.Select[Any]:
    # Built once: constructing the clause per call cost more than running it (a sync and an
    # import look links up several times per record).
    c = record_links.c
    return sa.select(record_links).where(
        (c.bridge_id == sa.bindparam("bridge_id"))
        & (c.ghl_type == sa.bindparam("ghl_type"))
        & (c.tt_type == sa.bindparam("tt_type"))
        & (getattr(c, f"{system}_id") == sa.bindparam("record_id"))
    )


_BY_SIDE = {"ghl": _by_side("ghl"), "tt": _by_side("tt")}
_EITHER_SIDE = (
    sa.select(record_links.c.id)
    .where(
        (record_links.c.bridge_id == sa.bindparam("bridge_id"))
        & (record_links.c.ghl_type == sa.bindparam("ghl_type"))
        & (record_links.c.tt_type == sa.bindparam("tt_type"))
        & (
            (record_links.c.ghl_id == sa.bindparam("ghl_id"))
            | (record_links.c.tt_id == sa.bindparam("tt_id"))
        )
    )
    .order_by(record_links.c.id)
)
_UPDATE = (
    record_links.update()
    .where(record_links.c.id == sa.bindparam("row_id"))
    .values(
        ghl_id=sa.bindparam("ghl_id"),
        tt_id=sa.bindparam("tt_id"),
        ghl_fingerprint=sa.bindparam("ghl_fingerprint"),
        tt_fingerprint=sa.bindparam("tt_fingerprint"),
        updated_at=sa.bindparam("updated_at"),
    )
)


# The pair as linked already (the usual case of a sync's save): each side is unique, so no
# other row can hold either id, and updating this one row is the whole save.
_UPDATE_PAIR = (
    record_links.update()
    .where(
        (record_links.c.bridge_id == sa.bindparam("k_bridge_id"))
        & (record_links.c.ghl_type == sa.bindparam("k_ghl_type"))
        & (record_links.c.tt_type == sa.bindparam("k_tt_type"))
        & (record_links.c.ghl_id == sa.bindparam("k_ghl_id"))
        & (record_links.c.tt_id == sa.bindparam("k_tt_id"))
    )
    .values(
        ghl_fingerprint=sa.bindparam("ghl_fingerprint"),
        tt_fingerprint=sa.bindparam("tt_fingerprint"),
        updated_at=sa.bindparam("updated_at"),
    )
)


class LinkRepository:
    def __init__(self, db: Bind) -> None:
        self.db = db

    def by_ghl(self, bridge_id: str, ghl_type: str, ghl_id: str, tt_type: str) -> Link | None:
        return self.by_side("ghl", bridge_id, ghl_type, tt_type, ghl_id)

    def by_tt(self, bridge_id: str, tt_type: str, tt_id: str, ghl_type: str) -> Link | None:
        return self.by_side("tt", bridge_id, ghl_type, tt_type, tt_id)

    def by_side(
        self, system: str, bridge_id: str, ghl_type: str, tt_type: str, record_id: str
    ) -> Link | None:
        """The link of a record of ``system`` (``ghl`` or ``tt``)."""
        params = {
            "bridge_id": bridge_id,
            "ghl_type": ghl_type,
            "tt_type": tt_type,
            "record_id": str(record_id),
        }
        with reader(self.db).connect() as conn:
            row = conn.execute(_BY_SIDE[system], params).first()
        return None if row is None else link_of(row)

    def by_sides(
        self, system: str, bridge_id: str, ghl_type: str, tt_type: str, record_ids: list[str]
    ) -> dict[str, Link]:
        """The links of several records of ``system`` (a page of an import), by record id, in
        one query; records with no link are absent."""
        if not record_ids:
            return {}
        c = record_links.c
        side = getattr(c, f"{system}_id")
        stmt = sa.select(record_links).where(
            (c.bridge_id == bridge_id)
            & (c.ghl_type == ghl_type)
            & (c.tt_type == tt_type)
            & side.in_(sorted({str(i) for i in record_ids}))
        )
        with reader(self.db).connect() as conn:
            links = [link_of(r) for r in conn.execute(stmt)]
        return {str(getattr(link, f"{system}_id")): link for link in links}

    def save(self, link: Link) -> Link:
        """Insert or update the pair. Either side already linked is re-pointed, so a record
        is never linked twice (a retried run converges on one row)."""
        now = utcnow()
        values: dict[str, Any] = {
            "ghl_id": str(link.ghl_id),
            "tt_id": str(link.tt_id),
            "ghl_fingerprint": link.ghl_fingerprint,
            "tt_fingerprint": link.tt_fingerprint,
            "updated_at": now,
        }
        key = {
            "bridge_id": link.bridge_id,
            "ghl_type": link.ghl_type,
            "tt_type": link.tt_type,
            "ghl_id": str(link.ghl_id),
            "tt_id": str(link.tt_id),
        }
        c = record_links.c
        pair = {f"k_{k}": v for k, v in key.items()}
        fingerprints = {k: values[k] for k in ("ghl_fingerprint", "tt_fingerprint", "updated_at")}
        with self.db.begin() as conn:
            if conn.execute(_UPDATE_PAIR, {**pair, **fingerprints}).rowcount:
                ids: list[int] = []
            else:
                ids = list(conn.execute(_EITHER_SIDE, key).scalars())
                if not ids:
                    conn.execute(record_links.insert(), {**key, **values})
            if ids:
                # Keep one row; a stale second one (each side linked elsewhere) goes.
                if ids[1:]:
                    conn.execute(record_links.delete().where(c.id.in_(ids[1:])))
                conn.execute(_UPDATE, {"row_id": ids[0], **values})
        # As stored: the pair with both fingerprints (no read back: the values are ours).
        return Link(
            link.bridge_id,
            link.ghl_type,
            str(link.ghl_id),
            link.tt_type,
            str(link.tt_id),
            link.ghl_fingerprint,
            link.tt_fingerprint,
            now,
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
            return [link_of(r) for r in conn.execute(stmt)]

    def ghl_ids_after(
        self, bridge_id: str, ghl_type: str, after: str | None, limit: int
    ) -> list[str]:
        """Linked GHL ids of one type in id order, from just after ``after``: a scan's page."""
        c = record_links.c
        return self._ids_after(bridge_id, c.ghl_type == ghl_type, c.ghl_id, after, limit)

    def tt_ids_after(
        self, bridge_id: str, tt_type: str, after: str | None, limit: int
    ) -> list[str]:
        """Linked TT ids of one type in id order (as text), from just after ``after``."""
        c = record_links.c
        return self._ids_after(bridge_id, c.tt_type == tt_type, c.tt_id, after, limit)

    def _ids_after(
        self,
        bridge_id: str,
        of_type: sa.ColumnElement[bool],
        column: sa.Column[Any],
        after: str | None,
        limit: int,
    ) -> list[str]:
        where = (record_links.c.bridge_id == bridge_id) & of_type
        if after is not None:
            where = where & (column > after)
        stmt = sa.select(column).where(where).distinct().order_by(column).limit(limit)
        with self.db.connect() as conn:
            return [str(row[0]) for row in conn.execute(stmt)]
