"""the dashboard: indexes for its paged and filtered lists, and its password

Revision ID: 0010
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every runs list is newest first, filtered by one of these; counts per bridge by time.
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_index("ix_runs_bridge_id_started_at", "runs", ["bridge_id", "started_at"])
    # A bridge's dead letters (failed runs), counted and listed.
    op.create_index(
        "ix_runs_bridge_id_status_started_at", "runs", ["bridge_id", "status", "started_at"]
    )
    op.create_index("ix_runs_recipe_started_at", "runs", ["recipe", "started_at"])
    op.create_index("ix_runs_finished_at", "runs", ["finished_at"])  # the live tail
    op.create_index(
        "ix_inbox_events_bridge_id_received_at", "inbox_events", ["bridge_id", "received_at"]
    )
    # Search by a GHL or TT record id, whatever the bridge.
    op.create_index("ix_inbox_events_object_id", "inbox_events", ["object_id"])
    op.create_index("ix_record_links_ghl_id", "record_links", ["ghl_id"])
    op.create_index("ix_record_links_tt_id", "record_links", ["tt_id"])
    op.create_table(
        "dashboard_auth",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),  # scrypt, salted
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dashboard_auth"),
    )


def downgrade() -> None:
    op.drop_table("dashboard_auth")
    op.drop_index("ix_record_links_tt_id", "record_links")
    op.drop_index("ix_record_links_ghl_id", "record_links")
    op.drop_index("ix_inbox_events_object_id", "inbox_events")
    op.drop_index("ix_inbox_events_bridge_id_received_at", "inbox_events")
    op.drop_index("ix_runs_finished_at", "runs")
    op.drop_index("ix_runs_recipe_started_at", "runs")
    op.drop_index("ix_runs_bridge_id_status_started_at", "runs")
    op.drop_index("ix_runs_bridge_id_started_at", "runs")
    op.drop_index("ix_runs_started_at", "runs")
