"""The store's database: SQLite (embedded default) or PostgreSQL (scale-out)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeAlias

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ghltt.permissions import create_private_file, sqlite_files, tighten

# What the rooms above the store hold of it: a database (a pool of connections), a connection
# to pass to a repository inside a transaction, and the rows repositories answer with. They
# never build a statement, so they name these types rather than importing SQLAlchemy.
Database: TypeAlias = sa.Engine
Connection: TypeAlias = sa.Connection
Row: TypeAlias = sa.Row[Any]


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def sqlalchemy_url(url: str) -> str:
    """Our URLs name the database (``postgresql://``); SQLAlchemy also wants the driver."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def open_database(url: str, *, pool_size: int = 10) -> sa.Engine:
    sa_url = make_url(sqlalchemy_url(url))
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database and sa_url.database != ":memory:":
            prepare_sqlite_file(Path(sa_url.database))
        db = sa.create_engine(
            sa_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
        )
        sa.event.listen(db, "connect", _sqlite_pragmas)
        return db
    return sa.create_engine(
        sa_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No ping per checkout (a round trip for every short transaction a run makes): a
        # connection the server dropped fails its statement once, SQLAlchemy then discards
        # the whole pool, and that step is retried like any other failure. Recycling keeps
        # connections from outliving server or proxy idle timeouts.
        pool_recycle=300,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )


def prepare_sqlite_file(database: Path) -> None:
    """Create an SQLite database file 0600 before SQLite does (its -wal and -shm files then
    take the same mode), and tighten an older one and its siblings."""
    create_private_file(database)
    tighten(sqlite_files(database))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets readers run beside the one writer; FULL makes every commit survive a power cut,
    # which is what "durable before acknowledged" promises. Group commit pays for the fsync.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def reachable(db: sa.Engine) -> bool:
    """Whether the store answers a trivial query (the health check)."""
    try:
        with db.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception:
        return False
    return True


def has_table(db: sa.Engine, name: str, *, schema: str | None = None) -> bool:
    """Whether a table exists (e.g. one another component creates on its first start)."""
    with db.connect() as conn:
        return sa.inspect(conn).has_table(name, schema=schema)


class InTransaction:
    """A database stand-in for repositories: their ``begin()`` and ``connect()`` reuse one
    connection inside one transaction, so several repositories' writes commit together."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    @contextlib.contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        yield self._conn

    @contextlib.contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        yield self._conn


# What a repository runs its statements through.
Bind = sa.Engine | InTransaction


_readers: dict[int, tuple[sa.Engine, sa.Engine]] = {}


def reader(db: Bind) -> Bind:
    """``db`` for single-statement reads (and writes that are one statement): outside a
    transaction, so on PostgreSQL a read is one round trip instead of three (BEGIN, the query,
    the ROLLBACK on return to the pool). One statement sees one consistent state, and commits
    whole, either way. The same pool; made once per db.
    Inside a transaction (``InTransaction``) reads stay in it; SQLite begins no transaction
    for a read anyway (and would reset the level with a PRAGMA)."""
    if not isinstance(db, sa.Engine) or db.dialect.name != "postgresql":
        return db
    found = _readers.get(id(db))
    if found is None or found[0] is not db:
        found = _readers[id(db)] = (db, db.execution_options(isolation_level="AUTOCOMMIT"))
    return found[1]


@contextlib.contextmanager
def one_transaction(bind: Bind) -> Iterator[InTransaction]:
    """A stand-in for repositories built inside the block: their writes commit together when
    it ends (inside a transaction already, they join it)."""
    if isinstance(bind, InTransaction):
        yield bind
        return
    with bind.begin() as conn:
        yield InTransaction(conn)


def is_schema_missing(exc: BaseException) -> bool:
    """A database error that says a table is not there (a store or system database no process
    has set up yet): SQLite's OperationalError, PostgreSQL's ProgrammingError."""
    return isinstance(exc, sa.exc.OperationalError | sa.exc.ProgrammingError)
