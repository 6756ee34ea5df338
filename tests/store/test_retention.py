"""Retention: old history leaves the store; what decides the future, and dead letters, stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ghltt.store import open_database, upgrade
from ghltt.store import tables as t
from ghltt.store.retention import prune_history

NOW = datetime(2026, 6, 1, tzinfo=UTC)
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=2)
CUTOFF = NOW - timedelta(days=30)


@pytest.fixture
def db(database_url: str) -> Iterator[sa.Engine]:
    eng = open_database(database_url)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


def _event(conn: sa.Connection, event_id: str, processed: datetime | None) -> None:
    conn.execute(
        t.inbox_events.insert().values(
            id=event_id,
            bridge_id="b1",
            dedup_key=f"ghl:{event_id}",
            source="ghl",
            kind="contact.updated",
            object_type="contact",
            object_id="c-1",
            origin="webhook",
            occurred_at=OLD,
            received_at=OLD,
            payload={},
            dispatched_at=OLD if processed else None,
            processed_at=processed,
            outcome="done" if processed else None,
        )
    )


def _run(conn: sa.Connection, run_id: str, event_id: str, status: str, when: datetime) -> None:
    conn.execute(
        t.runs.insert().values(
            id=run_id,
            workflow_id=f"wf-{run_id}",
            event_id=event_id,
            bridge_id="b1",
            recipe="contacts",
            status=status,
            error="boom" if status == "failed" else None,
            started_at=when,
            finished_at=when,
        )
    )
    conn.execute(
        t.run_steps.insert().values(
            run_id=run_id, position=0, name="recipe.run", status=status, finished_at=when
        )
    )


def _provenance(conn: sa.Connection, run_id: str, field: str, when: datetime) -> None:
    conn.execute(
        t.provenance.insert().values(
            run_id=run_id,
            bridge_id="b1",
            target_system="tt",
            object_type="customer",
            object_id="7",
            field=field,
            source_system="ghl",
            source_path=f"contact.{field}",
            value_hash="a" * 64,
            written_at=when,
        )
    )


def _ids(db: sa.Engine, table: sa.Table, *columns: str) -> list[Any]:
    with db.connect() as conn:
        cols = [table.c[c] for c in columns]
        return sorted(tuple(r) for r in conn.execute(sa.select(*cols)))


def test_old_history_goes_and_what_matters_stays(db: sa.Engine) -> None:
    with db.begin() as conn:
        _event(conn, "e-old", OLD)  # its run succeeded long ago: history
        _run(conn, "r-old", "e-old", "succeeded", OLD)
        _provenance(conn, "r-old", "email", OLD)  # superseded by r-new's write
        _provenance(conn, "r-old", "name", OLD)  # the newest for its field: kept
        _event(conn, "e-dead", OLD)  # a dead letter, not replayed: kept with its event
        _run(conn, "r-dead", "e-dead", "failed", OLD)
        _event(conn, "e-new", RECENT)  # inside the retention period
        _run(conn, "r-new", "e-new", "succeeded", RECENT)
        _provenance(conn, "r-new", "email", RECENT)
        _event(conn, "e-nomatch", OLD)  # matched no recipe, so it has no run
        _event(conn, "e-pending", None)  # not processed yet: never pruned
        conn.execute(
            t.record_links.insert().values(
                bridge_id="b1",
                ghl_type="contact",
                ghl_id="c-1",
                tt_type="customer",
                tt_id="7",
                updated_at=OLD,
            )
        )
        for recipe, key in [
            ("contacts:create", "ghl:c-2"),  # a claim its run never ended
            ("signup:pairing", "ghl:*"),
            ("tt.customer.add", "c-2:Ada Lovelace"),  # the name an add was sent under
            ("signup", "welcome:c-2"),  # an automation step's `once`: kept for good
        ]:
            conn.execute(
                t.once_keys.insert().values(bridge_id="b1", recipe=recipe, key=key, created_at=OLD)
            )
        conn.execute(
            t.once_keys.insert().values(
                bridge_id="b1", recipe="contacts:create", key="ghl:c-3", created_at=RECENT
            )
        )

    pruned = prune_history(db, before=CUTOFF, batch=1)

    assert (pruned.runs, pruned.steps, pruned.provenance, pruned.events) == (1, 1, 1, 2)
    assert _ids(db, t.runs, "id") == [("r-dead",), ("r-new",)]
    assert _ids(db, t.run_steps, "run_id") == [("r-dead",), ("r-new",)]
    assert _ids(db, t.inbox_events, "id") == [("e-dead",), ("e-new",), ("e-pending",)]
    assert _ids(db, t.provenance, "field", "run_id") == [("email", "r-new"), ("name", None)]
    assert len(_ids(db, t.record_links, "ghl_id")) == 1
    assert pruned.once_keys == 3
    assert _ids(db, t.once_keys, "recipe", "key") == [
        ("contacts:create", "ghl:c-3"),
        ("signup", "welcome:c-2"),
    ]

    again = prune_history(db, before=CUTOFF)
    assert not any(again.as_dict().values())


def test_an_orphaned_provenance_goes_once_a_newer_write_supersedes_it(db: sa.Engine) -> None:
    with db.begin() as conn:
        _event(conn, "e-1", OLD)
        _run(conn, "r-1", "e-1", "succeeded", OLD)
        _provenance(conn, "r-1", "name", OLD)
    prune_history(db, before=CUTOFF)
    assert _ids(db, t.provenance, "field", "run_id") == [("name", None)]

    with db.begin() as conn:
        _event(conn, "e-2", RECENT)
        _run(conn, "r-2", "e-2", "succeeded", RECENT)
        _provenance(conn, "r-2", "name", RECENT)
    assert prune_history(db, before=CUTOFF).provenance == 1
    assert _ids(db, t.provenance, "field", "run_id") == [("name", "r-2")]
