"""once keys, sync cursors, record snapshots

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "once_keys",
        sa.Column("bridge_id", sa.String(length=64), nullable=False),
        sa.Column("recipe", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bridge_id", "recipe", "key", name=op.f("pk_once_keys")),
    )
    op.create_table(
        "record_snapshots",
        sa.Column("bridge_id", sa.String(length=64), nullable=False),
        sa.Column("system", sa.String(length=8), nullable=False),
        sa.Column("object_type", sa.String(length=50), nullable=False),
        sa.Column("object_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "bridge_id", "system", "object_type", "object_id", name=op.f("pk_record_snapshots")
        ),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("bridge_id", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=100), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bridge_id", "stream", name=op.f("pk_sync_cursors")),
    )


def downgrade() -> None:
    op.drop_table("sync_cursors")
    op.drop_table("record_snapshots")
    op.drop_table("once_keys")
