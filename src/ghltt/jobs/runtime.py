"""The durable-execution runtime: DBOS lifecycle, the runs queue, the dispatcher, admin calls.

``JobRuntime`` runs the executor (in ``ghltt serve`` and ``ghltt worker``); ``JobAdmin`` is the
executor-less view the CLI and web use to list dead letters and replay them.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from dbos import DBOS, DBOSClient, DBOSConfig
from dbos import error as dbos_error

from ghltt.bridges import Services
from ghltt.core import InvalidInput, NotFound
from ghltt.jobs import imports, schedules, workflows
from ghltt.jobs.bridge_schedules import BridgeSchedules
from ghltt.jobs.dispatcher import Dispatcher
from ghltt.jobs.workflows import (
    PROCESS_BATCH,
    PROCESS_EVENT,
    RUNS_QUEUE,
    WORKFLOW_VERSION,
    enqueue_options,
    event_workflow_id,
)
from ghltt.settings import Settings, sqlite_path
from ghltt.store import InboxRepository, RunRepository, open_database
from ghltt.store.database import Database, is_schema_missing, prepare_sqlite_file

log = structlog.get_logger(__name__)

DEAD_STATUSES = ["ERROR", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    workflow_id: str
    # The event of an event's workflow; a batch that failed outside its runs names none.
    event_id: str | None
    status: str
    error: str | None
    created_at: datetime | None
    events: int = 1

    def as_dict(self) -> dict[str, Any]:
        """The JSON view shown by the API."""
        return {name: getattr(self, name) for name in self.__slots__}


def _dead_letter(wf: Any) -> DeadLetter:
    inputs = getattr(wf, "input", None)
    args = inputs.get("args") if isinstance(inputs, dict) else None
    batch = wf.name == PROCESS_BATCH
    return DeadLetter(
        workflow_id=wf.workflow_id,
        event_id=None if batch or not args else args[0],
        status=wf.status,
        error=str(wf.error)[:500] if wf.error else None,
        created_at=datetime.fromtimestamp(wf.created_at / 1000) if wf.created_at else None,
        events=len(args[2]) if batch and args and len(args) > 2 else 1,
    )


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

    def ping(self) -> bool:
        try:
            self.client.check_connection()
        except Exception:
            return False
        return True

    def dead_letters(self, limit: int = 50) -> list[DeadLetter]:
        found = self.client.list_workflows(
            status=DEAD_STATUSES,
            name=[PROCESS_EVENT, PROCESS_BATCH],
            limit=limit,
            sort_desc=True,
            load_output=True,
        )
        return [_dead_letter(wf) for wf in found]

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

    def unschedule_import(self, bridge_id: str, recipe: str) -> bool:
        name = imports.schedule_name(bridge_id, recipe)
        with _executor_needed():
            if self.client.get_schedule(name) is None:
                return False
            self.client.delete_schedule(name)
        return True

    def replay(self, target: str) -> str:
        """Replay a run, a workflow or an event; returns the id of the new workflow.

        A dead workflow is forked from its first failed step, so what already succeeded is
        not done again. Anything else is run again from the start as a new event workflow.
        """
        if target.startswith("batch:"):
            status = self.client.retrieve_workflow(target).get_status()
            if status is None or status.status not in DEAD_STATUSES:
                raise InvalidInput(
                    f"batch {target} is not a dead letter; replay its runs or events instead"
                )
            return self._fork(target, str(status.queue_partition_key or "default"))
        runs = RunRepository(self._db)
        run = runs.get(target)
        if run is not None:
            event_id, bridge = run.event_id, run.bridge_id
            # A run a batch closed as retried lives on in its event's own workflow.
            workflow_id = (
                event_workflow_id(event_id) if run.status == workflows.RETRIED else run.workflow_id
            )
        else:
            stored = InboxRepository(self._db).get(target.removeprefix("event:"))
            if stored is None:
                raise NotFound(f"no run, workflow or event with id {target!r}")
            event_id, bridge = stored.event.id, stored.event.bridge
            workflow_id = target if target.startswith("event:") else event_workflow_id(event_id)
        status = self.client.retrieve_workflow(workflow_id).get_status()
        if status is not None and status.status in DEAD_STATUSES:
            new_id = self._fork(workflow_id, bridge)
            for record in runs.list(event_id=event_id, limit=100):
                if record.workflow_id == workflow_id and record.status == "failed":
                    runs.reopen(record.id)
            return new_id
        if status is not None and status.status in {"PENDING", "ENQUEUED"}:
            raise InvalidInput(f"workflow {workflow_id} is still {status.status.lower()}")
        new_id = f"{event_workflow_id(event_id)}:replay:{uuid.uuid4().hex[:12]}"
        options = enqueue_options(PROCESS_EVENT, new_id, bridge)
        self.client.enqueue(options, event_id, bridge)  # type: ignore[arg-type]
        return new_id

    def _fork(self, workflow_id: str, bridge: str) -> str:
        steps = self.client.list_workflow_steps(workflow_id)
        failed = [s["function_id"] for s in steps if s.get("error") is not None]
        handle = self.client.fork_workflow(
            workflow_id,
            min(failed) if failed else 0,
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
        }
        # Opened before DBOS so an SQLite system database is in WAL mode from DBOS's first
        # connection on (one fsync per checkpoint instead of a rollback journal's several).
        self._jobs_db = open_database(settings.jobs_url, pool_size=2)
        with self._jobs_db.connect():
            pass
        self.bridges = BridgeSchedules(settings, self._db, self.ensure_schedule, self.wake)
        workflows.set_context(
            workflows.RunContext(
                db=self._db,
                planner=self.bridges.prepare(),
                max_attempts=settings.run_max_attempts,
                retry_interval=settings.run_retry_interval,
                on_new_events=self.wake,
            )
        )
        imports.set_context(
            imports.ImportJobs(
                self._db,
                self._services,
                share=settings.import_budget_share,
                max_attempts=settings.run_max_attempts,
                retry_interval=settings.run_retry_interval,
            )
        )
        DBOS(config=config)
        _route_dbos_logs()
        DBOS.launch()
        limit = settings.bridge_rate_limit
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
        DBOS.register_queue(
            imports.IMPORTS_QUEUE, worker_concurrency=2, on_conflict="always_update"
        )
        self._dispatcher = Dispatcher(
            InboxRepository(self._db),
            self.admin.client,
            self._jobs_db,
            spread=settings.worker_concurrency,
            max_batch=settings.run_batch_max,
        )
        self._dispatcher.start()
        self._dispatcher.wake()
        self.bridges.start()
        self.started = True
        log.info("executor started", executor_id=settings.executor_id)

    def _services(self) -> Services:
        assert self.bridges is not None  # set before the executor starts
        return self.bridges.services

    def wake(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.wake()

    def stop(self) -> None:
        if self.bridges is not None:
            self.bridges.stop()
            self.bridges = None
        if self._dispatcher is not None:
            self._dispatcher.stop()
            self._dispatcher = None
        if self.started:
            DBOS.destroy(workflow_completion_timeout_sec=5)
            self.started = False
        self.admin.close()
        if self._jobs_db is not None:
            self._jobs_db.dispose()
        workflows.set_context(None)
        imports.set_context(None)

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
