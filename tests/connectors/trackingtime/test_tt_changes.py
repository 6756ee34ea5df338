"""Change detection: windowed by updated_at (events) and by snapshot (whole lists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ghltt.connectors.trackingtime import (
    SnapshotCursor,
    SnapshotTracker,
    WindowCursor,
    WindowTracker,
    content_hash,
)
from ghltt.core import FixedClock

from ._fake import FakeTT, reply

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Rec:
    id: int
    at: datetime | None
    body: str = ""


def window(overlap: timedelta = timedelta(hours=2)) -> WindowTracker[Rec]:
    return WindowTracker(
        key=lambda r: r.id, updated_at=lambda r: r.at, version=lambda r: r.body, overlap=overlap
    )


def test_window_reports_each_version_once_and_round_trips() -> None:
    tracker = window()
    first = tracker.diff([Rec(1, T0), Rec(2, T0 + timedelta(minutes=5))], WindowCursor())
    assert [r.id for r in first.changed] == [1, 2]
    cursor = WindowCursor.from_json(first.cursor.to_json())
    assert cursor == first.cursor
    assert tracker.since(cursor) == T0 + timedelta(minutes=5) - timedelta(hours=2)
    again = tracker.diff([Rec(1, T0), Rec(2, T0 + timedelta(minutes=5))], cursor)
    assert not again
    edited = tracker.diff([Rec(1, T0, "b"), Rec(3, T0 - timedelta(minutes=30))], again.cursor)
    # A late write stamped inside the overlap is still caught; the same-second edit too.
    assert [r.id for r in edited.changed] == [1, 3]


def test_window_ignores_records_older_than_the_overlap() -> None:
    tracker = window(timedelta(minutes=10))
    cursor = tracker.diff([Rec(1, T0)], WindowCursor()).cursor
    assert not tracker.diff([Rec(9, T0 - timedelta(hours=1))], cursor)


def test_window_cursor_needs_an_offset() -> None:
    with pytest.raises(ValueError):
        WindowCursor.from_json({"high_water": "2026-01-01T00:00:00", "recent": []})
    assert WindowCursor.from_json(None) == WindowCursor()


@settings(max_examples=100, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 3000), st.text(max_size=3)), max_size=40
    ),
    polls=st.integers(1, 6),
)
def test_window_never_misses_an_edit(edits: list[tuple[int, int, str]], polls: int) -> None:
    """Edits reach the server in time order; each poll reads everything since the overlap."""
    tracker = window(timedelta(seconds=120))
    timeline = sorted((T0 + timedelta(seconds=s), i, b) for i, s, b in edits)
    state: dict[int, Rec] = {}
    seen: set[tuple[int, datetime, str]] = set()
    cursor = WindowCursor()
    cut_points = sorted({len(timeline) * k // polls for k in range(1, polls + 1)})
    done = 0
    for cut in cut_points:
        for at, ident, body in timeline[done:cut]:
            state[ident] = Rec(ident, at, body)
        done = cut
        floor = tracker.since(cursor)
        read = [r for r in state.values() if floor is None or (r.at and r.at >= floor)]
        result = tracker.diff(read, cursor)
        seen |= {(r.id, r.at, r.body) for r in result.changed if r.at}
        cursor = result.cursor
    assert {(r.id, r.at, r.body) for r in state.values()} <= seen


def test_snapshot_created_updated_deleted() -> None:
    tracker = SnapshotTracker(key=lambda d: d["id"], as_dict=lambda d: d)
    first = tracker.diff([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], SnapshotCursor())
    assert len(first.created) == 2 and not first.updated
    cursor = SnapshotCursor.from_json(first.cursor.to_json())
    # Tracked time moving is not an edit; a renamed record is.
    second = tracker.diff(
        [{"id": 1, "name": "a", "worked_hours": 3, "loc_worked_hours": "03:00"}, {"id": 3}],
        cursor,
    )
    assert [r["id"] for r in second.created] == [3] and not second.updated
    assert second.deleted == ["2"]
    third = tracker.diff([{"id": 1, "name": "A"}], second.cursor, complete=False)
    assert [r["id"] for r in third.updated] == [1] and third.deleted == []


def test_content_hash_is_key_order_independent() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})


@pytest.mark.anyio
async def test_event_changes_query_and_cursor() -> None:
    clock = FixedClock(T0)
    entry = {"id": 7, "s": "2026-03-01 10:00:00", "tz": "GMT+01:00", "uat": "2026-03-01 12:59:00"}
    fake = FakeTT(reply([entry]))
    async with fake.client(clock=clock, account_timezone="Europe/Madrid") as tt:
        result = await tt.events.changes()
        params = fake.last.url.params
        assert (params["sort_by"], params["order"], params["filter"]) == (
            "updated_at",
            "asc",
            "COMPANY",
        )
        assert (params["from"], params["to"]) == ("2026-03-01", "2026-03-02")
        assert [e.id for e in result.changed] == [7]
        assert result.cursor.high_water == T0 - timedelta(minutes=1)
        again = await tt.events.changes(result.cursor)
    assert not again


@pytest.mark.anyio
async def test_customer_changes_from_whole_list() -> None:
    fake = FakeTT(reply([{"id": 1, "name": "A", "updated_at": None}]))
    async with fake.client() as tt:
        first = await tt.customers.changes()
        fake.answers = [reply([{"id": 1, "name": "B", "updated_at": "2026-03-01 10:00:00"}])]
        second = await tt.customers.changes(first.cursor)
    assert fake.last.url.params["filter"] == "ALL"
    assert [c.name for c in first.created] == ["A"] and [c.name for c in second.updated] == ["B"]
