"""recipes kept in the store: every version of a recipe file enabled on a bridge

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recipe_versions",
        sa.Column(
            "bridge_id",
            sa.String(length=64),
            sa.ForeignKey(
                "bridges.id",
                name="fk_recipe_versions_bridge_id_bridges",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("recipe", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bridge_id", "recipe", "version", name="pk_recipe_versions"),
    )
    # The version a bridge runs; NULL: the template shipped with ghltt.
    with op.batch_alter_table("bridge_recipes") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bridge_recipes") as batch:
        batch.drop_column("version")
    op.drop_table("recipe_versions")
