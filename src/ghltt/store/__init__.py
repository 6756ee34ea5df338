"""Durable state of ghltt: SQLAlchemy tables, Alembic migrations and small repositories."""

from ghltt.store.database import Connection, Database, Row, open_database, sqlalchemy_url
from ghltt.store.inbox import InboxRepository, StoredEvent, commit_new, insert_new
from ghltt.store.migrate import SchemaNotCurrent, is_current, prepare, upgrade
from ghltt.store.runs import RunRecord, RunRepository, StepRecord
from ghltt.store.tokens import TokenRepository

__all__ = [
    "Connection",
    "Database",
    "InboxRepository",
    "Row",
    "RunRecord",
    "RunRepository",
    "SchemaNotCurrent",
    "StepRecord",
    "StoredEvent",
    "TokenRepository",
    "commit_new",
    "insert_new",
    "is_current",
    "open_database",
    "prepare",
    "sqlalchemy_url",
    "upgrade",
]
