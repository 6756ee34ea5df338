"""Runs and their steps: what each execution of a recipe did, for listing, inspection and replay."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ghltt.core import EventSource, InvalidInput, utcnow
from ghltt.store.database import Bind, reader
from ghltt.store.ids import resolve_prefix, short_id
from ghltt.store.inbox import InboxRepository, as_utc
from ghltt.store.tables import bridges, inbox_events, record_links, run_steps, runs

# queued (in a batch, not run yet), running, succeeded, failed (a dead letter until replayed),
# retried (failed in a batch and handed to its event's own workflow)
RUN_STATUSES = ("queued", "running", "succeeded", "failed", "held", "retried")
# Where a run's event came from (ghltt.core.EventSource).
SOURCES = tuple(s.value for s in EventSource)


def check_status(status: str | None, *, where: str = "status") -> None:
    """Refuse a status no run can have, naming those it can."""
    if status is not None and status not in RUN_STATUSES:
        # A dead letter is a failed run that exhausted its retries: it has its own list.
        hint = (
            " (dead letters have their own list: 'ghltt runs dead-letters', /api/dead-letters)"
            if status.startswith("dead")
            else ""
        )
        raise InvalidInput(
            f"unknown status {status!r}; use one of: {', '.join(RUN_STATUSES)}{hint}",
            where=where,
        )


@dataclass(frozen=True, slots=True)
class RunFilter:
    """Which runs a list shows (the API's, the CLI's and the dashboard's); every field
    narrows it (None: no condition). ``record_id`` is a GHL or TT record id: its runs and
    those of its linked twin on the other side."""

    status: str | None = None
    bridge_id: str | None = None
    recipe: str | None = None
    event_id: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    record_id: str | None = None

    def __post_init__(self) -> None:
        check_status(self.status)
        if self.source is not None and self.source not in SOURCES:
            raise InvalidInput(
                f"unknown source {self.source!r}; use one of: {', '.join(SOURCES)}",
                where="source",
            )

    def where(self, conn: sa.Connection) -> list[sa.ColumnElement[bool]]:
        """The conditions on ``LISTED`` (runs joined to their events); a record id's twins
        are read first, through ``conn``."""
        c = runs.c
        conditions: list[sa.ColumnElement[bool]] = []
        if self.status:
            conditions.append(c.status == self.status)
        if self.bridge_id:
            conditions.append(c.bridge_id == self.bridge_id)
        if self.recipe:
            # A recipe's runs are kept as "<bridge id>:<name>": the name alone finds them.
            conditions.append(
                sa.or_(
                    c.recipe == self.recipe, c.recipe.endswith(f":{self.recipe}", autoescape=True)
                )
                if ":" not in self.recipe
                else c.recipe == self.recipe
            )
        if self.event_id:
            conditions.append(c.event_id == self.event_id)
        if self.source:
            # EXISTS rather than a condition on the joined row: the planner then walks the
            # runs newest first on their index instead of scanning every event of that source.
            about = inbox_events.alias("about")
            conditions.append(
                sa.exists().where(about.c.id == c.event_id, about.c.source == self.source)
            )
        if self.since:
            conditions.append(c.started_at >= self.since)
        if self.until:
            conditions.append(c.started_at < self.until)
        if self.record_id:
            conditions.append(inbox_events.c.object_id.in_(_record_ids(conn, self.record_id)))
        return conditions


def _record_ids(conn: sa.Connection, record_id: str) -> list[str]:
    """A record's id and its linked twin's on the other side: a GHL contact's change runs
    under the contact's id, not its TT customer's. Read first, so the runs query meets a
    short list the object-id index answers (an OR with a subquery makes PostgreSQL walk
    every run)."""
    links = record_links.c
    twins = sa.union(
        sa.select(links.tt_id).where(links.ghl_id == record_id),
        sa.select(links.ghl_id).where(links.tt_id == record_id),
    )
    return [record_id, *(str(r[0]) for r in conn.execute(twins))]


# Runs with their bridge's name and what their event was about: what every list reads, and
# what ``RunFilter.where`` narrows.
_LISTED_FROM = runs.outerjoin(inbox_events, inbox_events.c.id == runs.c.event_id).outerjoin(
    bridges, bridges.c.id == runs.c.bridge_id
)
LISTED = sa.select(
    runs,
    bridges.c.name.label("bridge_name"),
    inbox_events.c.source,
    inbox_events.c.kind,
    inbox_events.c.object_type,
    inbox_events.c.object_id,
).select_from(_LISTED_FROM)


@dataclass(frozen=True, slots=True)
class StepRecord:
    position: int
    name: str
    status: str
    input: Any
    output: Any
    error: str | None
    attempts: int
    finished_at: datetime | None
    # The remote requests it made, redacted: method, path, status or error, ms, attempt...
    requests: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def recipe_name(bridge_id: str, recipe: str) -> str:
    """A run's recipe without its bridge's id, which the bridge column already shows."""
    return recipe.removeprefix(f"{bridge_id}:")


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: str
    workflow_id: str
    event_id: str
    bridge_id: str
    recipe: str
    status: str
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None
    error_class: str | None = None
    # The bridge's name, when the bridge still exists.
    bridge_name: str | None = None
    steps: list[StepRecord] = field(default_factory=list)

    @property
    def short_id(self) -> str:
        return short_id(self.id, "run")

    @property
    def bridge(self) -> str:
        """How the bridge is shown: its name, or its id once it is gone."""
        return self.bridge_name or self.bridge_id

    @property
    def recipe_name(self) -> str:
        """How the recipe is shown beside its bridge: ``contacts``, not ``br_…:contacts``."""
        return recipe_name(self.bridge_id, self.recipe)

    def as_dict(self, *, steps: bool = False) -> dict[str, Any]:
        """The JSON view shown by the API and the CLI (``bridge`` is the bridge's name)."""
        data: dict[str, Any] = {
            "id": self.id,
            "short_id": self.short_id,
            "workflow_id": self.workflow_id,
            "event_id": self.event_id,
            "bridge": self.bridge,
            "bridge_id": self.bridge_id,
            "recipe": self.recipe,
            "recipe_name": self.recipe_name,
            "status": self.status,
            "error": self.error,
            "error_class": self.error_class,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }
        if steps:
            data["steps"] = [s.as_dict() for s in self.steps]
        return data


def _run(row: sa.Row[Any]) -> RunRecord:
    m = row._mapping
    return RunRecord(
        id=m["id"],
        workflow_id=m["workflow_id"],
        event_id=m["event_id"],
        bridge_id=m["bridge_id"],
        recipe=m["recipe"],
        status=m["status"],
        error=m["error"],
        started_at=as_utc(m["started_at"]),
        finished_at=as_utc(m["finished_at"]),
        error_class=m["error_class"],
        bridge_name=m.get("bridge_name"),
    )


def _with_bridge_name() -> sa.Select[Any]:
    return sa.select(runs, bridges.c.name.label("bridge_name")).select_from(
        runs.outerjoin(bridges, bridges.c.id == runs.c.bridge_id)
    )


# The statements that record a run, built once: building one costs several times what
# executing it does. Where clauses bind k_<column>, as an UPDATE's SET takes the params named
# as columns.
_STEP_COLUMNS = (
    "name",
    "status",
    "input",
    "output",
    "error",
    "attempts",
    "finished_at",
    "requests",
)


def _upsert_step(insert: Any) -> Any:
    stmt = insert(run_steps)
    return stmt.on_conflict_do_update(
        index_elements=["run_id", "position"],
        set_={name: stmt.excluded[name] for name in _STEP_COLUMNS},
    )


_PUT_STEP = {"postgresql": _upsert_step(pg_insert), "sqlite": _upsert_step(sqlite_insert)}
_FINISH = runs.update().where(runs.c.id == sa.bindparam("k_id"))  # SET: the params
_said = inbox_events.c.changed_fields
_EVENT = inbox_events.update().where(inbox_events.c.id == sa.bindparam("k_id"))
_CHANGED: dict[str, Any] = {
    "changed_fields": sa.case(
        (
            InboxRepository.changed_fields_unknown(),
            sa.bindparam("changed", type_=_said.type),
        ),
        else_=_said,
    )
}
_EVENT_CHANGED = _EVENT.values(**_CHANGED)
_DONE: dict[str, Any] = {
    "processed_at": sa.bindparam("done_at"),
    "outcome": sa.bindparam("done_outcome"),
}
_EVENT_DONE = _EVENT.values(**_DONE)
_EVENT_CHANGED_DONE = _EVENT_CHANGED.values(**_DONE)


def _closing(event: Any | None) -> Any:
    """PostgreSQL: a run's close as one statement, its step and its end as data-modifying
    CTEs of the event's update (or of the end's, when the event is left as it is): one round
    trip instead of three. One statement's parts see the same snapshot, and none reads
    what another writes. Params: the step's ``s_<column>``, the end's ``r_<column>``, the
    event's ``e_id``, ``changed``, ``done_at`` and ``done_outcome``."""
    c = run_steps.c
    step = pg_insert(run_steps).values(
        {name: sa.bindparam(f"s_{name}", type_=c[name].type) for name in _STEP_KEYS}
    )
    step = step.on_conflict_do_update(
        index_elements=["run_id", "position"],
        set_={name: step.excluded[name] for name in _STEP_COLUMNS},
    )
    end = (
        runs.update()
        .where(runs.c.id == sa.bindparam("r_id"))
        .values({name: sa.bindparam(f"r_{name}", type_=runs.c[name].type) for name in _END_COLUMNS})
    )
    if event is None:
        return end.add_cte(step.cte("step"))
    return event.add_cte(step.cte("step"), end.cte("ended"))


_STEP_KEYS = ("run_id", "position", *_STEP_COLUMNS)
_END_COLUMNS = ("status", "error", "error_class", "finished_at")
_ONE_EVENT = inbox_events.update().where(inbox_events.c.id == sa.bindparam("e_id"))
_ONE_EVENT_CHANGED = _ONE_EVENT.values(**_CHANGED)
_CLOSE = {
    (False, False): _closing(None),
    (True, False): _closing(_ONE_EVENT_CHANGED),
    (False, True): _closing(_ONE_EVENT.values(**_DONE)),
    (True, True): _closing(_ONE_EVENT_CHANGED.values(**_DONE)),
}


def _put_step(
    conn: sa.Connection,
    run_id: str,
    position: int,
    name: str,
    status: str,
    step_input: Any,
    output: Any,
    error: str | None,
    attempts: int,
    requests: Sequence[dict[str, Any]] | None = None,
) -> None:
    conn.execute(
        _PUT_STEP[conn.dialect.name],
        {
            "run_id": run_id,
            "position": position,
            "name": name,
            "status": status,
            "input": step_input,
            "output": output,
            "error": error,
            "attempts": attempts,
            "finished_at": utcnow(),
            "requests": list(requests) if requests else None,
        },
    )


def _finish(
    conn: sa.Connection,
    run_id: str,
    status: str,
    error: str | None,
    error_class: str | None = None,
) -> None:
    conn.execute(
        _FINISH,
        {
            "k_id": run_id,
            "status": status,
            "error": error,
            "error_class": error_class,
            "finished_at": utcnow(),
        },
    )


class RunRepository:
    def __init__(self, db: Bind) -> None:
        self.db = db

    def start(
        self, *, run_id: str, workflow_id: str, event_id: str, bridge: str, recipe: str
    ) -> str:
        """Record a run as started; a recovered workflow gets its first record back."""
        with self.db.begin() as conn:
            existing = conn.execute(
                sa.select(runs.c.id).where(
                    runs.c.workflow_id == workflow_id,
                    runs.c.event_id == event_id,
                    runs.c.recipe == recipe,
                )
            ).scalar()
            if existing:
                return str(existing)
            conn.execute(
                runs.insert().values(
                    id=run_id,
                    workflow_id=workflow_id,
                    event_id=event_id,
                    bridge_id=bridge,
                    recipe=recipe,
                    status="running",
                    started_at=utcnow(),
                )
            )
        return run_id

    def start_many(
        self, workflow_id: str, bridge: str, planned: Sequence[tuple[str, str]]
    ) -> list[str]:
        """Record a batch's runs, (event id, recipe) each, as queued, in one transaction;
        their ids in the same order. A recovered batch gets its first records back."""
        with self.db.begin() as conn:
            existing = {
                (r.event_id, r.recipe): r.id
                for r in conn.execute(
                    sa.select(runs.c.id, runs.c.event_id, runs.c.recipe).where(
                        runs.c.workflow_id == workflow_id
                    )
                )
            }
            now = utcnow()
            new = [
                {
                    "id": uuid.uuid4().hex,
                    "workflow_id": workflow_id,
                    "event_id": event_id,
                    "bridge_id": bridge,
                    "recipe": recipe,
                    "status": "queued",
                    "started_at": now,
                }
                for event_id, recipe in planned
                if (event_id, recipe) not in existing
            ]
            if new:
                conn.execute(runs.insert(), new)
        existing.update({(r["event_id"], r["recipe"]): r["id"] for r in new})
        return [str(existing[key]) for key in planned]

    def statuses(self, run_ids: Sequence[str]) -> dict[str, str]:
        """The status of each of these runs (one read): a recovered batch goes on from them."""
        if not run_ids:
            return {}
        with reader(self.db).connect() as conn:
            rows = conn.execute(
                sa.select(runs.c.id, runs.c.status).where(runs.c.id.in_(list(run_ids)))
            )
            return {str(r.id): str(r.status) for r in rows}

    def record_step(
        self,
        run_id: str,
        position: int,
        *,
        name: str,
        status: str,
        input: Any,
        output: Any = None,
        error: str | None = None,
        attempts: int = 1,
        requests: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        with self.db.begin() as conn:
            _put_step(
                conn, run_id, position, name, status, input, output, error, attempts, requests
            )

    def finish(
        self,
        run_id: str,
        status: str,
        error: str | None = None,
        error_class: str | None = None,
    ) -> None:
        with self.db.begin() as conn:
            _finish(conn, run_id, status, error, error_class)

    def close(
        self,
        run_id: str,
        *,
        position: int,
        name: str,
        step_input: Any,
        output: Any = None,
        error: str | None = None,
        run_status: str,
        run_error: str | None = None,
        event_id: str,
        event_outcome: str | None = None,
        changed_fields: Sequence[str] | None = None,
        requests: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """Record a run's last step and its end, and what it says of its event, in one
        transaction: the event's outcome when this was its last run, and the fields the run
        saw changed when the sender did not say.

        The step succeeded unless ``error`` is given.
        """
        step_status = "failed" if error is not None else "succeeded"
        with self.db.begin() as conn:
            if conn.dialect.name == "postgresql":
                now = utcnow()
                stmt = _CLOSE[(changed_fields is not None, event_outcome is not None)]
                step = {
                    "run_id": run_id,
                    "position": position,
                    "name": name,
                    "status": step_status,
                    "input": step_input,
                    "output": output,
                    "error": error,
                    "attempts": 1,
                    "finished_at": now,
                    "requests": list(requests) if requests else None,
                }
                params: dict[str, Any] = {f"s_{k}": v for k, v in step.items()}
                params.update(
                    r_id=run_id,
                    r_status=run_status,
                    r_error=run_error,
                    r_error_class=None,
                    r_finished_at=now,
                    e_id=event_id,
                    changed=None if changed_fields is None else list(changed_fields),
                    done_at=now,
                    done_outcome=event_outcome,
                )
                conn.execute(stmt, params)
                return
            _put_step(
                conn, run_id, position, name, step_status, step_input, output, error, 1, requests
            )
            _finish(conn, run_id, run_status, run_error)
            event: dict[str, Any] = {"k_id": event_id}
            if changed_fields is not None:
                event["changed"] = list(changed_fields)
            if event_outcome is not None:
                event.update(done_at=utcnow(), done_outcome=event_outcome)
            stmt = {
                (True, True): _EVENT_CHANGED_DONE,
                (True, False): _EVENT_CHANGED,
                (False, True): _EVENT_DONE,
            }.get((changed_fields is not None, event_outcome is not None))
            if stmt is not None:
                conn.execute(stmt, event)

    def reopen(self, run_id: str) -> None:
        """A replayed run is running again until its workflow says otherwise."""
        with self.db.begin() as conn:
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id)
                .values(status="running", error=None, error_class=None, finished_at=None)
            )

    def resolve(self, ref: str) -> str:
        """The run id ``ref`` names: a run id, any unique prefix of one, or a workflow id
        (its first run). Raises ``NotFound``, or ``InvalidInput`` for an ambiguous prefix."""
        with self.db.connect() as conn:
            exact = conn.execute(
                sa.select(runs.c.id)
                .where(sa.or_(runs.c.id == ref, runs.c.workflow_id == ref))
                .order_by((runs.c.id == ref).desc(), runs.c.started_at)
                .limit(1)
            ).scalar()
            if exact is not None:
                return str(exact)
            return resolve_prefix(conn, runs.c.id, ref, what="run", listed_by="ghltt runs list")

    def find(self, ref: str) -> RunRecord:
        """The run ``ref`` names (see ``resolve``), with its steps."""
        record = self.get(self.resolve(ref))
        assert record is not None  # resolved just now; runs are not deleted
        return record

    def get(self, run_id: str) -> RunRecord | None:
        with self.db.connect() as conn:
            row = conn.execute(
                _with_bridge_name().where(sa.or_(runs.c.id == run_id, runs.c.workflow_id == run_id))
            ).first()
            if row is None:
                return None
            record = _run(row)
            steps = conn.execute(
                sa.select(run_steps)
                .where(run_steps.c.run_id == record.id)
                .order_by(run_steps.c.position)
            )
            for s in steps:
                m = s._mapping
                record.steps.append(
                    StepRecord(
                        position=m["position"],
                        name=m["name"],
                        status=m["status"],
                        input=m["input"],
                        output=m["output"],
                        error=m["error"],
                        attempts=m["attempts"],
                        finished_at=as_utc(m["finished_at"]),
                        requests=list(m["requests"] or []),
                    )
                )
        return record

    def list(
        self,
        *,
        status: str | None = None,
        event_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
        where: RunFilter | None = None,
    ) -> list[RunRecord]:
        """Runs newest first, a page at a time (``offset`` skips that many), filtered in SQL.

        ``status`` and ``event_id`` are shorthands for a ``RunFilter``; an unknown status
        raises ``InvalidInput``.
        """
        where = where or RunFilter(status=status, event_id=event_id)
        with self.db.connect() as conn:
            stmt = (
                LISTED.where(*where.where(conn))
                .order_by(runs.c.started_at.desc(), runs.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [_run(r) for r in conn.execute(stmt)]

    def count(self, status: str | None = None, *, where: RunFilter | None = None) -> int:
        where = where or RunFilter(status=status)
        with self.db.connect() as conn:
            stmt = sa.select(sa.func.count()).select_from(_LISTED_FROM).where(*where.where(conn))
            return int(conn.execute(stmt).scalar_one())

    def failed_in(self, workflow_ids: Sequence[str]) -> set[str]:
        """Which of these workflows hold a failed run (their dead letters are those runs)."""
        if not workflow_ids:
            return set()
        stmt = (
            sa.select(runs.c.workflow_id)
            .where(runs.c.workflow_id.in_(workflow_ids), runs.c.status == "failed")
            .distinct()
        )
        with self.db.connect() as conn:
            found: list[Any] = list(conn.execute(stmt).scalars())
        return {str(w) for w in found}
