"""``ghltt db prune``: history older than the period leaves the store; dead letters stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghltt.cli.main import app
from ghltt.store import RunRepository, open_database, prepare
from ghltt.store import tables as t

runner = CliRunner()
OLD = datetime.now(UTC) - timedelta(days=10)


def _seed(store_url: str) -> None:
    db = open_database(store_url)
    prepare(db, upgrade_existing=False)
    with db.begin() as conn:
        for run_id, status in (("r-done", "succeeded"), ("r-dead", "failed")):
            conn.execute(
                t.inbox_events.insert().values(
                    id=f"e-{run_id}",
                    bridge_id="b1",
                    dedup_key=run_id,
                    source="ghl",
                    kind="contact.updated",
                    origin="webhook",
                    occurred_at=OLD,
                    received_at=OLD,
                    payload={},
                    dispatched_at=OLD,
                    processed_at=OLD,
                    outcome="done",
                )
            )
            conn.execute(
                t.runs.insert().values(
                    id=run_id,
                    workflow_id=f"wf-{run_id}",
                    event_id=f"e-{run_id}",
                    bridge_id="b1",
                    recipe="contacts",
                    status=status,
                    started_at=OLD,
                    finished_at=OLD,
                )
            )
    db.dispose()


def test_prune_by_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_url = f"sqlite:///{tmp_path / 'data' / 'ghltt.sqlite'}"
    monkeypatch.setenv("GHLTT_DATA_DIR", str(tmp_path / "data"))
    _seed(store_url)

    kept = runner.invoke(app, ["db", "prune"])  # 30 days by default: nothing is that old
    assert kept.exit_code == 0, kept.output
    assert "0 runs" in kept.output

    pruned = runner.invoke(app, ["db", "prune", "--days", "7"])
    assert pruned.exit_code == 0, pruned.output
    assert "older than 7 days: 1 runs" in pruned.output
    runs = RunRepository(open_database(store_url))
    assert [r.id for r in runs.list(limit=10)] == ["r-dead"]

    refused = runner.invoke(app, ["db", "prune", "--days", "0"])
    assert refused.exit_code == 2 and "keep everything" in refused.output
