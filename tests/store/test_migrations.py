"""Every migration, run forward over a populated store of the schema before it.

For each revision step: an empty database is brought to the previous revision, representative
rows are written with that schema, the database is upgraded to the newest revision, and then
every row must still be there, unchanged in the columns it had (under their new names where a
later revision renamed them), readable by today's code, and what the step changed must hold for
the old rows too. A new revision needs an entry in ``STEPS`` (a test says so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from ghltt.store import InboxRepository, RunRepository, migrate, open_database
from ghltt.store import tables as t
from ghltt.store.bridge_recipes import BridgeRecipeRepository
from ghltt.store.retention import prune_history

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
Rows = dict[str, list[dict[str, Any]]]

# run_steps as the revisions before 0005 wrote it: a step's name was its ``action``.
_run_steps_0001 = sa.Table(
    "run_steps",
    sa.MetaData(),
    *(sa.Column("action" if c.name == "name" else c.name, c.type) for c in t.run_steps.c),
)


def _inbox(event_id: str, object_id: str = "c-1") -> dict[str, Any]:
    return {
        "id": event_id,
        "bridge_id": "b1",
        "dedup_key": f"ghl:{event_id}",
        "source": "ghl",
        "kind": "contact.updated",
        "object_type": "contact",
        "object_id": object_id,
        "origin": "webhook",
        "occurred_at": AT,
        "received_at": AT,
        "changed_fields": ["email"],
        "payload": {"contact": {"id": object_id, "email": "ada@example.com"}},
        "dispatched_at": AT,
        "processed_at": AT,
        "outcome": "done",
    }


def _run(run_id: str, event_id: str, workflow_id: str = "wf-1") -> dict[str, Any]:
    return {
        "id": run_id,
        "workflow_id": workflow_id,
        "event_id": event_id,
        "bridge_id": "b1",
        "recipe": "contacts",
        "status": "succeeded",
        "error": None,
        "started_at": AT,
        "finished_at": AT,
    }


def _seed_0001(conn: sa.Connection) -> None:
    """The initial schema: the core tables, as the first release wrote them."""
    conn.execute(
        t.api_tokens.insert().values(
            id="tok1", name="first-start", token_hash="a" * 64, created_at=AT
        )
    )
    conn.execute(
        t.connections.insert().values(
            id="c1",
            system="tt",
            label="team",
            auth_kind="app_password",
            vault_ref="sec1",
            account_id="42",
            status="active",
            created_at=AT,
            updated_at=AT,
        )
    )
    conn.execute(
        t.bridges.insert().values(
            id="b1",
            name="main",
            mode="live",
            ghl_connection_id=None,
            tt_connection_id="c1",
            settings={"location_tz": "Europe/Berlin"},
            created_at=AT,
            updated_at=AT,
        )
    )
    conn.execute(t.inbox_events.insert().values(**_inbox("e1")))
    conn.execute(t.runs.insert().values(**_run("r1", "e1")))
    conn.execute(
        _run_steps_0001.insert().values(
            run_id="r1",
            position=0,
            action="tt.user.update",
            status="succeeded",
            input={"email": "ada@example.com"},
            output={"id": 7},
            error=None,
            attempts=2,
            finished_at=AT,
        )
    )
    conn.execute(
        t.record_links.insert().values(
            bridge_id="b1",
            ghl_type="contact",
            ghl_id="c-1",
            tt_type="user",
            tt_id="7",
            ghl_fingerprint="f" * 64,
            tt_fingerprint=None,
            updated_at=AT,
        )
    )
    conn.execute(
        t.provenance.insert().values(
            run_id="r1",
            bridge_id="b1",
            target_system="tt",
            object_type="user",
            object_id="7",
            field="email",
            source_system="ghl",
            source_path="contact.email",
            value_hash="b" * 64,
            written_at=AT,
        )
    )


def _check_0002(db: sa.Engine) -> None:
    """The vault's columns start empty on old connections; bridge names became unique."""
    with db.connect() as conn:
        row = conn.execute(sa.select(t.connections).where(t.connections.c.id == "c1")).one()
        assert (row.company_id, row.parent_id, row.identity, row.scopes) == (None,) * 4
        assert (row.status_detail, row.checked_at) == (None, None)
    with db.begin() as conn:
        conn.execute(
            t.bridge_recipes.insert().values(
                bridge_id="b1", recipe="contacts", scopes=[], updated_at=AT
            )
        )
        enabled: object = conn.execute(sa.select(t.bridge_recipes.c.enabled)).scalar_one()
        assert enabled is True
    with pytest.raises(sa.exc.IntegrityError), db.begin() as conn:
        conn.execute(
            t.bridges.insert().values(
                id="b2", name="main", settings={}, created_at=AT, updated_at=AT
            )
        )


