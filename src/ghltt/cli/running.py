"""Running ghltt's processes: the store set up first, then the web app with its executor child."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

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


def run_web(loaded: Settings, *, executor: bool) -> None:
    """Migrate, start the executor child (unless told not to), then serve HTTP until stopped."""
    # The executor runs in a child process tied to this one: DBOS spends CPU on every step,
    # and sharing one interpreter lock with the intake cut acknowledged events/s by more than
    # half (bench/intake.py). The child dies with its parent, so it never outlives a SIGKILL.
    db = store(loaded)  # set up before the child starts, so the two never migrate at once
    child = _start_executor_child() if executor else None
    threading.Thread(target=_check_bridges, args=(loaded, db), daemon=True).start()
    app = create_app(loaded, with_executor=False, executor_alive=_alive(child) if child else None)
    console.print(
        f"ghltt listening on http://{loaded.host}:{loaded.port}  "
        f"(store: {'SQLite in ' + str(loaded.data_dir) if loaded.is_sqlite else 'PostgreSQL'}; "
        f"API token: 'ghltt token show', kept in {token_file(loaded.data_dir)})",
        highlight=False,
    )
    # Everything imported and built so far lives as long as the process: keep it out of the
    # cyclic collector, whose full passes over it were the intake's worst latencies (p99).
    gc.collect()
    gc.freeze()
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
        if child is not None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


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


def _start_executor_child() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ghltt", "worker"], preexec_fn=_prepare_executor_child
    )


def _alive(child: subprocess.Popen[bytes]) -> Callable[[], bool]:
    return lambda: child.poll() is None
