"""Rows of ``connections``: a view that never holds the secret, and the queries on them."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ghltt.core import InvalidInput, NotFound, utcnow
from ghltt.store.tables import connections


@dataclass(frozen=True)
class ConnectionView:
    """What may be shown about a connection: never its secret."""

    id: str
    system: str
    label: str
    auth_kind: str
    status: str
    account_id: str | None
    company_id: str | None
    parent_id: str | None
    identity: str | None
    scopes: list[str] | None
    status_detail: str | None
    has_secret: bool
    checked_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: sa.Row[Any]) -> ConnectionView:
        return cls(
            id=row.id,
            system=row.system,
            label=row.label,
            auth_kind=row.auth_kind,
            status=row.status,
            account_id=row.account_id,
            company_id=row.company_id,
            parent_id=row.parent_id,
            identity=row.identity,
            scopes=sorted(row.scopes) if row.scopes is not None else None,
            status_detail=row.status_detail,
            has_secret=row.vault_ref is not None or row.parent_id is not None,
            checked_at=row.checked_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            out[key] = value.isoformat() if isinstance(value, datetime) else value
        return out


class ConnectionRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def insert(self, *, system: str, label: str, auth_kind: str, **values: Any) -> str:
        connection_id = f"{system}_{secrets.token_hex(6)}"
        now = utcnow()
        with self.db.begin() as conn:
            conn.execute(
                connections.insert().values(
                    id=connection_id,
                    system=system,
                    label=label,
                    auth_kind=auth_kind,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
        return connection_id

    def update(self, connection_id: str, **values: Any) -> None:
        with self.db.begin() as conn:
            conn.execute(
                connections.update()
                .where(connections.c.id == connection_id)
                .values(updated_at=utcnow(), **values)
            )

    def row(self, connection_id: str) -> sa.Row[Any]:
        with self.db.connect() as conn:
            row = conn.execute(
                sa.select(connections).where(connections.c.id == connection_id)
            ).first()
        if row is None:
            raise NotFound(f"no connection {connection_id!r} ('ghltt connections list' shows them)")
        return row

    def resolve(self, ref: str) -> sa.Row[Any]:
        """A connection by id, or by label when exactly one has it."""
        with self.db.connect() as conn:
            row = conn.execute(sa.select(connections).where(connections.c.id == ref)).first()
            if row is not None:
                return row
            rows = conn.execute(sa.select(connections).where(connections.c.label == ref)).all()
        if len(rows) > 1:
            raise InvalidInput(f"{len(rows)} connections are labelled {ref!r}: use its id")
        if not rows:
            raise NotFound(f"no connection {ref!r} ('ghltt connections list' shows them)")
        return rows[0]

    def exists(self) -> bool:
        """Whether any connection was made yet."""
        with self.db.connect() as conn:
            return conn.execute(sa.select(connections.c.id).limit(1)).first() is not None

    def view(self, connection_id: str) -> ConnectionView:
        return ConnectionView.from_row(self.row(connection_id))

    def all(self, *, system: str | None = None) -> list[ConnectionView]:
        stmt = sa.select(connections).order_by(connections.c.created_at, connections.c.id)
        if system is not None:
            stmt = stmt.where(connections.c.system == system)
        with self.db.connect() as conn:
            return [ConnectionView.from_row(r) for r in conn.execute(stmt)]

    def find(
        self,
        *,
        system: str,
        auth_kinds: Sequence[str],
        account_id: str | None = None,
        company_id: str | None = None,
        parent_id: str | None = None,
        agency: bool = False,
    ) -> list[sa.Row[Any]]:
        stmt = sa.select(connections).where(
            connections.c.system == system, connections.c.auth_kind.in_(auth_kinds)
        )
        if account_id is not None:
            stmt = stmt.where(connections.c.account_id == account_id)
        if agency:
            stmt = stmt.where(connections.c.account_id.is_(None))
        if company_id is not None:
            stmt = stmt.where(connections.c.company_id == company_id)
        if parent_id is not None:
            stmt = stmt.where(connections.c.parent_id == parent_id)
        with self.db.connect() as conn:
            return list(conn.execute(stmt.order_by(connections.c.created_at)))
