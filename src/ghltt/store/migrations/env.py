"""Alembic environment: the database comes from the caller (see ghltt.store.migrate)."""

from __future__ import annotations

from alembic import context

from ghltt.store.tables import metadata

db = context.config.attributes["db"]
with db.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
