"""a run step's remote requests, redacted, kept with its record

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A column of the step rather than a table: written in the step's own statement, and gone
    # with the step when retention prunes its run.
    with op.batch_alter_table("run_steps") as batch:
        batch.add_column(sa.Column("requests", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_steps") as batch:
        batch.drop_column("requests")
