"""What changed since the last poll, for resources TT cannot push.

Two trackers, both pure (no I/O) and both with a JSON-safe cursor to store between polls:

* :class:`WindowTracker` follows ``updated_at``: events, where ``/events?sort_by=updated_at``
  gives the records changed in a date window. The cursor keeps the high-water mark and the
  versions seen in the last ``overlap``; the next poll re-reads that overlap, because TT's
  timestamps have one-second resolution, are written in local time (so the hour a clock falls
  back repeats) and a slow write can land with an earlier stamp than one already read.
* :class:`SnapshotTracker` compares whole lists: users, customers, projects and tasks have no
  modified-since filter. A record changed when its ``updated_at`` or the hash of its content
  moved; it was deleted when a complete list no longer holds it. The content includes the
  values of the record's custom fields when the list was read with them
  (``include_custom_fields``): an edit of custom fields alone, stamped in the same second as
  the state the last poll saw, moves nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import orjson

__all__ = [
    "DEFAULT_OVERLAP",
    "DEFAULT_VOLATILE_KEYS",
    "Changes",
    "SnapshotCursor",
    "SnapshotTracker",
    "WindowCursor",
    "WindowTracker",
    "content_hash",
    "custom_field_values",
]

T = TypeVar("T")

# Wider than the one hour a clock falls back, so a repeated local hour is always re-read.
DEFAULT_OVERLAP = timedelta(hours=2)

# Derived figures that move without anyone editing the record (time tracked, localised copies).
DEFAULT_VOLATILE_KEYS: frozenset[str] = frozenset(
    {
        "accumulated_time",
        "accumulated_time_display",
        "project_accumulated_time",
        "worked_hours",
        "worked_hours_today",
        "worked_hours_this_week",
        "worked_hours_this_month",
        "tracking",
        "tracking_event",
        "metadata",
        "active_tasks",
        "archived_tasks",
        "total_projects",
        "active_projects",
        "archived_projects",
        "users_hours",
        "billing",
    }
)


def content_hash(record: Mapping[str, Any], volatile: Iterable[str] = DEFAULT_VOLATILE_KEYS) -> str:
    """A stable hash of a record's content, leaving out derived keys and ``loc_*`` copies."""
    skip = frozenset(volatile)
    kept = {k: v for k, v in record.items() if k not in skip and not k.startswith("loc_")}
    raw = orjson.dumps(kept, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(raw).hexdigest()[:32]


@dataclass(frozen=True)
class Changes(Generic[T]):
    """The outcome of one poll: what is new, what changed, which ids went away, the next cursor."""

    created: list[T]
    updated: list[T]
    deleted: list[str]
    cursor: Any
    # A snapshot's read: whether it held every record (so absent ids were deletes), and the
    # ids it held. A read that may be truncated reports no deletes.
    complete: bool = True
    seen: frozenset[str] = frozenset()

    @property
    def changed(self) -> list[T]:
        return [*self.created, *self.updated]

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@dataclass(frozen=True)
class WindowCursor:
    """High-water ``updated_at`` and the ``id@version`` pairs seen within the overlap."""

    high_water: datetime | None = None
    recent: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        return {
            "high_water": self.high_water.isoformat() if self.high_water else None,
            "recent": sorted(self.recent),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> WindowCursor:
        if not data:
            return cls()
        mark = data.get("high_water")
        when = datetime.fromisoformat(mark) if mark else None
        if when is not None and when.tzinfo is None:
            raise ValueError("a window cursor's high_water must carry an offset")
        return cls(high_water=when, recent=frozenset(data.get("recent") or ()))


@dataclass(frozen=True)
class WindowTracker(Generic[T]):
    """Changes by ``updated_at`` with an overlap window; see the module docstring.

    ``version`` (a content hash, say) tells apart two edits stamped in the same second.
    """

    key: Callable[[T], Hashable]
    updated_at: Callable[[T], datetime | None]
    version: Callable[[T], str] = field(default=lambda _record: "")
    overlap: timedelta = DEFAULT_OVERLAP

    def since(self, cursor: WindowCursor) -> datetime | None:
        """The earliest ``updated_at`` the next read must cover."""
        return cursor.high_water - self.overlap if cursor.high_water else None

    def diff(self, records: Iterable[T], cursor: WindowCursor) -> Changes[T]:
        floor = self.since(cursor)
        changed: list[T] = []
        tags: dict[str, datetime | None] = {}
        for record in records:
            stamp = self.updated_at(record)
            tag = f"{_epoch(stamp)}|{self.key(record)}|{self.version(record)}"
            if tag in tags or tag in cursor.recent:
                tags.setdefault(tag, stamp)
                continue
            tags[tag] = stamp
            if floor is not None and stamp is not None and stamp < floor:
                continue
            changed.append(record)
        stamps = [s for s in tags.values() if s is not None]
        if cursor.high_water is not None:
            stamps.append(cursor.high_water)
        high = max(stamps) if stamps else None
        keep_from = _epoch(high - self.overlap) if high else None
        recent = {tag for tag in (*tags, *cursor.recent) if _within(tag, keep_from)}
        # Untimed records are remembered for one poll only, so the set cannot grow forever.
        recent |= {tag for tag, stamp in tags.items() if stamp is None}
        return Changes(
            created=[],
            updated=changed,
            deleted=[],
            cursor=WindowCursor(high_water=high, recent=frozenset(recent)),
        )


def _epoch(stamp: datetime | None) -> str:
    return str(int(stamp.timestamp())) if stamp else "-"


def _within(tag: str, keep_from: str | None) -> bool:
    head = tag.partition("|")[0]
    return keep_from is not None and head != "-" and int(head) >= int(keep_from)


@dataclass(frozen=True)
class SnapshotCursor:
    """The version (``updated_at`` and content hash) of every record the last poll saw."""

    versions: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"versions": dict(self.versions)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> SnapshotCursor:
        return cls(versions=dict((data or {}).get("versions") or {}))


def custom_field_values(fields: Any) -> dict[str, Any]:
    """``custom_fields`` (``[{id, slug, name, value, ...}]``) as ``{id: value}`` for the fields
    that hold a value: what an edit changes. Definitions (names, indexes, enum option ids) and
    fields left empty are not the record's content, so adding or renaming a custom field in the
    account does not make every record look edited."""
    values: dict[str, Any] = {}
    for item in fields if isinstance(fields, list) else ():
        if not isinstance(item, Mapping) or item.get("value") in (None, ""):
            continue
        name = item.get("id") or item.get("slug") or item.get("name")
        values[str(name)] = item["value"]
    return values


@dataclass(frozen=True)
class SnapshotTracker(Generic[T]):
    """Changes between two full reads of a list, by ``updated_at`` plus a content hash (which
    covers the custom fields' values when the list carries them)."""

    key: Callable[[T], Hashable]
    as_dict: Callable[[T], Mapping[str, Any]]
    volatile: frozenset[str] = DEFAULT_VOLATILE_KEYS

    def version(self, record: T) -> str:
        return self._version(self.as_dict(record))

    def moved(self, record: T, before: str) -> tuple[str, bool]:
        """``record``'s version, and whether it differs from ``before`` (a stored version)."""
        data = self.as_dict(record)
        version = self._version(data)
        return version, before != version and not self._legacy(data, before)

    def _version(self, data: Mapping[str, Any]) -> str:
        if "custom_fields" in data:
            data = {**data, "custom_fields": custom_field_values(data["custom_fields"])}
        return f"{data.get('updated_at') or ''}#{content_hash(data, self.volatile)}"

    def _legacy(self, data: Mapping[str, Any], before: str) -> bool:
        """Is ``before`` this record's version as a cursor stored it when lists were read
        without custom fields? Such a cursor (from before they were read) is not a change."""
        if "custom_fields" not in data:
            return False
        stamp = data.get("updated_at") or ""
        bare = {k: v for k, v in data.items() if k != "custom_fields"}
        return any(
            before == f"{stamp}#{content_hash(old, self.volatile)}"
            for old in (bare, {**bare, "custom_fields": None})
        )

    def diff(
        self, records: Iterable[T], cursor: SnapshotCursor, *, complete: bool = True
    ) -> Changes[T]:
        """``complete`` says the read held every record, so an absent id means a delete."""
        created: list[T] = []
        updated: list[T] = []
        versions: dict[str, str] = {} if complete else dict(cursor.versions)
        seen: set[str] = set()
        for record in records:
            ident = str(self.key(record))
            before = cursor.versions.get(ident)
            version, moved = self.moved(record, before or "")
            if before is None:
                created.append(record)
            elif moved:
                updated.append(record)
            versions[ident] = version
            seen.add(ident)
        deleted = sorted(set(cursor.versions) - seen) if complete else []
        return Changes(
            created=created,
            updated=updated,
            deleted=deleted,
            cursor=SnapshotCursor(versions),
            complete=complete,
            seen=frozenset(seen),
        )