def _seed_0002(conn: sa.Connection) -> None:
    """Adds the vault: an encrypted secret, a bridge's recipes and webhooks, a lease."""
    _seed_0001(conn)
    conn.execute(
        t.connections.update()
        .where(t.connections.c.id == "c1")
        .values(identity="ada@example.com", scopes=["users.write"], checked_at=AT)
    )
    conn.execute(
        t.vault_secrets.insert().values(
            id="sec1",
            purpose="tt_app_password",
            owner="c1",
            key_id="0123456789abcdef",
            ciphertext=b"\x00\x01ciphertext\xff",
            version=3,
            created_at=AT,
            updated_at=AT,
        )
    )
    conn.execute(
        t.bridge_recipes.insert().values(
            bridge_id="b1",
            recipe="contacts",
            enabled=False,
            scopes=["contacts.readonly"],
            disabled_reason="missing scope",
            updated_at=AT,
        )
    )
    conn.execute(
        t.bridge_webhooks.insert().values(
            bridge_id="b1",
            system="tt",
            remote_id="wh-9",
            url="https://ghltt.example.com/hooks/tt/b1",
            events=["user.updated"],
            secret_ref="sec1",
            created_at=AT,
        )
    )
    conn.execute(t.leases.insert().values(name="rotation", holder="w1", expires_at=AT))


def _check_0003(db: sa.Engine) -> None:
    """The sync state tables are there, empty, and take rows beside the old ones."""
    with db.begin() as conn:
        for table in (t.once_keys, t.record_snapshots, t.sync_cursors):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
        conn.execute(
            t.once_keys.insert().values(
                bridge_id="b1", recipe="signup", key="c-1", run_id="r1", created_at=AT
            )
        )
        secret: bytes = conn.execute(sa.select(t.vault_secrets.c.ciphertext)).scalar_one()
        assert bytes(secret) == b"\x00\x01ciphertext\xff"


def _seed_0003(conn: sa.Connection) -> None:
    """Adds the sync state: once keys, snapshots and cursors, and a second event."""
    _seed_0002(conn)
    conn.execute(t.inbox_events.insert().values(**_inbox("e2", object_id="c-2")))
    conn.execute(
        t.once_keys.insert().values(
            bridge_id="b1", recipe="signup", key="c-1", run_id="r1", created_at=AT
        )
    )
    conn.execute(
        t.record_snapshots.insert().values(
            bridge_id="b1",
            system="ghl",
            object_type="contact",
            object_id="c-1",
            state={"email": "ada@example.com", "tags": ["vip"]},
            updated_at=AT,
        )
    )
    conn.execute(
        t.sync_cursors.insert().values(
            bridge_id="b1", stream="ghl.contacts", cursor={"after": "c-1"}, updated_at=AT
        )
    )


def _check_0004(db: sa.Engine) -> None:
    """Old events belong to no batch; a run is now one per workflow, event and recipe."""
    with db.connect() as conn:
        batches = conn.execute(sa.select(t.inbox_events.c.batch_id)).all()
        assert [row.batch_id for row in batches] == [None, None]
    with db.begin() as conn:  # a batch workflow runs one recipe for several events
        conn.execute(t.runs.insert().values(**_run("r2", "e2")))
    with pytest.raises(sa.exc.IntegrityError), db.begin() as conn:
        conn.execute(t.runs.insert().values(**_run("r3", "e1")))
    with db.begin() as conn:  # a dispatcher puts only events not dispatched yet in a batch
        conn.execute(t.inbox_events.update().values(dispatched_at=None))
    inbox = InboxRepository(db)
    inbox.assign_batches({"batch:1": ["e1", "e2"]})
    assert sorted(inbox.batch_members(["batch:1"])["batch:1"]) == ["e1", "e2"]


