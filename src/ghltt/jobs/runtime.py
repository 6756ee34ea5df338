"""The durable-execution runtime: DBOS lifecycle, the runs queue, the dispatcher, admin calls.

``JobRuntime`` runs the executor (in ``ghltt serve`` and ``ghltt worker``); ``JobAdmin`` is the
executor-less view the CLI and web use to list dead letters and replay them.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import structlog
from dbos import DBOS, DBOSClient, DBOSConfig
from dbos import error as dbos_error

from ghltt.bridges import Services
from ghltt.core import GhlttError, InvalidInput, NotFound
from ghltt.jobs import imports, queue_wake, retention, schedules, workflows
from ghltt.jobs.bridge_schedules import BridgeSchedules
from ghltt.jobs.dispatcher import Dispatcher
from ghltt.jobs.failures import FAILURE_CLASSES
from ghltt.jobs.heartbeat import Heartbeat
from ghltt.jobs.workflows import (
    PROCESS_BATCH,
    PROCESS_EVENT,
    RUNS_QUEUE,
    WORKFLOW_VERSION,
    enqueue_options,
    event_workflow_id,
)
from ghltt.settings import Settings, sqlite_path
from ghltt.store import InboxRepository, RunRecord, RunRepository, open_database
from ghltt.store.bridges import bridge_names
from ghltt.store.database import Database, has_table, is_schema_missing, prepare_sqlite_file
from ghltt.store.ids import short_id
from ghltt.store.inbox_signal import InboxWatch, watch_inbox
from ghltt.store.runs import RunFilter

log = structlog.get_logger(__name__)

DEAD_STATUSES = ["ERROR", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"]
# The dispatcher looks at the inbox unwoken this often: when the store's watch sees other
# processes' commits (a safety net), and when it cannot (a lost PostgreSQL connection).
DISPATCH_SAFETY_POLL = 10.0
DISPATCH_IDLE_POLL = 1.0
IMPORTS_POLL = 5.0
_SETTLE_SECONDS = 10.0
# At most this many workflows that died outside any run are looked at per list.
_ORPHANS_MAX = 100


@dataclass(frozen=True, slots=True)
class ImportSchedule:
    """A recipe's catch-up import on a cron (``ghltt import schedule``)."""

    name: str
    bridge_id: str
    recipe: str
    directions: tuple[str, ...]
    cron: str
    timezone: str | None
    status: str
    last_fired_at: str | None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """What exhausted its retries and waits for a replay.

    Mostly a failed run (``id`` is the run's), whose cause is the last error of its failing
    step. A workflow that died outside any run (a batch that failed before its runs, or one
    that crashed its executor too often) is one too, under its workflow id.
    """

    id: str
    short_id: str
    workflow_id: str
    # The event of the run or of an event's workflow; a batch's names none.
    event_id: str | None
    bridge: str
    bridge_id: str
    recipe: str | None
    cause: str | None
    cause_class: str
    failed_at: datetime | None
    events: int = 1

    def as_dict(self) -> dict[str, Any]:
        """The JSON view shown by the API and the CLI."""
        data = {name: getattr(self, name) for name in self.__slots__}
        data["remedy"] = FAILURE_CLASSES.get(self.cause_class, "")
        return data

    @classmethod
    def of_run(cls, run: RunRecord) -> DeadLetter:
        return cls(
            id=run.id,
            short_id=run.short_id,
            workflow_id=run.workflow_id,
            event_id=run.event_id,
            bridge=run.bridge,
            bridge_id=run.bridge_id,
            recipe=run.recipe,
            cause=run.error,
            cause_class=run.error_class or "internal",
            failed_at=run.finished_at or run.started_at,
        )


@dataclass(frozen=True, slots=True)
class Replayed:
    """A replay: the workflow that runs it, and the runs it runs again when they are known
    already (a dead letter resumes its own runs; anything else makes new ones)."""

    workflow_id: str
    run_ids: list[str]
    event_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "runs": self.run_ids,
            "short_ids": [short_id(r, "run") for r in self.run_ids],
            "event_id": self.event_id,
        }


def _orphan(wf: Any, bridge_names: dict[str, str]) -> DeadLetter:
    inputs = getattr(wf, "input", None)
    args = inputs.get("args") if isinstance(inputs, dict) else None
    batch = wf.name == PROCESS_BATCH
    bridge_id = str(wf.queue_partition_key or (args[1] if args and len(args) > 1 else ""))
    return DeadLetter(
        id=wf.workflow_id,
        short_id=wf.workflow_id,
        workflow_id=wf.workflow_id,
        event_id=None if batch or not args else args[0],
        bridge=bridge_names.get(bridge_id, bridge_id),
        bridge_id=bridge_id,
        recipe=None,
        cause=str(wf.error)[:500] if wf.error else wf.status,
        cause_class="internal",
        failed_at=_from_ms(wf.updated_at or wf.created_at),
        events=len(args[2]) if batch and args and len(args) > 2 else 1,
    )


