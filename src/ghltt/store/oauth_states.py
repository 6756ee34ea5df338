"""Rows of ``oauth_states``: what an OAuth flow asked for, under the hash of its state.

A state is consumed by a DELETE that must hit exactly one unexpired row, so it works once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ghltt.core import utcnow
from ghltt.store.tables import oauth_states


class OAuthStateRepository:
    def __init__(self, db: sa.Engine) -> None:
        self.db = db

    def issue(
        self,
        state_hash: str,
        *,
        user_type: str,
        scopes: Iterable[str],
        redirect_uri: str,
        label: str | None,
        connection_id: str | None,
        expires_at: datetime,
    ) -> None:
        """Keep a new state (and drop the expired ones)."""
        now = utcnow()
        with self.db.begin() as conn:
            conn.execute(oauth_states.delete().where(oauth_states.c.expires_at < now))
            conn.execute(
                oauth_states.insert().values(
                    state_hash=state_hash,
                    user_type=user_type,
                    scopes=sorted(scopes),
                    redirect_uri=redirect_uri,
                    label=label,
                    connection_id=connection_id,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    def consume(self, state_hash: str) -> sa.Row[Any] | None:
        """The unexpired state under this hash, deleted as it is read; None when there is none."""
        with self.db.begin() as conn:
            return conn.execute(
                oauth_states.delete()
                .where(
                    oauth_states.c.state_hash == state_hash, oauth_states.c.expires_at > utcnow()
                )
                .returning(
                    oauth_states.c.user_type,
                    oauth_states.c.scopes,
                    oauth_states.c.redirect_uri,
                    oauth_states.c.label,
                    oauth_states.c.connection_id,
                )
            ).first()
