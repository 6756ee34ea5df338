"""retention: a field's newest provenance outlives its pruned run (provenance.run_id nullable),
and old finished runs are found by when they finished

Revision ID: 0011
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite changes a column's nullability by copying the table.
    with op.batch_alter_table("provenance") as batch:
        batch.alter_column("run_id", existing_type=sa.String(64), nullable=True)
    op.create_index("ix_runs_status_finished", "runs", ["status", "finished_at"])
    op.create_index("ix_inbox_events_processed", "inbox_events", ["processed_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_events_processed", table_name="inbox_events")
    op.drop_index("ix_runs_status_finished", table_name="runs")
    with op.batch_alter_table("provenance") as batch:
        batch.alter_column("run_id", existing_type=sa.String(64), nullable=False)
