"""``ghltt worker`` under a profiler, written as JSON to ``GHLTT_BENCH_PROFILE`` at exit.

Three modes (``GHLTT_BENCH_PROFILE_MODE``):

- ``sample`` (default, no dependency): samples every thread's stack every few milliseconds
  (``sys._current_frames``) and counts, per function, the samples it was on (inclusive, once
  per stack) and at the top of (self). Idle frames (waits, selects, sleeps) are counted apart.
  Wall time: a thread blocked in a commit's fsync counts as busy.
- ``cpu``: cProfile in every thread (DBOS runs workflows on its own event-loop thread, which
  plain cProfile would miss): top functions by cumulative and by own time, with call counts.
  Deterministic, so it attributes CPU-bound code exactly (statements built, executed, calls
  made per run), but it slows the worker about threefold and counts a thread's waits inside
  a call (an fsync, a socket read) as that call's time. (``time.thread_time`` as its timer
  would count CPU only, but costs a system call per event: twenty times slower.) The raw
  profile goes beside the JSON (``.pstats``), for ``pstats``' callers and callees.
- ``sql``: no profiler; every statement every SQLAlchemy engine runs (the store's and DBOS's),
  counted by its text, with the transactions begun and committed: the round trips a drain made.
  SIGUSR1 writes the counts so far (the report is otherwise written at exit).

Usage: ``GHLTT_BENCH_PROFILE=out.json python bench/_e2e_profile.py``
"""

from __future__ import annotations

import atexit
import cProfile
import io
import json
import os
import pstats
import signal
import sys
import threading
import time
from collections import Counter
from typing import Any

_IDLE = {"wait", "select", "poll", "sleep", "_worker", "get", "acquire", "accept", "epoll"}


def _label(code: object) -> str:
    filename = getattr(code, "co_filename", "?")
    short = filename.split("site-packages/")[-1].split("/src/")[-1]
    return f"{short}:{getattr(code, 'co_name', '?')}"


def _sampler(out: str) -> None:
    inclusive: Counter[str] = Counter()
    self_: Counter[str] = Counter()
    samples = {"busy": 0, "idle": 0}
    stop = threading.Event()
    me = threading.get_ident()

    def sample() -> None:
        while not stop.wait(0.003):
            for ident, frame in sys._current_frames().items():
                if ident == me or ident == sampler.ident:
                    continue
                if frame.f_code.co_name in _IDLE:
                    samples["idle"] += 1
                    continue
                samples["busy"] += 1
                self_[_label(frame.f_code)] += 1
                seen = set()
                while frame is not None:
                    seen.add(_label(frame.f_code))
                    frame = frame.f_back
                inclusive.update(seen)

    def dump() -> None:
        stop.set()
        report = {
            "samples": samples,
            "cpu_seconds": round(time.process_time(), 2),
            "inclusive": inclusive.most_common(60),
            "self": self_.most_common(40),
        }
        with open(out, "w") as handle:
            json.dump(report, handle, indent=1)

    sampler = threading.Thread(target=sample, name="bench-sampler", daemon=True)
    sampler.start()
    atexit.register(dump)


def _cpu(out: str) -> None:
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start_in_thread(*_: Any) -> None:
        profile = cProfile.Profile()
        with lock:
            profiles.append(profile)
        profile.enable()  # replaces this hook in the thread

    threading.setprofile(start_in_thread)
    start_in_thread()

    def dump() -> None:
        threading.setprofile(None)
        stats: pstats.Stats | None = None
        for profile in profiles:
            profile.disable()
            profile.create_stats()
            if not profile.stats:  # type: ignore[attr-defined]
                continue
            if stats is None:
                stats = pstats.Stats(profile, stream=io.StringIO())
            else:
                stats.add(profile)
        if stats is None:
            return

        def rows(key: int) -> list[tuple[float, float, int, str]]:
            entries = stats.stats.items()  # type: ignore[attr-defined]
            ranked = sorted(entries, key=lambda kv: kv[1][key], reverse=True)[:80]
            return [(round(v[3], 3), round(v[2], 3), v[1], f"{_label_of(k)}") for k, v in ranked]

        report = {
            "cpu_seconds": round(time.process_time(), 2),
            "columns": ["cumulative_s", "own_s", "calls", "function"],
            "cumulative": rows(3),
            "own": rows(2),
        }
        with open(out, "w") as handle:
            json.dump(report, handle, indent=1)
        stats.dump_stats(out + ".pstats")

    atexit.register(dump)


def _sql(out: str) -> None:
    import sqlalchemy as sa

    statements: Counter[str] = Counter()
    lock = threading.Lock()

    def count(what: str) -> None:
        with lock:
            statements[what] += 1

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        count(" ".join(statement.split())[:160])

    sa.event.listen(sa.Engine, "before_cursor_execute", on_execute)
    for name in ("begin", "commit", "rollback"):
        sa.event.listen(sa.Engine, name, lambda _conn, name=name: count(name.upper()))
    # A connection back in the pool is reset: a ROLLBACK unless it is idle or autocommit.
    sa.event.listen(sa.pool.Pool, "reset", lambda *_: count("pool reset"))

    def dump(*_: Any) -> None:
        with lock:
            counted = Counter(statements)
        report = {
            "cpu_seconds": round(time.process_time(), 2),
            "statements": sum(counted.values()),
            "by_text": counted.most_common(80),
        }
        with open(out + ".tmp", "w") as handle:
            json.dump(report, handle, indent=1)
        os.replace(out + ".tmp", out)

    atexit.register(dump)
    # The counts so far, on demand (bench/idle.py counts a window of a running worker).
    signal.signal(signal.SIGUSR1, dump)


def _label_of(key: tuple[str, int, str]) -> str:
    filename, _line, name = key
    short = filename.split("site-packages/")[-1].split("/src/")[-1]
    return f"{short}:{name}"


def main() -> None:
    out = os.environ["GHLTT_BENCH_PROFILE"]
    mode = os.environ.get("GHLTT_BENCH_PROFILE_MODE", "sample")
    if mode == "cpu":
        _cpu(out)
    elif mode == "sql":
        _sql(out)
    else:
        _sampler(out)
    from ghltt.cli.main import app

    sys.argv = ["ghltt", "worker"]
    app()


if __name__ == "__main__":
    main()
