"""Listing and finding runs, events and bridges as people do: short ids, any unique prefix,
bridge names, filters checked and applied in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ghltt.core import Event, EventSource, InvalidInput, NotFound, utcnow
from ghltt.store import InboxRepository, RunRepository, insert_new, open_database, upgrade
from ghltt.store import tables as t
from ghltt.store.backlog import Backlog, read_backlog
from ghltt.store.bridges import bridge_id_of
from ghltt.store.executors import ExecutorRepository
from ghltt.store.inbox import EventFilter
from ghltt.store.runs import RunFilter

NOW = utcnow()


@pytest.fixture
def db(database_url: str) -> Iterator[sa.Engine]:
    eng = open_database(database_url)
    upgrade(eng)
    with eng.begin() as conn:
        for bridge_id, name in (("br_aaa111", "acme"), ("br_aab222", "globex")):
            conn.execute(
                t.bridges.insert().values(
                    id=bridge_id, name=name, settings={}, created_at=NOW, updated_at=NOW
                )
            )
    try:
        yield eng
    finally:
        eng.dispose()


def _event(bridge: str, key: str, *, source: EventSource = EventSource.GHL, kind: str) -> Event:
    return Event(bridge=bridge, source=source, kind=kind, dedup_key=key, object_id=key)


def _run(db: sa.Engine, run_id: str, event_id: str, bridge: str, recipe: str, status: str) -> None:
    with db.begin() as conn:
        conn.execute(
            t.runs.insert().values(
                id=run_id,
                workflow_id=f"event:{event_id}",
                event_id=event_id,
                bridge_id=bridge,
                recipe=recipe,
                status=status,
                error="boom" if status == "failed" else None,
                started_at=NOW,
            )
        )


@pytest.fixture
def seeded(db: sa.Engine) -> dict[str, Event]:
    events = {
        "contact": _event("br_aaa111", "k1", kind="contact.updated"),
        "task": _event("br_aab222", "k2", source=EventSource.TT, kind="task.updated"),
        "gone": _event("br_gone", "k3", kind="contact.updated"),
    }
    with db.begin() as conn:
        insert_new(conn, list(events.values()))
    InboxRepository(db).mark_processed(events["contact"].id, "applied")
    InboxRepository(db).mark_processed(events["task"].id, "failed")
    # A recipe's runs are kept under "<bridge id>:<recipe>", as the executor records them.
    _run(db, "abc12345ffff", events["contact"].id, "br_aaa111", "br_aaa111:contacts", "succeeded")
    _run(db, "abc12399ffff", events["task"].id, "br_aab222", "br_aab222:tasks", "failed")
    _run(db, "def00000ffff", events["gone"].id, "br_gone", "br_gone:contacts", "running")
    return events


def test_a_run_is_found_by_any_unique_prefix_and_an_ambiguous_one_names_the_candidates(
    db: sa.Engine, seeded: dict[str, Event]
) -> None:
    runs = RunRepository(db)
    assert runs.resolve("abc12345f") == runs.resolve("abc1234") == "abc12345ffff"
    assert runs.resolve("abc12345ffff") == "abc12345ffff"
    assert runs.find("d").id == "def00000ffff"
    with pytest.raises(InvalidInput) as ambiguous:
        runs.resolve("abc1")
    assert "abc12345ffff" in str(ambiguous.value) and "abc12399ffff" in str(ambiguous.value)
    with pytest.raises(NotFound, match="no run with an id starting 'zzz'"):
        runs.resolve("zzz")
    # A workflow id names its run too, as the replay command used to print them.
    assert runs.resolve(f"event:{seeded['task'].id}") == "abc12399ffff"


def test_events_and_bridges_are_found_by_prefix_and_bridges_by_name(
    db: sa.Engine, seeded: dict[str, Event]
) -> None:
    inbox = InboxRepository(db)
    event_id = seeded["task"].id
    assert inbox.resolve(event_id[:20]) == event_id
    assert inbox.resolve(f"event:{event_id}") == event_id
    with pytest.raises(InvalidInput, match="ambiguous"):
        inbox.resolve(event_id[:4])  # all three were made in the same second
    assert bridge_id_of(db, "globex") == "br_aab222"
    assert bridge_id_of(db, "br_aaa") == "br_aaa111"
    with pytest.raises(InvalidInput, match="ambiguous"):
        bridge_id_of(db, "br_aa")
    with pytest.raises(NotFound, match="no bridge"):
        bridge_id_of(db, "initech")


def test_lists_show_bridge_names_and_filter_in_sql(db: sa.Engine, seeded: dict[str, Event]) -> None:
    runs = RunRepository(db)
    # Started at the same moment: the larger id first. A bridge that is gone shows its id.
    # A recipe by its name, as the run lists show it beside the bridge.
    shown = [
        (r.short_id, r.bridge, r.recipe_name) for r in runs.list(where=RunFilter(recipe="contacts"))
    ]
    assert shown == [("def00000", "br_gone", "contacts"), ("abc12345", "acme", "contacts")]
    assert len(runs.list(where=RunFilter(recipe="br_aaa111:contacts"))) == 1
    assert runs.list(where=RunFilter(recipe="contact")) == []
    [failed] = runs.list(where=RunFilter(status="failed", bridge_id="br_aab222"))
    assert failed.as_dict()["bridge"] == "globex" and failed.as_dict()["short_id"] == "abc12399"
    assert runs.list(where=RunFilter(since=utcnow() + timedelta(minutes=1))) == []
    assert runs.count(where=RunFilter(bridge_id="br_aaa111")) == 1
    assert len(runs.list(limit=2)) == 2 and len(runs.list(limit=2, offset=2)) == 1

    inbox = InboxRepository(db)
    [task] = inbox.recent(EventFilter(source="tt"))
    assert (task.bridge, task.outcome, task.event.kind) == ("globex", "failed", "task.updated")
    assert [e.event.id for e in inbox.recent(EventFilter(outcome="pending"))] == [seeded["gone"].id]
    assert [e.bridge for e in inbox.recent(EventFilter(bridge_id="br_aaa111"))] == ["acme"]
    assert len(inbox.recent(EventFilter(kind="contact.updated"))) == 2
    assert inbox.recent(EventFilter(since=utcnow() + timedelta(minutes=1))) == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RunFilter(status="dead"), "unknown status 'dead'; use one of: queued, running"),
        (lambda: RunFilter(status="dead"), "dead letters have their own list: 'ghltt runs dead-l"),
        (lambda: EventFilter(source="hubspot"), "unknown source 'hubspot'; use one of: ghl, tt"),
        (lambda: EventFilter(outcome="done"), "unknown outcome 'done'; use one of: applied"),
    ],
)
def test_an_unknown_filter_value_is_refused_with_the_valid_ones(make: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        make()  # type: ignore[operator]


def test_an_executor_is_alive_while_its_heartbeat_is_fresh(db: sa.Engine) -> None:
    beats = ExecutorRepository(db)
    assert beats.alive(within=15) == []
    beats.beat("w1:host:10", executor_id="w1", host="host", pid=10)
    beats.beat("w1:host:10", executor_id="w1", host="host", pid=10)  # renewed, not doubled
    [alive] = beats.alive(within=15)
    assert (alive.executor_id, alive.pid) == ("w1", 10)
    with db.begin() as conn:
        conn.execute(t.executors.update().values(heartbeat_at=utcnow() - timedelta(seconds=60)))
    assert beats.alive(within=15) == []
    beats.forget("w1:host:10")
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.executors)).scalar() == 0


def test_the_backlog_counts_what_waits_and_how_long_and_the_dead_letters(db: sa.Engine) -> None:
    assert read_backlog(db) == Backlog(pending=0, oldest=None, dead_letters=0)
    first = _event("br_aaa111", "k1", kind="contact.updated")
    with db.begin() as conn:
        insert_new(conn, [first, _event("br_aaa111", "k2", kind="contact.updated")])
    _run(db, "r1", first.id, "br_aaa111", "contacts", "failed")
    _run(db, "r2", first.id, "br_aaa111", "tasks", "succeeded")
    backlog = read_backlog(db)
    assert (backlog.pending, backlog.dead_letters) == (2, 1)
    assert backlog.oldest is not None and utcnow() - backlog.oldest < timedelta(minutes=5)
