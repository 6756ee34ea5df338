"""Issue 15's closing figures: the catalog's counts, and schemathesis per official GHL file.

Run: ``.venv/bin/python bench/catalog_figures.py [--counts-only]`` (``--counts-only`` keeps the
schemathesis figures of the last full run). Counts come from the
catalog itself (actions by system, triggers by system and detection). The schemathesis figures
come from running ``tests/sandbox/ghl/test_schemathesis.py`` in this process: per spec file,
its operations, those the simulator serves and the test drove, and the positive (spec-valid)
cases that got a 2xx. Prints a summary, writes ``bench/results/catalog.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ghltt.engine.catalog import ACTIONS, TRIGGERS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "catalog.json"
SCHEMATHESIS = "tests/sandbox/ghl/test_schemathesis.py"


def counts() -> dict[str, Any]:
    actions = Counter(a.system for a in ACTIONS.values())
    triggers: Counter[str] = Counter()
    for trigger in TRIGGERS.values():
        for detection in trigger.detection:
            triggers[f"{trigger.system}/{detection}"] += 1
    by_system = Counter(t.system for t in TRIGGERS.values())
    return {
        "actions": dict(sorted(actions.items())),
        "triggers": len(TRIGGERS),
        "triggers_by_system": dict(sorted(by_system.items())),
        "triggers_by_system_and_detection": dict(sorted(triggers.items())),
    }


def _spec_operations(spec: Path) -> int:
    paths = json.loads(spec.read_text())["paths"]
    return sum(1 for methods in paths.values() for m in methods if m != "parameters")


def schemathesis_figures() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    code = pytest.main(
        [SCHEMATHESIS, "-q", "-p", "no:randomly", "-p", "no:xdist", "-p", "no:cacheprovider"],
        plugins=[],
    )
    from tests.sandbox.ghl import test_schemathesis as run  # filled by the run above

    per_file = {
        name: {
            "operations_in_file": _spec_operations(run.SPEC_DIR / f"{name}.json"),
            "operations_covered": run.FIGURES[f"{name}:operations"],
            "positive_cases": run.FIGURES[f"{name}:positive"],
            "positive_2xx": run.FIGURES[f"{name}:2xx"],
        }
        for name in run.FILES
    }
    return {
        "pytest_exit_code": int(code),
        "documented_exceptions": len(run.EXCEPTIONS),
        "positive_cases_repaired_for_dto_checks": run.REPAIRED["cases"],
        "files": per_file,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts-only", action="store_true", help="skip the schemathesis run")
    args = parser.parse_args()
    result: dict[str, Any] = {"catalog": counts()}
    if not args.counts_only:
        result["schemathesis"] = schemathesis_figures()
    elif RESULTS.exists():
        # Counts only: the schemathesis figures of the last full run stay as they were.
        previous = json.loads(RESULTS.read_text()).get("schemathesis")
        if previous is not None:
            result["schemathesis"] = previous
    catalog = result["catalog"]
    print(f"actions: {catalog['actions']}; triggers: {catalog['triggers']}")
    print(f"  triggers by system: {catalog['triggers_by_system']}")
    print("  (a TT trigger both pushed and polled counts under each detection)")
    for key, n in catalog["triggers_by_system_and_detection"].items():
        print(f"  triggers {key}: {n}")
    if "schemathesis" in result:
        figures = result["schemathesis"]
        print(f"schemathesis (pytest exit {figures['pytest_exit_code']}):")
        print("  file: operations covered/in file, positive cases 2xx/run")
        for name, f in figures["files"].items():
            print(
                f"  {name}: {f['operations_covered']}/{f['operations_in_file']}, "
                f"{f['positive_2xx']}/{f['positive_cases']}"
            )
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
