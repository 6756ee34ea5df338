"""batches of runs: an event's batch, runs keyed by event, events found by record

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_events") as batch:
        batch.add_column(sa.Column("batch_id", sa.String(length=80), nullable=True))
        # The dispatcher reads a batch's members on every pass.
        batch.create_index("ix_inbox_events_batch_id", ["batch_id"])
        batch.create_index(
            "ix_inbox_events_bridge_id_source_object_id", ["bridge_id", "source", "object_id"]
        )
    # A batch workflow holds runs of many events: a run is one per workflow, event and recipe.
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("uq_runs_workflow_id_recipe", type_="unique")
        batch.create_unique_constraint(
            "uq_runs_workflow_id_event_id_recipe", ["workflow_id", "event_id", "recipe"]
        )


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("uq_runs_workflow_id_event_id_recipe", type_="unique")
        batch.create_unique_constraint("uq_runs_workflow_id_recipe", ["workflow_id", "recipe"])
    with op.batch_alter_table("inbox_events") as batch:
        batch.drop_index("ix_inbox_events_bridge_id_source_object_id")
        batch.drop_index("ix_inbox_events_batch_id")
        batch.drop_column("batch_id")
