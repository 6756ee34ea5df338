"""``ghltt worker`` under a small sampling profiler (no dependency: ``sys._current_frames``).

cProfile sees only the main thread, and DBOS runs workflows on worker threads, so this samples
every thread's stack every few milliseconds and counts, per function, the samples it was on
(inclusive, once per stack) and at the top of (self). Idle frames (waits, selects, sleeps)
are counted apart so the rest reads as where busy threads spend their time. Written as JSON to
the path in ``GHLTT_BENCH_PROFILE`` when the worker exits.

Usage: ``GHLTT_BENCH_PROFILE=out.json python bench/_e2e_profile.py``
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
from collections import Counter

_IDLE = {"wait", "select", "poll", "sleep", "_worker", "get", "acquire", "accept", "epoll"}


def _label(code: object) -> str:
    filename = getattr(code, "co_filename", "?")
    short = filename.split("site-packages/")[-1].split("/src/")[-1]
    return f"{short}:{getattr(code, 'co_name', '?')}"


def main() -> None:
    out = os.environ["GHLTT_BENCH_PROFILE"]
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
    from ghltt.cli.main import app

    sys.argv = ["ghltt", "worker"]
    app()


if __name__ == "__main__":
    main()