def _from_ms(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value / 1000, tz=UTC) if value else None


class JobAdmin:
    """Inspect and steer durable runs through the system database, with no executor."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings = settings
        self._db = db
        self._client: DBOSClient | None = None

    @property
    def client(self) -> DBOSClient:
        if self._client is None:
            if (jobs_file := sqlite_path(self._settings.jobs_url)) is not None:
                prepare_sqlite_file(jobs_file)  # owner-only, before DBOS would create it
            self._client = DBOSClient(system_database_url=self._settings.jobs_url)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.destroy()
            self._client = None

    def has_run(self) -> bool:
        """Whether an executor ever set up the system database (before, it holds nothing)."""
        jobs_db = open_database(self._settings.jobs_url, pool_size=1)
        try:
            schema = None if jobs_db.dialect.name == "sqlite" else "dbos"
            return has_table(jobs_db, "workflow_status", schema=schema)
        finally:
            jobs_db.dispose()

    def ping(self) -> bool:
        try:
            self.client.check_connection()
        except Exception:
            return False
        return True

    def dead_letters(
        self, where: RunFilter | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[DeadLetter]:
        """Dead letters: first the workflows that died outside any run (rare, and read from
        DBOS), then failed runs newest first (paged and filtered in the store). A replayed
        dead letter that succeeded is gone: its run succeeded, or a fork of its workflow did.
        """
        where = replace(where or RunFilter(), status="failed")
        # A workflow that died outside any run has no event, recipe or record to match.
        about_runs = (where.recipe, where.event_id, where.source, where.until, where.record_id)
        orphans = self._orphans(where) if not any(about_runs) else []
        letters = orphans[offset : offset + limit]
        room = limit - len(letters)
        if room > 0:
            runs = RunRepository(self._db).list(
                where=where, limit=room, offset=max(0, offset - len(orphans))
            )
            letters += [DeadLetter.of_run(r) for r in runs]
        return letters

    def _orphans(self, where: RunFilter) -> list[DeadLetter]:
        if not self.has_run():
            # DBOS makes its tables when an executor first launches (its client never does):
            # before, there is no workflow, dead or alive.
            return []
        found = self.client.list_workflows(
            status=DEAD_STATUSES,
            name=[PROCESS_EVENT, PROCESS_BATCH],
            is_fork=False,
            limit=_ORPHANS_MAX,
            sort_desc=True,
            load_output=True,
        )
        dead = [
            wf
            for wf in found
            if where.bridge_id in (None, wf.queue_partition_key)
            and (where.since is None or (_from_ms(wf.created_at) or where.since) >= where.since)
        ]
        if not dead:
            return []
        ids = [wf.workflow_id for wf in dead]
        covered = RunRepository(self._db).failed_in(ids)
        # Replayed: a fork of it succeeded or is under way (one that died lists it again).
        resolved = {
            wf.forked_from
            for wf in self.client.list_workflows(
                forked_from=ids, status=["SUCCESS", "PENDING", "ENQUEUED"], load_input=False
            )
        }
        names = bridge_names(self._db)
        return [
            _orphan(wf, names)
            for wf in dead
            if wf.workflow_id not in covered and wf.workflow_id not in resolved
        ]

    def start_import(self, import_id: str) -> str:
        """Run an import (or resume it) in the executor; the id of its workflow."""
        options = imports.enqueue_options(import_id)
        with _executor_needed():
            self.client.enqueue(options, import_id)  # type: ignore[arg-type]
        return str(options["workflow_id"])

    def schedule_import(
        self,
        bridge_id: str,
        recipe: str,
        cron: str,
        *,
        directions: list[str] | None = None,
        timezone: str | None = None,
    ) -> str:
        """Run a catch-up import of ``recipe`` on ``cron`` (replacing its schedule, if any)."""
        name = imports.schedule_name(bridge_id, recipe)
        context = {"bridge": bridge_id, "recipe": recipe, "directions": directions}
        with _executor_needed():
            if self.client.get_schedule(name) is not None:
                self.client.delete_schedule(name)
            try:
                self.client.create_schedule(
                    schedule_name=name,
                    workflow_name=imports.IMPORT_TICK,
                    schedule=cron,
                    context=context,
                    cron_timezone=timezone,
                    queue_name=imports.IMPORTS_QUEUE,
                )
            except dbos_error.DBOSException as exc:
                raise InvalidInput(str(exc), where="cron") from None
        return name

    def import_schedules(self) -> list[ImportSchedule]:
        """The catch-up imports on a schedule, by bridge and recipe."""
        with _executor_needed():
            found = self.client.list_schedules(workflow_name=imports.IMPORT_TICK)
        listed = []
        for s in found:
            context = s["context"] if isinstance(s["context"], dict) else {}
            listed.append(
                ImportSchedule(
                    name=s["schedule_name"],
                    bridge_id=str(context.get("bridge", "")),
                    recipe=str(context.get("recipe", "")),
                    directions=tuple(context.get("directions") or ()),
                    cron=s["schedule"],
                    timezone=s["cron_timezone"],
                    status=s["status"],
                    last_fired_at=s["last_fired_at"],
                )
            )
        return sorted(listed, key=lambda s: s.name)

    def unschedule_import(self, bridge_id: str, recipe: str) -> bool:
        name = imports.schedule_name(bridge_id, recipe)
        with _executor_needed():
            if self.client.get_schedule(name) is None:
                return False
            self.client.delete_schedule(name)
        return True

    def replay(self, target: str) -> Replayed:
        """Replay a run, a workflow or an event (ids or unique prefixes of them).

        A dead workflow is forked from its first failed step, so what already succeeded is
        not done again, and its failed runs run on under their own ids. Anything else is run
        again from the start as a new event workflow, whose runs are new.
        """
        if target.startswith("batch:"):
            status = self.client.retrieve_workflow(target).get_status()
            if status is None or status.status not in DEAD_STATUSES:
                raise InvalidInput(
                    f"batch {target} is not a dead letter; replay its runs or events instead"
                )
            return Replayed(
                self._fork(target, str(status.queue_partition_key or "default")), [], None
            )
        runs = RunRepository(self._db)
        try:
            run = runs.find(target)
        except NotFound:
            run = None
        if run is not None:
            event_id, bridge = run.event_id, run.bridge_id
            # A run a batch closed as retried lives on in its event's own workflow.
            workflow_id = (
                event_workflow_id(event_id) if run.status == workflows.RETRIED else run.workflow_id
            )
        else:
            try:
                event_id = InboxRepository(self._db).resolve(target)
            except NotFound:
                raise NotFound(
                    f"no run, workflow or event with an id starting {target!r} "
                    "(see 'ghltt runs list' and 'ghltt events list')"
                ) from None
            stored = InboxRepository(self._db).get(event_id)
            assert stored is not None
            bridge = stored.event.bridge
            workflow_id = event_workflow_id(event_id)
        status = self._status(workflow_id, settling=run is not None and run.status == "failed")
        if status is not None and status.status in DEAD_STATUSES:
            new_id = self._fork(workflow_id, bridge)
            reopened = []
            for record in runs.list(event_id=event_id, limit=100):
                if record.workflow_id == workflow_id and record.status == "failed":
                    runs.reopen(record.id)
                    reopened.append(record.id)
            return Replayed(new_id, reopened, event_id)
        if status is not None and status.status in {"PENDING", "ENQUEUED"}:
            raise InvalidInput(f"workflow {workflow_id} is still {status.status.lower()}")
        new_id = f"{event_workflow_id(event_id)}:replay:{uuid.uuid4().hex[:12]}"
        options = enqueue_options(PROCESS_EVENT, new_id, bridge)
        self.client.enqueue(options, event_id, bridge)  # type: ignore[arg-type]
        return Replayed(new_id, [], event_id)

    def replay_all(
        self,
        where: RunFilter,
        on_progress: Callable[[int, int, DeadLetter, Replayed | GhlttError], None] | None = None,
    ) -> tuple[int, int]:
        """Replay every dead letter the filter matches, one replay per dead workflow (its
        failed runs resume together); (replayed, refused) counts."""
        letters: list[DeadLetter] = []
        while batch := self.dead_letters(where, limit=1000, offset=len(letters)):
            letters += batch
            if len(batch) < 1000:
                break
        first_of: dict[str, DeadLetter] = {}
        for letter in letters:
            first_of.setdefault(letter.workflow_id, letter)
        todo = list(first_of.values())
        replayed = refused = 0
        for position, letter in enumerate(todo, start=1):
            outcome: Replayed | GhlttError
            try:
                outcome = self.replay(letter.id)
                replayed += 1
            except GhlttError as exc:
                outcome = exc
                refused += 1
            if on_progress is not None:
                on_progress(position, len(todo), letter, outcome)
        return replayed, refused

    def _status(self, workflow_id: str, *, settling: bool) -> Any:
        """The workflow's status; a failed run's workflow is given a moment to finish dying
        (it records the run, then the event, then ends in error)."""
        deadline = time.monotonic() + (_SETTLE_SECONDS if settling else 0)
        while True:
            status = self.client.retrieve_workflow(workflow_id).get_status()
            if status is None or status.status not in {"PENDING", "ENQUEUED"}:
                return status
            if time.monotonic() >= deadline:
                return status
            time.sleep(0.1)

    def _fork(self, workflow_id: str, bridge: str) -> str:
        steps = self.client.list_workflow_steps(workflow_id)
        failed = [s["function_id"] for s in steps if s.get("error") is not None]
        # From its first failed step; with none (a batch whose run could not be recorded),
        # after its last recorded one: a batch's plan is kept, and its runs that ended are
        # not run again.
        start = min(failed) if failed else max((s["function_id"] + 1 for s in steps), default=0)
        handle = self.client.fork_workflow(
            workflow_id,
            start,
            queue_name=RUNS_QUEUE,
            queue_partition_key=bridge,
            application_version=WORKFLOW_VERSION,
        )
        return str(handle.get_workflow_id())


@contextlib.contextmanager
def _executor_needed() -> Iterator[None]:
    """The system database is made by the executor's first start: say so instead of a trace."""
    try:
        yield
    except Exception as exc:
        if not is_schema_missing(exc):
            raise
        raise InvalidInput(
            "the job database is not set up yet: start 'ghltt serve' or 'ghltt worker' once"
        ) from None


