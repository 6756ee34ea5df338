"""imports: their checkpoints (per direction, written with each page) and their dead letters

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("bridge_id", sa.String(64), nullable=False),
        sa.Column("recipe", sa.String(200), nullable=False),
        sa.Column("directions", sa.JSON, nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("plan_only", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.JSON, nullable=False),
        sa.Column("samples", sa.JSON, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index(op.f("ix_imports_bridge_id_recipe"), "imports", ["bridge_id", "recipe"])
    op.create_table(
        "import_failures",
        sa.Column("import_id", sa.String(64), nullable=False),
        sa.Column("system", sa.String(8), nullable=False),
        sa.Column("record_id", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint(
            "import_id", "system", "record_id", name=op.f("pk_import_failures")
        ),
    )


def downgrade() -> None:
    op.drop_table("import_failures")
    op.drop_index("ix_imports_bridge_id_recipe", table_name="imports")
    op.drop_table("imports")
