"""Chaos, small: `bench/chaos.py`'s scenario at a size the suite can afford, on both databases.

The real processes (simulators, web, workers; on PostgreSQL two web processes behind a load
balancer and two workers), every webhook sent 3 times with 10% dropped and 10% reordered, 10%
of API calls failing, a 429 storm, a worker (or the SQLite server) SIGKILLed and restarted.
Then the faults stop and barriers, not sleeps, wait: nothing pending, no webhook in flight,
one reconciliation processed, and nothing new after it. Every record must then be the same on
both sides, none lost, none duplicated, no dead letter, every acknowledged webhook committed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.chaos import Scenario, run_database

pytestmark = pytest.mark.slow

SMALL = Scenario(
    records=20,
    changes=60,
    rate=10,
    kills=1,
    storms=1,
    storm_seconds=3,
    web_kill=True,
    seed=12,
    timeout=240,  # a barrier's limit on a loaded machine, not a speed target
    still=2,
)


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_chaos_converges_with_nothing_lost_duplicated_or_stale(
    database: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GHLTT_ENV_FILE", str(tmp_path / "no.env"))  # the stack sets it
    admin = request.getfixturevalue("pg_admin_url") if database == "postgres" else None
    result = run_database(database, SMALL, pg_admin_url=admin)
    report = json.dumps(result, indent=1)
    records = result["records"]
    assert records["records"] == SMALL.records, report
    assert records["converged"] == SMALL.records, report
    assert (records["lost"], records["duplicated"], records["stale"]) == (0, 0, 0), report
    assert result["dead_letters"] == 0, report
    assert result["webhooks"]["acknowledged_missing"] == 0, report
    assert result["webhooks"]["ghl_acknowledged"] > 0, report  # the webhooks did their part
    assert result["seconds_to_converge_after_load"] is not None, report
    assert len(result["crashes"]) >= 2, report  # the kill and the storm happened
