"""per-run cost that does not grow with the store: pending events by record

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_PENDING = sa.text("processed_at IS NULL")


def upgrade() -> None:
    # "Does an event about this record wait?" is asked by nearly every sync run. The index on
    # (bridge, source, object) walked all of a record's events ever received, so the question
    # cost more the longer a record had been synced; this one holds pending events only.
    op.create_index(
        "ix_inbox_events_pending_object",
        "inbox_events",
        ["bridge_id", "source", "object_id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_events_pending_object", "inbox_events")
