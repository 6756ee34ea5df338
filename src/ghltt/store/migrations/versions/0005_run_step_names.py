"""a run step's name: run_steps.action becomes run_steps.name ("action" is a catalog entry)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite renames a column by copying the table.
    with op.batch_alter_table("run_steps") as batch:
        batch.alter_column("action", new_column_name="name")


def downgrade() -> None:
    with op.batch_alter_table("run_steps") as batch:
        batch.alter_column("name", new_column_name="action")