def _seed_0004(conn: sa.Connection) -> None:
    """Adds batches: a batch's events, and a second run of the same workflow."""
    _seed_0003(conn)
    conn.execute(
        t.inbox_events.update().where(t.inbox_events.c.id == "e2").values(batch_id="batch:1")
    )
    conn.execute(t.runs.insert().values(**_run("r2", "e2")))
    conn.execute(
        _run_steps_0001.insert().values(
            run_id="r2",
            position=0,
            action="recipe.run",
            status="failed",
            input={"bridge": "b1", "recipe": "contacts", "event": "e2"},
            output=None,
            error="boom",
            attempts=1,
            finished_at=AT,
        )
    )


def _check_0005(db: sa.Engine) -> None:
    """A run step's ``action`` is its ``name``: old steps read back, new ones are written so."""
    runs = RunRepository(db)
    old = runs.get("r2")
    assert old is not None
    assert [(s.name, s.status, s.error) for s in old.steps] == [("recipe.run", "failed", "boom")]
    runs.record_step("r2", 1, name="bridge.reconcile", status="succeeded", input={"bridge": "b1"})
    again = runs.get("r2")
    assert again is not None and [s.name for s in again.steps] == ["recipe.run", "bridge.reconcile"]


def _seed_0005(conn: sa.Connection) -> None:
    """The schema before retention: every provenance row names its run (steps have a name)."""
    conn.execute(t.inbox_events.insert().values(**_inbox("e1")))
    conn.execute(t.inbox_events.insert().values(**_inbox("e2", "c-2")))
    for run_id, event_id in (("r1", "e1"), ("r2", "e2")):
        conn.execute(t.runs.insert().values(**_run(run_id, event_id, f"wf-{run_id}")))
        conn.execute(
            t.run_steps.insert().values(
                run_id=run_id, position=0, name="recipe.run", status="succeeded", finished_at=AT
            )
        )
        conn.execute(
            t.provenance.insert().values(
                run_id=run_id,
                bridge_id="b1",
                target_system="tt",
                object_type="customer",
                object_id="7",
                field="email",
                source_system="ghl",
                source_path="contact.email",
                value_hash=run_id[-1] * 64,
                written_at=AT,
            )
        )


def _check_0011(db: sa.Engine) -> None:
    """Retention prunes the old runs; the field's newest provenance stays, without its run."""
    pruned = prune_history(db, before=AT + timedelta(days=1))
    assert pruned.runs == 2
    with db.connect() as conn:
        kept = conn.execute(sa.select(t.provenance.c.run_id, t.provenance.c.field)).all()
    # r1's write was superseded by r2's, which outlives its run.
    assert [tuple(row) for row in kept] == [(None, "email")]


def _check_0012(db: sa.Engine) -> None:
    """The shared rate windows start empty and take bookings."""
    with db.begin() as conn:
        conn.execute(t.rate_slots.insert().values(budget="ghl:loc", token="a", at=1.5))
        conn.execute(t.rate_blocks.insert().values(budget="ghl:loc", until=2.5))
    with db.connect() as conn:
        assert conn.execute(sa.select(t.rate_slots.c.at)).scalar_one() == 1.5


def _seed_0012(conn: sa.Connection) -> None:
    """A bridge, its events and runs as 0012 wrote them, one run failed."""
    conn.execute(
        t.bridges.insert().values(
            id="b1", name="main", mode="live", settings={}, created_at=AT, updated_at=AT
        )
    )
    conn.execute(t.inbox_events.insert().values(**_inbox("e1")))
    conn.execute(t.inbox_events.insert().values(**_inbox("e2", object_id="c-2")))
    conn.execute(t.runs.insert().values(**_run("r1", "e1")))
    conn.execute(
        t.runs.insert().values(**{**_run("r2", "e2"), "status": "failed", "error": "boom"})
    )
    conn.execute(
        t.run_steps.insert().values(
            run_id="r2",
            position=0,
            name="recipe.run",
            status="failed",
            input={"event": "e2"},
            error="boom",
            attempts=5,
            finished_at=AT,
        )
    )


