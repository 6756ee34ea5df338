"""vault: encrypted secrets, key rotation marker, leases, OAuth states, bridge recipes and
webhooks; connections gain what a check saw, bridges a unique name.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "oauth_states",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("user_type", sa.String(length=16), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("redirect_uri", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("connection_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_oauth_states")),
    )
    op.create_table(
        "vault_rotations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target_key_id", sa.String(length=32), nullable=False),
        sa.Column("rewrapped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_rotations")),
    )
    op.create_table(
        "vault_secrets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_secrets")),
    )
    with op.batch_alter_table("vault_secrets", schema=None) as batch_op:
        batch_op.create_index("ix_vault_secrets_key_id", ["key_id"], unique=False)

    op.create_table(
        "bridge_recipes",
        sa.Column("bridge_id", sa.String(length=64), nullable=False),
        sa.Column("recipe", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bridge_id"],
            ["bridges.id"],
            name=op.f("fk_bridge_recipes_bridge_id_bridges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bridge_id", "recipe", name=op.f("pk_bridge_recipes")),
    )
    op.create_table(
        "bridge_webhooks",
        sa.Column("bridge_id", sa.String(length=64), nullable=False),
        sa.Column("system", sa.String(length=8), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret_ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bridge_id"],
            ["bridges.id"],
            name=op.f("fk_bridge_webhooks_bridge_id_bridges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "bridge_id", "system", "remote_id", name=op.f("pk_bridge_webhooks")
        ),
    )
    with op.batch_alter_table("bridges", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_bridges_name"), ["name"])

    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("company_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("parent_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("identity", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("scopes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("status_detail", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_connections_system_account", ["system", "account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.drop_index("ix_connections_system_account")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("status_detail")
        batch_op.drop_column("scopes")
        batch_op.drop_column("identity")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("company_id")

    with op.batch_alter_table("bridges", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_bridges_name"), type_="unique")

    op.drop_table("bridge_webhooks")
    op.drop_table("bridge_recipes")
    with op.batch_alter_table("vault_secrets", schema=None) as batch_op:
        batch_op.drop_index("ix_vault_secrets_key_id")

    op.drop_table("vault_secrets")
    op.drop_table("vault_rotations")
    op.drop_table("oauth_states")
    op.drop_table("leases")
