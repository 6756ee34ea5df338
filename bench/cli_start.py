"""CLI start: how long a ``ghltt`` command takes from exec to exit, and how much it imports.

One command: ``python bench/cli_start.py [--runs N] [--baseline-src DIR]``.
Each command runs N times as its own process (``python -m ghltt ...``); the figures are the
median and the fastest wall time, and the number of modules the process imported (counted with
``-X importtime``, a figure the machine's load does not change). With ``--baseline-src`` (the
``src`` directory of another checkout, e.g. one made with ``git archive``), the same commands
run from that code too, alternating with this one so both see the same load. It prints and
writes ``bench/results/cli_start.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
COMMANDS = [["version"], ["--help"], ["runs", "list", "--help"], ["catalog", "list"]]
# Imported by a command that needs them only: the web app, DBOS, SQLAlchemy, the catalog.
HEAVY = ["ghltt.web.app", "dbos", "sqlalchemy", "ghltt.engine.catalog"]


def _env(src: str | None, data_dir: str) -> dict[str, str]:
    env = {**os.environ, "GHLTT_DATA_DIR": data_dir, "COLUMNS": "100"}
    if src:
        env["PYTHONPATH"] = src
    return env


def _once(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ghltt", *args], env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def _imports(args: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ghltt", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    names.discard("package")  # the header line
    return len(names), [h for h in HEAVY if h in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-src", default=None, help="another checkout's src directory")
    options = parser.parse_args()
    trees = {"this": None} | ({"baseline": options.baseline_src} if options.baseline_src else {})
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
        "runs": options.runs,
        "commands": {},
    }
    with tempfile.TemporaryDirectory() as data_dir:
        for args in COMMANDS:
            command = " ".join(["ghltt", *args])
            times: dict[str, list[float]] = {tree: [] for tree in trees}
            for _ in range(options.runs):
                for tree, src in trees.items():  # alternating: both trees under the same load
                    times[tree].append(_once(args, _env(src, data_dir)))
            entry: dict[str, Any] = {}
            for tree, src in trees.items():
                modules, heavy = _imports(args, _env(src, data_dir))
                entry[tree] = {
                    "median_s": round(statistics.median(times[tree]), 3),
                    "min_s": round(min(times[tree]), 3),
                    "modules": modules,
                    "heavy_imports": heavy,
                }
                print(
                    f"{command:28} {tree:8} median {entry[tree]['median_s']:6.2f} s"
                    f"  min {entry[tree]['min_s']:6.2f} s  {modules:5} modules"
                    f"  heavy: {', '.join(heavy) or '-'}",
                    flush=True,
                )
            report["commands"][command] = entry
    report["load_average_at_end"] = os.getloadavg()[0]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli_start.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
