"""rate windows shared by the processes of a deployment: rate_slots and rate_blocks

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_slots",
        sa.Column("budget", sa.String(200), nullable=False),
        sa.Column("token", sa.String(100), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("budget", "token", name=op.f("pk_rate_slots")),
    )
    op.create_index("ix_rate_slots_budget_at", "rate_slots", ["budget", "at"])
    op.create_table(
        "rate_blocks",
        sa.Column("budget", sa.String(200), nullable=False),
        sa.Column("until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("budget", name=op.f("pk_rate_blocks")),
    )


def downgrade() -> None:
    op.drop_table("rate_blocks")
    op.drop_index("ix_rate_slots_budget_at", table_name="rate_slots")
    op.drop_table("rate_slots")
