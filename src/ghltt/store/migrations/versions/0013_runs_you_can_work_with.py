"""runs you can work with: a failed run's cause class, runs listed by time, executor heartbeats

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        # What kind of failure a failed run's last error was (credential, network, ...).
        batch.add_column(sa.Column("error_class", sa.String(length=32), nullable=True))
        # Runs are listed newest first, filtered by bridge or not at all.
        batch.create_index("ix_runs_started_at", ["started_at"])
        batch.create_index("ix_runs_bridge_id_started_at", ["bridge_id", "started_at"])
    op.create_table(
        "executors",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("executor_id", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_executors")),
    )
    op.create_index("ix_executors_heartbeat_at", "executors", ["heartbeat_at"])


def downgrade() -> None:
    op.drop_index("ix_executors_heartbeat_at", table_name="executors")
    op.drop_table("executors")
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_bridge_id_started_at")
        batch.drop_index("ix_runs_started_at")
        batch.drop_column("error_class")
