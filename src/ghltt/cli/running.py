"""Running ghltt's processes: the store set up first, then the web app with its executor child,
which is restarted (with backoff) whenever it dies."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import signal
import subprocess
import sys
import threading
import time

import anyio
import structlog
import uvicorn

from ghltt.bridges import build_services
from ghltt.cli.context import console, store
from ghltt.engine.needs import warn_unready
from ghltt.settings import Settings
from ghltt.store.database import Database
from ghltt.store.tokens import token_file
from ghltt.web import create_app

_PR_SET_PDEATHSIG = 1
# Restart delays after the executor dies: doubling from the first to the last, and back to the
# first once a child has run for STABLE_AFTER seconds (a crash loop slows down, a rare crash
# is healed at once).
FIRST_DELAY, LAST_DELAY, STABLE_AFTER = 1.0, 60.0, 120.0

log = structlog.get_logger(__name__)


def freeze_startup_heap() -> None:
    """Everything imported and built so far lives as long as the process: keep it out of the
    cyclic collector, whose full passes over it were the intake's worst latencies (p99) and,
    in an executor, 0.1 s stalls of an import every few seconds (bench/import.py)."""
    gc.collect()
    gc.freeze()


def run_web(loaded: Settings, *, executor: bool) -> None:
    """Migrate, start the executor child (unless told not to), then serve HTTP until stopped."""
    # The executor runs in a child process tied to this one: DBOS spends CPU on every step,
    # and sharing one interpreter lock with the intake cut acknowledged events/s by more than
    # half (bench/intake.py). The child dies with its parent, so it never outlives a SIGKILL.
    db = store(loaded)  # set up before the child starts, so the two never migrate at once
    supervisor = ExecutorSupervisor() if executor else None
    if supervisor is not None:
        supervisor.start()
    threading.Thread(target=_check_bridges, args=(loaded, db), daemon=True).start()
    app = create_app(loaded, with_executor=False, expects_executor=executor)
    console.print(
        f"ghltt listening on http://{loaded.host}:{loaded.port}  "
        f"(store: {'SQLite in ' + str(loaded.data_dir) if loaded.is_sqlite else 'PostgreSQL'}; "
        f"API token: 'ghltt token show', kept in {token_file(loaded.data_dir)})",
        highlight=False,
    )
    freeze_startup_heap()
    try:
        uvicorn.run(
            app,
            host=loaded.host,
            port=loaded.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=10,
        )
    finally:
        if supervisor is not None:
            supervisor.stop()


def _check_bridges(loaded: Settings, db: Database) -> None:
    """What each bridge lacks for its recipes, as warnings in the log, beside the start."""
    try:
        anyio.run(warn_unready, build_services(loaded, db))
    except Exception as exc:  # a check must never take the server down
        structlog.get_logger(__name__).warning("bridges not checked", reason=str(exc))


def _prepare_executor_child() -> None:
    # Acknowledging webhooks is the real-time work: when CPU is short, runs wait, not intake.
    os.nice(5)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class ExecutorSupervisor:
    """Keeps one executor child ('ghltt worker') running: a child that dies, whatever the
    cause (a SIGKILL, the OOM killer, a crash), is logged and started again after a delay.

    The new child has the same executor id, so DBOS hands it the runs the dead one held.
    """

    def __init__(self, command: list[str] | None = None) -> None:
        self._command = command or [sys.executable, "-m", "ghltt", "worker"]
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._watch, name="ghltt-supervisor", daemon=True)
        self.restarts = 0

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> bool:
        with self._lock:  # stop() holds it too: no child is started after it looked
            if self._stopping.is_set():
                return False
            child = subprocess.Popen(self._command, preexec_fn=_prepare_executor_child)
            self._child = child
        log.info("executor process started", pid=child.pid, restarts=self.restarts)
        return True

    def _watch(self) -> None:
        delay = FIRST_DELAY
        while True:
            child = self._child
            assert child is not None
            started = time.monotonic()
            code = child.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= STABLE_AFTER:
                delay = FIRST_DELAY
            log.error(
                "executor process exited; restarting it",
                pid=child.pid,
                exit_code=code,
                restart_in_seconds=delay,
            )
            if self._stopping.wait(delay):
                return
            self.restarts += 1
            if not self._spawn():
                return
            delay = min(delay * 2, LAST_DELAY)

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            child = self._child
        if child is None:
            return
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
        self._thread.join(timeout=5)
