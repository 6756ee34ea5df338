"""Bring a store's schema to the newest revision, on SQLite and PostgreSQL alike.

:func:`prepare` is how every process opens the store: a fresh database is set up at once, an
existing one is upgraded only when asked (``ghltt db upgrade``, or ``GHLTT_AUTO_MIGRATE``).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ghltt.core import GhlttError

_MIGRATIONS = Path(__file__).parent / "migrations"


def _config(db: sa.Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["db"] = db
    return config


def upgrade(db: sa.Engine, revision: str = "head") -> None:
    command.upgrade(_config(db), revision)


def current_revision(db: sa.Engine) -> str | None:
    with db.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(db: sa.Engine) -> str | None:
    return ScriptDirectory.from_config(_config(db)).get_current_head()


def is_current(db: sa.Engine) -> bool:
    return current_revision(db) == head_revision(db)


class SchemaNotCurrent(GhlttError):
    """An existing store is on another schema revision than this ghltt's: nothing was changed."""


def prepare(db: sa.Engine, *, upgrade_existing: bool = False) -> None:
    """Make the store usable: set up an empty database; refuse an existing one that is behind.

    A database with no tables at all is new, and migrating it changes nothing anyone holds.
    An existing store is upgraded only with ``upgrade_existing``: a schema change to data is
    the operator's decision (after a backup), never a side effect of an ordinary command.
    """
    revision, head = current_revision(db), head_revision(db)
    if revision == head:
        return
    if revision is None and not sa.inspect(db).get_table_names():
        upgrade(db)
        return
    scripts = ScriptDirectory.from_config(_config(db))
    if revision is not None and revision not in {s.revision for s in scripts.walk_revisions()}:
        raise SchemaNotCurrent(
            f"the store's schema revision {revision} is newer than this ghltt knows "
            f"(newest: {head}): run the ghltt that wrote it, or restore a backup"
        )
    if revision is None:
        raise SchemaNotCurrent(
            "the database holds tables but no ghltt schema: point GHLTT_DATA_DIR or "
            "GHLTT_DATABASE_URL at ghltt's own store"
        )
    if upgrade_existing:
        upgrade(db)
        return
    raise SchemaNotCurrent(
        f"the store's schema is older than this ghltt's (revision {revision}, newest {head}): "
        "run 'ghltt db upgrade' (after 'ghltt backup', if you want a way back)"
    )
