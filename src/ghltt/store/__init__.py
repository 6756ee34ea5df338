"""Durable state of ghltt: SQLAlchemy tables, Alembic migrations and small repositories."""

from ghltt.store.engine import create_store_engine, sqlalchemy_url
from ghltt.store.inbox import InboxRepository, StoredEvent, insert_new
from ghltt.store.migrate import is_current, upgrade
from ghltt.store.runs import RunRecord, RunRepository, StepRecord
from ghltt.store.tokens import TokenRepository

__all__ = [
    "InboxRepository",
    "RunRecord",
    "RunRepository",
    "StepRecord",
    "StoredEvent",
    "TokenRepository",
    "create_store_engine",
    "insert_new",
    "is_current",
    "sqlalchemy_url",
    "upgrade",
]
