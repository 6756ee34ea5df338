"""``ghltt serve`` and ``ghltt worker``."""

from __future__ import annotations

import signal
import threading

import typer

from ghltt.cli.context import console, settings, store
from ghltt.cli.running import freeze_startup_heap, run_web
from ghltt.jobs import JobRuntime
from ghltt.jobs.plans import load_plugins
from ghltt.settings import Settings
from ghltt.store.connections import ConnectionRepository


def serve(
    host: str = typer.Option(None, help="Address to listen on [GHLTT_HOST, default 127.0.0.1]."),
    port: int = typer.Option(None, help="Port to listen on [GHLTT_PORT, default 8000]."),
    executor: bool = typer.Option(
        True,
        "--executor/--no-executor",
        help="Also execute runs in this process (the default). With --no-executor this "
        "process only takes webhooks and API calls; run 'ghltt worker' elsewhere.",
    ),
    sandbox_when_empty: bool = typer.Option(
        True,
        "--sandbox-when-empty/--no-sandbox-when-empty",
        envvar="GHLTT_SANDBOX_WHEN_EMPTY",
        help="With no account connected yet, start the sandbox (simulators of both APIs) "
        "instead, so there is something to try. Ignored once a connection exists.",
    ),
) -> None:
    """Start the web app and, by default, the durable executor in one process.

    On the embedded default everything lives in the data directory (GHLTT_DATA_DIR, default
    ./data): the SQLite store, the executor's database and the API token. Set
    GHLTT_DATABASE_URL=postgresql://... to scale out.

    Example: ghltt serve --port 8000
    """
    loaded = settings(host=host, port=port)
    if sandbox_when_empty and executor and not _has_connections(loaded):
        from ghltt.cli.sandbox import sandbox  # imported late: it pulls in the simulators

        console.print(
            "no GHL or TrackingTime account is connected yet: starting the sandbox, with "
            "simulators of both APIs. Connect real accounts with 'ghltt connect ghl|tt', "
            "pair them with 'ghltt bridges add', then start again.",
            highlight=False,
        )
        sandbox(port=loaded.port, ghl_port=loaded.port + 101, tt_port=loaded.port + 102)
        return
    run_web(loaded, executor=executor)


def _has_connections(loaded: Settings) -> bool:
    db = store(loaded)
    try:
        return ConnectionRepository(db).exists()
    finally:
        db.dispose()


def worker() -> None:
    """Execute durable runs without serving HTTP (scale-out with PostgreSQL).

    Give every worker a stable GHLTT_EXECUTOR_ID (e.g. worker-1) so that a restarted worker
    recovers the runs it was executing. Stops cleanly on SIGTERM or Ctrl-C.

    Example: GHLTT_DATABASE_URL=postgresql://db/ghltt GHLTT_EXECUTOR_ID=worker-1 ghltt worker
    """
    loaded = settings()
    load_plugins(loaded.plugins)
    db = store(loaded)
    runtime = JobRuntime(loaded, db)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runtime.start()
    freeze_startup_heap()
    console.print(f"ghltt worker {loaded.executor_id} executing runs", highlight=False)
    try:
        stop.wait()
    finally:
        runtime.stop()
        db.dispose()