def _check_0013(db: sa.Engine) -> None:
    """Old runs have no error class and list with their bridge's name; executors beat."""
    from ghltt.store.executors import ExecutorRepository
    from ghltt.store.runs import RunFilter

    runs = RunRepository(db)
    [failed] = runs.list(where=RunFilter(status="failed", bridge_id="b1"))
    assert (failed.id, failed.error, failed.error_class, failed.bridge) == (
        "r2",
        "boom",
        None,
        "main",
    )
    assert runs.resolve("r2") == "r2"
    beats = ExecutorRepository(db)
    beats.beat("local:host:1", executor_id="local", host="host", pid=1)
    assert [b.id for b in beats.alive(within=60)] == ["local:host:1"]


def _seed_0013(conn: sa.Connection) -> None:
    """0012's rows and a recipe enabled on the bridge, as 0013 wrote it (no version)."""
    _seed_0012(conn)
    bridge_recipes_0013 = sa.Table(
        "bridge_recipes",
        sa.MetaData(),
        *(sa.Column(c.name, c.type) for c in t.bridge_recipes.c if c.name != "version"),
    )
    conn.execute(
        bridge_recipes_0013.insert().values(
            bridge_id="b1", recipe="contacts", enabled=True, scopes=[], updated_at=AT
        )
    )


def _check_0014(db: sa.Engine) -> None:
    """Recipes enabled before run their template (no version); a file's text is versioned."""
    recipes = BridgeRecipeRepository(db)
    before = recipes.of_bridge("b1")
    assert before and all(s.version is None for s in before)
    assert recipes.add_version("b1", "contacts", "name: contacts\n", "my.yaml") == (1, True)
    assert recipes.add_version("b1", "contacts", "name: contacts\n", "my.yaml") == (1, False)
    assert recipes.add_version("b1", "contacts", "name: contacts # v2\n", "my.yaml") == (2, True)
    recipes.upsert("b1", "contacts", enabled=True, scopes=[], version=2)
    state = recipes.state("b1", "contacts")
    assert state is not None and state.version == 2
    assert [v.version for v in recipes.versions("b1", "contacts")] == [1, 2]


def _check_0015(db: sa.Engine) -> None:
    """Imports start empty; one keeps its checkpoint and its dead letters."""
    from ghltt.store.imports import ImportRecord, ImportRepository

    repo = ImportRepository(db)
    assert repo.recent() == []
    made = repo.create(ImportRecord("imp_1", "b1", "contacts", ("ghl_to_tt",), {}, False))
    repo.checkpoint(made.id, {"ghl_to_tt": {"cursor": [1, "c-1"], "done": False}})
    repo.record_failure(made.id, "ghl", "c-1", "failed", "boom", {"id": "c-1"})
    again = repo.get(made.id)
    assert again is not None and again.progress["ghl_to_tt"]["cursor"] == [1, "c-1"]
    assert [f.reason for f in repo.failures(made.id)] == ["boom"]


def _check_0016(db: sa.Engine) -> None:
    """Old runs list through the dashboard's indexes and are found by record id; the
    dashboard password can be set."""
    from ghltt.store.dashboard import DashboardAuthRepository, DashboardQueries
    from ghltt.store.runs import RunFilter

    queries = DashboardQueries(db)
    listed = [i.run.id for i in queries.runs_page(RunFilter())]
    assert sorted(listed) == ["r1", "r2"]
    assert [i.run.id for i in queries.runs_page(RunFilter(record_id="c-2"))] == ["r2"]
    auth = DashboardAuthRepository(db)
    assert auth.password_hash() is None
    auth.set_password_hash("scrypt$1$1$1$a$b")
    assert auth.password_hash() == "scrypt$1$1$1$a$b"


def _check_0017(db: sa.Engine) -> None:
    """Old steps made no recorded request; a new step keeps the requests it made."""
    runs = RunRepository(db)
    old = runs.get("r2")
    assert old is not None and [s.requests for s in old.steps] == [[]]
    made = {"method": "GET", "path": "/contacts/c-2", "status": 200, "ms": 3.5, "attempt": 1}
    runs.record_step("r2", 1, name="recipe.run", status="succeeded", input={}, requests=[made])
    again = runs.get("r2")
    assert again is not None and again.steps[1].requests == [made]


