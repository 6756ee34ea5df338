"""The inbox: every accepted event, deduplicated per bridge by its dedup key.

It doubles as an outbox. The dispatcher first fixes each new event's batch (``batch_id``), then
enqueues the batch's durable run and sets ``dispatched_at``: a crash between the two enqueues
the same batch, under the same id, on the next pass, and an event is never in two batches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ghltt.core import Event, EventSource, InvalidInput, StoreUnavailable, utcnow
from ghltt.store.database import Bind, reader
from ghltt.store.ids import resolve_prefix, short_id
from ghltt.store.inbox_signal import notify_new_events
from ghltt.store.tables import bridges, inbox_events

# An event that waits for a person to fix a connection (revoked, refused, failing): not run,
# not lost. Once the connection is fixed it is released: dispatched again as if new, its
# outcome saying so until its runs give it another.
HELD = "held"
RELEASED = "released"
# The outcome of an event no enabled recipe or route wants.
NO_MATCH = "no_match"

# What became of an event: its runs applied it, one failed (a dead letter), no recipe wanted
# it, it waits for a connection to be fixed (held) or runs again after the fix (released);
# "pending" is not stored: the event waits for its runs.
OUTCOMES = ("applied", "failed", NO_MATCH, HELD, RELEASED, "pending")


@dataclass(frozen=True, slots=True)
class Undispatched:
    event_id: str
    bridge: str
    batch_id: str | None
    # The record the event is about, when it names one: its events share a batch.
    record: str | None
    # The event itself, for the dispatcher to tell whether it needs a run at all.
    event: Event | None = None
    # Held, then released by a connection's fix: the plans must be made from fresh recipes.
    released: bool = False


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    event: Event
    received_at: datetime
    dispatched_at: datetime | None
    processed_at: datetime | None
    outcome: str | None
    # The bridge's name, when listed with it and the bridge still exists.
    bridge_name: str | None = None

    @property
    def short_id(self) -> str:
        return short_id(self.event.id, "event")

    @property
    def bridge(self) -> str:
        return self.bridge_name or self.event.bridge

    def as_dict(self, *, payload: bool = False) -> dict[str, Any]:
        """The JSON view shown by the API and the CLI (``bridge`` is the bridge's name)."""
        e = self.event
        data: dict[str, Any] = {
            "id": e.id,
            "short_id": self.short_id,
            "bridge": self.bridge,
            "bridge_id": e.bridge,
            "source": e.source.value,
            "kind": e.kind,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "origin": e.origin.value,
            "dedup_key": e.dedup_key,
            "occurred_at": e.occurred_at,
            "received_at": self.received_at,
            "processed_at": self.processed_at,
            "outcome": self.outcome or "pending",
            "changed_fields": e.changed_fields,
        }
        if payload:
            data["payload"] = e.payload
        return data


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events a list shows; every field narrows it (None: no condition)."""

    bridge_id: str | None = None
    source: str | None = None
    kind: str | None = None
    outcome: str | None = None
    since: datetime | None = None

    def __post_init__(self) -> None:
        if self.source is not None and self.source not in set(EventSource):
            known = ", ".join(s.value for s in EventSource)
            raise InvalidInput(
                f"unknown source {self.source!r}; use one of: {known}", where="source"
            )
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise InvalidInput(
                f"unknown outcome {self.outcome!r}; use one of: {', '.join(OUTCOMES)}",
                where="outcome",
            )

    def where(self) -> list[sa.ColumnElement[bool]]:
        c = inbox_events.c
        conditions: list[sa.ColumnElement[bool]] = []
        if self.bridge_id:
            conditions.append(c.bridge_id == self.bridge_id)
        if self.source:
            conditions.append(c.source == self.source)
        if self.kind:
            conditions.append(c.kind == self.kind)
        if self.outcome == "pending":
            conditions.append(c.processed_at.is_(None))
        elif self.outcome:
            conditions.append(c.outcome == self.outcome)
        if self.since:
            conditions.append(c.received_at >= self.since)
        return conditions


def _row_values(event: Event, received_at: datetime) -> dict[str, Any]:
    return {
        "id": event.id,
        "bridge_id": event.bridge,
        "dedup_key": event.dedup_key,
        "source": event.source.value,
        "kind": event.kind,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "origin": event.origin.value,
        "occurred_at": event.occurred_at,
        "received_at": received_at,
        "changed_fields": event.changed_fields,
        "payload": event.payload,
    }


def _to_stored(row: sa.Row[Any]) -> StoredEvent:
    m = row._mapping
    event = Event(
        id=m["id"],
        bridge=m["bridge_id"],
        dedup_key=m["dedup_key"],
        source=m["source"],
        kind=m["kind"],
        object_type=m["object_type"],
        object_id=m["object_id"],
        origin=m["origin"],
        occurred_at=as_utc(m["occurred_at"]),
        changed_fields=m["changed_fields"],
        payload=m["payload"],
    )
    return StoredEvent(
        event=event,
        received_at=as_utc(m["received_at"]) or utcnow(),
        dispatched_at=as_utc(m["dispatched_at"]),
        processed_at=as_utc(m["processed_at"]),
        outcome=m["outcome"],
        bridge_name=m.get("bridge_name"),
    )


def commit_new(db: sa.Engine, events: Sequence[Event]) -> dict[tuple[str, str], tuple[str, bool]]:
    """``insert_new`` in a transaction of its own, committed before it returns. A store that
    cannot take the events raises ``StoreUnavailable``."""
    try:
        with db.begin() as conn:
            return insert_new(conn, events)
    except DBAPIError as exc:  # OperationalError included: locked, gone, full
        raise StoreUnavailable(
            f"the store cannot take events right now ({type(exc).__name__})"
        ) from None


def insert_new(
    conn: sa.Connection, events: Sequence[Event]
) -> dict[tuple[str, str], tuple[str, bool]]:
    """Insert events whose (bridge, dedup key) is new, in the caller's transaction.

    Returns, for every (bridge, dedup key) given, the stored event id and whether this call
    inserted it; a duplicate is answered with the id of the event that first carried the key.
    """
    unique: dict[tuple[str, str], Event] = {}
    for event in events:
        unique.setdefault((event.bridge, event.dedup_key), event)
    if not unique:
        return {}
    if conn.dialect.name == "sqlite":
        _insert_or_ignore_sqlite(conn, list(unique.values()))
        stored = _existing_ids(conn, list(unique))
        return {key: (stored[key], stored[key] == e.id) for key, e in unique.items()}
    stmt = _insert_ignoring_duplicates(conn.dialect.name).returning(
        inbox_events.c.bridge_id, inbox_events.c.dedup_key, inbox_events.c.id
    )
    ids: dict[tuple[str, str], tuple[str, bool]] = {}
    now = utcnow()
    rows = [_row_values(e, now) for e in unique.values()]
    for row in conn.execute(stmt, rows):
        ids[(row.bridge_id, row.dedup_key)] = (row.id, True)
    if ids:
        notify_new_events(conn)
    missing = [key for key in unique if key not in ids]
    if missing:
        ids.update({k: (v, False) for k, v in _existing_ids(conn, missing).items()})
    return ids


_SQLITE_INSERT = (
    "INSERT OR IGNORE INTO inbox_events (id, bridge_id, dedup_key, source, kind, object_type,"
    " object_id, origin, occurred_at, received_at, changed_fields, payload)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _sqlite_time(value: datetime) -> str:
    # The format SQLAlchemy's SQLite DateTime writes and reads back (UTC, no offset).
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert_or_ignore_sqlite(conn: sa.Connection, events: Sequence[Event]) -> None:
    """The intake's hot path on SQLite: one executemany, without per-row ORM-level work.

    Which rows were new is read back afterwards by id, so a concurrent writer in another
    process (the scheduler) cannot make us misreport a duplicate.
    """
    now = _sqlite_time(utcnow())
    rows = [
        (
            e.id,
            e.bridge,
            e.dedup_key,
            e.source.value,
            e.kind,
            e.object_type,
            e.object_id,
            e.origin.value,
            _sqlite_time(e.occurred_at),
            now,
            orjson.dumps(e.changed_fields).decode() if e.changed_fields is not None else None,
            orjson.dumps(e.payload).decode(),
        )
        for e in events
    ]
    conn.exec_driver_sql(_SQLITE_INSERT, rows)  # type: ignore[arg-type]


def _insert_ignoring_duplicates(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(inbox_events).on_conflict_do_nothing(
            index_elements=["bridge_id", "dedup_key"]
        )
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(inbox_events).on_conflict_do_nothing(
        index_elements=["bridge_id", "dedup_key"]
    )


def _existing_ids(
    conn: sa.Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    by_bridge: dict[str, list[str]] = {}
    for bridge, key in keys:
        by_bridge.setdefault(bridge, []).append(key)
    for bridge, wanted in by_bridge.items():
        for start in range(0, len(wanted), 500):  # stay under SQLite's variable limit
            stmt = sa.select(inbox_events.c.dedup_key, inbox_events.c.id).where(
                inbox_events.c.bridge_id == bridge,
                inbox_events.c.dedup_key.in_(wanted[start : start + 500]),
            )
            for row in conn.execute(stmt):
                found[(bridge, row.dedup_key)] = row.id
    return found


def _with_bridge_name() -> sa.Select[Any]:
    return sa.select(inbox_events, bridges.c.name.label("bridge_name")).select_from(
        inbox_events.outerjoin(bridges, bridges.c.id == inbox_events.c.bridge_id)
    )


# Statements a run executes, built once: building a statement costs several times what
# executing it does (SQLAlchemy caches the compiled form, not the construct).
_GET = _with_bridge_name().where(inbox_events.c.id == sa.bindparam("event_id"))
# The dispatcher's poll, ten times a second: built once.
_UNDISPATCHED = (
    sa.select(
        inbox_events.c.id,
        inbox_events.c.bridge_id,
        inbox_events.c.batch_id,
        inbox_events.c.source,
        inbox_events.c.object_type,
        inbox_events.c.object_id,
    )
    .where(inbox_events.c.dispatched_at.is_(None))
    .order_by(inbox_events.c.received_at, inbox_events.c.id)
    .limit(sa.bindparam("limit", type_=sa.Integer()))
)
_PENDING_ABOUT = (
    sa.select(inbox_events.c.id)
    .where(
        inbox_events.c.bridge_id == sa.bindparam("bridge_id"),
        inbox_events.c.source == sa.bindparam("source"),
        inbox_events.c.object_id == sa.bindparam("object_id"),
        inbox_events.c.processed_at.is_(None),
    )
    .limit(1)
)
# Events no run was enqueued for yet, oldest first, whole: the dispatcher plans them.
_UNDISPATCHED = (
    sa.select(inbox_events)
    .where(inbox_events.c.dispatched_at.is_(None))
    .order_by(inbox_events.c.received_at, inbox_events.c.id)
    .limit(sa.bindparam("limit"))
)
# What an event another dispatcher has not taken yet may be given (a batch, or its outcome).
_NOT_TAKEN = (inbox_events.c.batch_id.is_(None), inbox_events.c.dispatched_at.is_(None))


class InboxRepository:
    def __init__(self, db: Bind) -> None:
        self.db = db

    def get(self, event_id: str) -> StoredEvent | None:
        with reader(self.db).connect() as conn:
            row = conn.execute(_GET, {"event_id": event_id}).first()
        return _to_stored(row) if row else None

    def resolve(self, ref: str) -> str:
        """The event id ``ref`` names: an id or any unique prefix of one (``NotFound``, or
        ``InvalidInput`` for an ambiguous prefix)."""
        with self.db.connect() as conn:
            return resolve_prefix(
                conn,
                inbox_events.c.id,
                ref.removeprefix("event:"),
                what="event",
                listed_by="ghltt events list",
            )

    def recent(
        self, where: EventFilter | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[StoredEvent]:
        """Events newest first, a page at a time, filtered in SQL, with their bridge's name.

        Event ids start with the time they were made, so the primary key gives the order.
        """
        stmt = (
            _with_bridge_name()
            .where(*(where or EventFilter()).where())
            .order_by(inbox_events.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self.db.connect() as conn:
            return [_to_stored(row) for row in conn.execute(stmt)]

    def get_many(self, event_ids: Sequence[str]) -> dict[str, StoredEvent]:
        """The events of these ids that are in the inbox, by id (one query)."""
        if not event_ids:
            return {}
        stmt = sa.select(inbox_events).where(inbox_events.c.id.in_(event_ids))
        with reader(self.db).connect() as conn:
            return {row.id: _to_stored(row) for row in conn.execute(stmt)}

    def undispatched(self, limit: int) -> list[Undispatched]:
        """Events no run was enqueued for yet, oldest first."""
        with reader(self.db).connect() as conn:
            rows = conn.execute(_UNDISPATCHED, {"limit": limit}).all()
        found = []
        for row in rows:
            stored = _to_stored(row)
            e = stored.event
            about = f"{e.source.value}|{e.object_type}|{e.object_id}"
            record = None if e.object_id is None else about
            released = stored.outcome == RELEASED
            found.append(Undispatched(e.id, e.bridge, row.batch_id, record, e, released))
        return found

    def assign_batches(
        self,
        batches: Mapping[str, Sequence[str]],
        settled: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Put events in batches, and settle those that need no run with their outcome
        (dispatched and processed at once), in one transaction. An event another dispatcher
        took already (in a batch, or settled) stays as it is."""
        settled = {outcome: ids for outcome, ids in (settled or {}).items() if ids}
        if not batches and not settled:
            return
        with self.db.begin() as conn:
            for batch_id, event_ids in batches.items():
                conn.execute(
                    inbox_events.update()
                    .where(inbox_events.c.id.in_(event_ids), *_NOT_TAKEN)
                    .values(batch_id=batch_id)
                )
            now = utcnow()
            for outcome, event_ids in settled.items():
                conn.execute(
                    inbox_events.update()
                    .where(inbox_events.c.id.in_(event_ids), *_NOT_TAKEN)
                    .values(dispatched_at=now, processed_at=now, outcome=outcome)
                )

    def batch_members(self, batch_ids: Sequence[str]) -> dict[str, list[str]]:
        """The events of these batches, in the order they arrived."""
        if not batch_ids:
            return {}
        c = inbox_events.c
        stmt = (
            sa.select(c.batch_id, c.id)
            .where(c.batch_id.in_(batch_ids))
            .order_by(c.received_at, c.id)
        )
        members: dict[str, list[str]] = {b: [] for b in batch_ids}
        with reader(self.db).connect() as conn:
            for row in conn.execute(stmt):
                members[row.batch_id].append(row.id)
        return members

    def mark_dispatched(self, event_ids: Sequence[str]) -> None:
        if not event_ids:
            return
        with self.db.begin() as conn:
            conn.execute(
                inbox_events.update()
                .where(inbox_events.c.id.in_(event_ids))
                .values(dispatched_at=utcnow())
            )

    def mark_processed(self, event_id: str, outcome: str) -> None:
        self.mark_processed_many([event_id], outcome)

    def mark_processed_many(self, event_ids: Sequence[str], outcome: str) -> None:
        if not event_ids:
            return
        with self.db.begin() as conn:
            conn.execute(
                inbox_events.update()
                .where(inbox_events.c.id.in_(event_ids))
                .values(processed_at=utcnow(), outcome=outcome)
            )

    def release_held(self, connection_id: str) -> int:
        """Hand the held events of the bridges using this connection back to the dispatcher."""
        of_connection = sa.select(bridges.c.id).where(
            (bridges.c.ghl_connection_id == connection_id)
            | (bridges.c.tt_connection_id == connection_id)
        )
        with self.db.begin() as conn:
            done = conn.execute(
                inbox_events.update()
                .where(inbox_events.c.bridge_id.in_(of_connection), inbox_events.c.outcome == HELD)
                .values(dispatched_at=None, processed_at=None, batch_id=None, outcome=RELEASED)
            )
            if done.rowcount:
                notify_new_events(conn)
        return int(done.rowcount)

    def count_held(self, bridge_id: str | None = None) -> int:
        stmt = sa.select(sa.func.count()).where(inbox_events.c.outcome == HELD)
        if bridge_id is not None:
            stmt = stmt.where(inbox_events.c.bridge_id == bridge_id)
        with self.db.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    @staticmethod
    def changed_fields_unknown() -> sa.ColumnElement[bool]:
        """Rows stored before ``none_as_null`` may hold JSON null rather than SQL NULL."""
        column = inbox_events.c.changed_fields
        return sa.or_(column.is_(None), sa.cast(column, sa.String) == "null")

    def fill_changed_fields(self, event_id: str, fields: Sequence[str]) -> None:
        """Record what changed, computed by a run, for an event whose sender did not say."""
        with self.db.begin() as conn:
            conn.execute(
                inbox_events.update()
                .where(inbox_events.c.id == event_id, self.changed_fields_unknown())
                .values(changed_fields=list(fields))
            )

    def count(self, *, processed: bool | None = None) -> int:
        stmt = sa.select(sa.func.count()).select_from(inbox_events)
        if processed is not None:
            column = inbox_events.c.processed_at
            stmt = stmt.where(column.is_not(None) if processed else column.is_(None))
        with self.db.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def has_unprocessed(self, bridge_id: str, source: str, object_id: str) -> bool:
        """Whether an event about this record of this side waits, not processed yet."""
        params = {"bridge_id": bridge_id, "source": source, "object_id": str(object_id)}
        with reader(self.db).connect() as conn:
            return conn.execute(_PENDING_ABOUT, params).first() is not None
