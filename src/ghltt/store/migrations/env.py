"""Alembic environment: the database comes from the caller (see ghltt.store.migrate)."""

from __future__ import annotations

from alembic import context

from ghltt.store.tables import metadata

db = context.config.attributes["db"]
with db.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds an SQLite table (copy, drop, rename), and with foreign
        # keys enforced the drop fails as soon as rows of another table reference it. So they
        # are off while migrating (the pragma is ignored inside a transaction), checked at the
        # end, and back on before the connection returns to the pool.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            context.configure(
                connection=connection, target_metadata=metadata, render_as_batch=sqlite
            )
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
