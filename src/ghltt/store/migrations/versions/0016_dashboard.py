"""the dashboard: indexes for its paged and filtered lists, and its password

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Runs newest first and by bridge: 0013 made those. A bridge's dead letters (failed runs),
    # counted and listed.
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