def _route_dbos_logs() -> None:
    """DBOS installs a handler of its own; send its lines through ours (redacted, one format)."""
    dbos_log = logging.getLogger("dbos")
    dbos_log.handlers = []
    dbos_log.propagate = True


class JobRuntime:
    """The executor of one process: DBOS launched, the runs queue served, the outbox drained."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings = settings
        self._db = db
        self._dispatcher: Dispatcher | None = None
        self._jobs_db: Database | None = None
        self.admin = JobAdmin(settings, db)
        self.bridges: BridgeSchedules | None = None
        self._heartbeat: Heartbeat | None = None
        self._inbox_watch: InboxWatch | None = None
        self._runs: workflows.RunContext | None = None
        self._runs_waker = queue_wake.QueueWaker(RUNS_QUEUE)
        self.started = False

    def start(self) -> None:
        settings = self._settings
        config: DBOSConfig = {
            "name": "ghltt",
            "system_database_url": settings.jobs_url,
            "application_version": WORKFLOW_VERSION,
            "executor_id": settings.executor_id,
            "log_level": "WARNING",
            "scheduler_polling_interval_sec": 5.0,
            # ghltt waits on no DBOS event, stream or message: their notifier (PostgreSQL)
            # need not wake a hundred times a second.
            "notification_coalesce_sec": 1.0,
        }
        # Opened before DBOS so an SQLite system database is in WAL mode from DBOS's first
        # connection on (one fsync per checkpoint instead of a rollback journal's several).
        self._jobs_db = open_database(settings.jobs_url, pool_size=2)
        with self._jobs_db.connect():
            pass
        self.bridges = BridgeSchedules(settings, self._db, self.ensure_schedule, self.wake)
        planner = self.bridges.prepare()
        self._runs = workflows.RunContext(
            db=self._db,
            planner=planner,
            max_attempts=settings.run_max_attempts,
            retry_interval=settings.run_retry_interval,
            on_new_events=self.wake,
            workflows=self.admin.client,
        )
        workflows.set_context(self._runs)
        imports.set_context(
            imports.ImportJobs(
                self._db,
                self._services,
                share=settings.import_budget_share,
                page_size=settings.import_page_size,
                max_attempts=settings.run_max_attempts,
                retry_interval=settings.run_retry_interval,
            )
        )
        limit = settings.bridge_rate_limit
        # Polled ten times a second while it has work, once a second when idle, and at once
        # when the dispatcher enqueues. With a rate limit, a backlog may wait in the queue
        # with nothing running here: DBOS's interval always, for the window's free slots.
        self._runs_waker = queue_wake.register(
            queue_wake.QueueWaker(
                RUNS_QUEUE, idle_poll=queue_wake.IDLE_POLL if limit is None else None
            )
        )
        DBOS(config=config)
        _route_dbos_logs()
        DBOS.launch()
        DBOS.register_queue(
            RUNS_QUEUE,
            worker_concurrency=settings.worker_concurrency,
            partition_limiter=None
            if limit is None
            else {"limit": limit, "period": settings.bridge_rate_period},
            polling_interval_sec=0.1,
            on_conflict="always_update",
        )
        # Imports on a queue of their own: real-time runs never wait behind a bulk import.
        # A bulk import may start a few seconds after it is asked for.
        DBOS.register_queue(
            imports.IMPORTS_QUEUE,
            worker_concurrency=2,
            polling_interval_sec=IMPORTS_POLL,
            on_conflict="always_update",
        )
        self._dispatcher = Dispatcher(
            InboxRepository(self._db),
            self.admin.client,
            self._jobs_db,
            planner,
            spread=settings.worker_concurrency,
            max_batch=settings.run_batch_max,
            idle_poll=self._dispatch_idle_poll,
            on_enqueued=self._runs_waker.kick,
        )
        self._dispatcher.start()
        self._inbox_watch = watch_inbox(self._db, self._inbox_changed)
        self._inbox_watch.start()
        self._dispatcher.wake()
        self.bridges.start()
        self._keep_retention(settings.retention_days)
        self._heartbeat = Heartbeat(self._db, settings.executor_id)
        self._heartbeat.start()
        self.started = True
        log.info("executor started", executor_id=settings.executor_id)

    def _services(self) -> Services:
        assert self.bridges is not None  # set before the executor starts
        return self.bridges.services

    def wake(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.wake()

    def _inbox_changed(self) -> None:
        """Another process (or connection) committed to the store."""
        self.wake()
        if self._inbox_watch is not None and self._inbox_watch.announces_events:
            # New events: another executor may take them and overflow into this one's queue.
            self._runs_waker.expect()

    def _dispatch_idle_poll(self) -> float:
        """How long the dispatcher waits for a wake-up before it looks at the inbox anyway."""
        watch = self._inbox_watch
        return DISPATCH_SAFETY_POLL if watch is not None and watch.live else DISPATCH_IDLE_POLL

    def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()
            self._heartbeat = None
        if self.bridges is not None:
            self.bridges.stop()
            self.bridges = None
        if self._inbox_watch is not None:
            self._inbox_watch.stop()
            self._inbox_watch = None
        if self._dispatcher is not None:
            self._dispatcher.stop()
            self._dispatcher = None
        queue_wake.unregister(self._runs_waker)  # DBOS's own pauses: its stop ends them
        if self.started:
            DBOS.destroy(workflow_completion_timeout_sec=5)
            self.started = False
        self.admin.close()
        if self._jobs_db is not None:
            self._jobs_db.dispose()
        if self._runs is not None:
            self._runs.commits.close()  # what runs handed over commits before the store closes
            self._runs = None
        workflows.set_context(None)
        imports.set_context(None)

    def _keep_retention(self, days: int) -> None:
        """The hourly pruning schedule, as the settings say (0 days: none)."""
        existing = DBOS.get_schedule(retention.RETENTION_SCHEDULE)
        context = {"days": days}
        if existing is not None:
            if days and existing.get("context") == context:
                return
            DBOS.delete_schedule(retention.RETENTION_SCHEDULE)
        if not days:
            return
        try:
            DBOS.create_schedule(
                schedule_name=retention.RETENTION_SCHEDULE,
                workflow_fn=retention.prune_tick,
                schedule=retention.RETENTION_CRON,
                context=context,
            )
        except Exception as exc:  # another executor starting at the same moment made it
            log.warning("retention schedule not (re)created", error=str(exc))

    def ensure_schedule(
        self,
        name: str,
        cron: str,
        *,
        kind: str,
        bridge: str = "default",
        timezone: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        """Create or update a cron schedule that emits ``kind`` events for ``bridge``."""
        context = {"name": name, "kind": kind, "bridge": bridge, "payload": payload or {}}
        existing = DBOS.get_schedule(name)
        if existing is not None:
            if existing["schedule"] == cron and existing.get("context") == context:
                return
            DBOS.delete_schedule(name)
        try:
            DBOS.create_schedule(
                schedule_name=name,
                workflow_fn=schedules.scheduled_tick,
                schedule=cron,
                context=context,
                cron_timezone=timezone,
            )
        except Exception as exc:
            raise InvalidInput(f"schedule {name!r}: {exc}") from None
