"""Bring a store's schema to the newest revision, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

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