def _check_0018(db: sa.Engine) -> None:
    """Events received before still answer whether one about a record waits: processed ones
    do not, one left pending does."""
    inbox = InboxRepository(db)
    assert not inbox.has_unprocessed("b1", "ghl", "c-1")
    with db.begin() as conn:
        conn.execute(
            t.inbox_events.update()
            .where(t.inbox_events.c.id == "e2")
            .values(processed_at=None, outcome=None)
        )
    assert inbox.has_unprocessed("b1", "ghl", "c-2")
    assert not inbox.has_unprocessed("b1", "ghl", "c-1")
    assert not inbox.has_unprocessed("b1", "tt", "c-2")


@dataclass(frozen=True)
class Step:
    seed: Callable[[sa.Connection], None]
    check: Callable[[sa.Engine], None]
    # table -> {old column: new column} for the columns the revision renames
    renamed: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


# revision -> rows written with the schema just before it, and what the revision must make of
# them.
STEPS = {
    "0002": Step(_seed_0001, _check_0002),
    "0003": Step(_seed_0002, _check_0003),
    "0004": Step(_seed_0003, _check_0004),
    "0005": Step(_seed_0004, _check_0005, renamed={"run_steps": {"action": "name"}}),
    "0011": Step(_seed_0005, _check_0011),
    "0012": Step(_seed_0005, _check_0012),
    "0013": Step(_seed_0012, _check_0013),
    "0014": Step(_seed_0013, _check_0014),
    "0015": Step(_seed_0013, _check_0015),
    "0016": Step(_seed_0013, _check_0016),
    "0017": Step(_seed_0013, _check_0017),
    "0018": Step(_seed_0013, _check_0018),
}


def _revisions() -> list[tuple[str, str | None]]:
    config = Config()
    config.set_main_option("script_location", str(migrate._MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return [(rev.revision, rev.down_revision) for rev in script.walk_revisions()]  # type: ignore[misc]


def test_every_revision_step_is_tested_forward() -> None:
    steps = {revision for revision, before in _revisions() if before is not None}
    assert steps == set(STEPS), "give each new migration an entry in STEPS"


@pytest.fixture
def db(database_url: str) -> Iterator[sa.Engine]:
    eng = open_database(database_url)
    try:
        yield eng
    finally:
        eng.dispose()


def _renamed_after(revision: str) -> dict[tuple[str, str], str]:
    """(table, old column) -> the column's name today, for the renames after ``revision``."""
    return {
        (table, old): new
        for later, step in STEPS.items()
        if later > revision
        for table, columns in step.renamed.items()
        for old, new in columns.items()
    }


def _rows(db: sa.Engine) -> Rows:
    """Every row of every table, as the database holds them (read with its own schema)."""
    metadata = sa.MetaData()
    metadata.reflect(db)
    with db.connect() as conn:
        return {
            name: sorted((dict(row._mapping) for row in conn.execute(sa.select(table))), key=repr)
            for name, table in metadata.tables.items()
            if name != "alembic_version"
        }


@pytest.mark.parametrize("revision", sorted(STEPS))
def test_a_populated_store_upgrades_forward(db: sa.Engine, revision: str) -> None:
    before = dict(_revisions())[revision]
    assert before is not None
    migrate.upgrade(db, before)
    with db.begin() as conn:
        STEPS[revision].seed(conn)
    seeded = _rows(db)

    migrate.upgrade(db)
    assert migrate.is_current(db)

    upgraded = _rows(db)
    renamed = _renamed_after(before)
    for table, old_rows in seeded.items():
        rows = [{renamed.get((table, k), k): v for k, v in row.items()} for row in old_rows]
        kept = [{k: row[k] for k in rows[0]} for row in upgraded[table]] if rows else []
        assert sorted(kept, key=repr) == rows, f"{table} changed in the upgrade"
    assert sum(map(len, seeded.values())) > 5
    # Today's code reads the old rows.
    event = InboxRepository(db).get("e1")
    assert event is not None and event.event.payload["contact"]["id"] == "c-1"
    run = RunRepository(db).get("r1")
    assert run is not None and run.event_id == "e1" and run.status == "succeeded"
    STEPS[revision].check(db)
