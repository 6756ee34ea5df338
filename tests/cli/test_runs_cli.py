"""Runs, events and dead letters from the command line, in process: short ids and prefixes,
bridge names, checked filters, tables that keep ids whole, and JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ghltt.cli.main import app
from ghltt.core import Event, EventSource, utcnow
from ghltt.store import InboxRepository, insert_new, open_database, upgrade
from ghltt.store import tables as t

NOW = utcnow()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    data = tmp_path / "data"
    url = f"sqlite:///{tmp_path / 'ghltt.sqlite'}"
    db = open_database(url)
    upgrade(db)
    with db.begin() as conn:
        for bridge_id, name in (("br_aaa111", "acme"), ("br_bbb222", "globex")):
            conn.execute(
                t.bridges.insert().values(
                    id=bridge_id, name=name, settings={}, created_at=NOW, updated_at=NOW
                )
            )
    events = [
        Event(bridge="br_aaa111", source=EventSource.GHL, kind="contact.updated", dedup_key="1"),
        Event(bridge="br_bbb222", source=EventSource.TT, kind="task.updated", dedup_key="2"),
    ]
    with db.begin() as conn:
        insert_new(conn, events)
        for run_id, event, recipe, status in (
            # Kept as the executor keeps them: "<bridge id>:<recipe>".
            ("abc12345" + "f" * 24, events[0], "br_aaa111:contacts", "succeeded"),
            ("abc12399" + "f" * 24, events[1], "br_bbb222:tasks", "failed"),
        ):
            conn.execute(
                t.runs.insert().values(
                    id=run_id,
                    workflow_id=f"event:{event.id}",
                    event_id=event.id,
                    bridge_id=event.bridge,
                    recipe=recipe,
                    status=status,
                    error="TransportError: name or service not known"
                    if status == "failed"
                    else None,
                    error_class="network" if status == "failed" else None,
                    started_at=NOW,
                )
            )
    InboxRepository(db).mark_processed(events[0].id, "applied")
    InboxRepository(db).mark_processed(events[1].id, "failed")
    db.dispose()
    yield {
        "GHLTT_DATA_DIR": str(data),
        "GHLTT_DATABASE_URL": url,
        "GHLTT_SANDBOX_WHEN_EMPTY": "false",
        "GHLTT_LOG_LEVEL": "warning",
    }


def _run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def _json(env: dict[str, str], *args: str) -> Any:
    result = _run(env, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_tables_show_short_ids_whole_and_bridges_by_name(env: dict[str, str]) -> None:
    listed = _run(env, "runs", "list")
    assert listed.exit_code == 0, listed.output
    assert "abc12345" in listed.stdout and "abc12399" in listed.stdout
    assert "acme" in listed.stdout and "globex" in listed.stdout
    assert "br_aaa111" not in listed.stdout and "…" not in listed.stdout.split("error")[0]
    # The recipe by its name (its bridge has its own column), and found by it.
    [run] = _json(env, "runs", "list", "--recipe", "contacts")
    assert (run["short_id"], run["recipe_name"]) == ("abc12345", "contacts")
    letters = _run(env, "runs", "dead-letters")
    assert letters.exit_code == 0, letters.output
    assert "abc12399" in letters.stdout and "network" in letters.stdout
    assert "br_bbb222" not in letters.stdout


def test_any_unique_prefix_names_a_run_and_an_ambiguous_one_is_refused(
    env: dict[str, str],
) -> None:
    shown = _run(env, "runs", "show", "abc12399f")
    assert shown.exit_code == 0, shown.output
    assert "globex" in shown.stdout and "[network]" in shown.stdout
    ambiguous = _run(env, "runs", "show", "abc1")
    assert ambiguous.exit_code == 2
    assert "ambiguous" in ambiguous.stderr and "abc12345" in ambiguous.stderr
    assert "abc12399" in ambiguous.stderr
    unknown = _run(env, "runs", "show", "zzz")
    assert unknown.exit_code == 2 and "no run with an id starting 'zzz'" in unknown.stderr
    assert "Traceback" not in unknown.output


def test_an_unknown_status_or_filter_is_refused_with_the_valid_values(env: dict[str, str]) -> None:
    dead = _run(env, "runs", "list", "--status", "dead")
    assert dead.exit_code == 2
    assert "unknown status 'dead'" in dead.stderr and "failed" in dead.stderr
    source = _run(env, "events", "list", "--source", "hubspot")
    assert source.exit_code == 2 and "ghl, tt, schedule, manual" in source.stderr
    bridge = _run(env, "runs", "replay", "--all-failed", "--bridge", "initech")
    assert bridge.exit_code == 2 and "no bridge" in bridge.stderr
    since = _run(env, "events", "list", "--since", "yesterday")
    assert since.exit_code == 2 and "--since" in since.stderr
    neither = _run(env, "runs", "replay")
    assert neither.exit_code == 2 and "--all-failed" in neither.stderr


def test_every_list_and_show_command_prints_json_for_scripts(env: dict[str, str]) -> None:
    runs = _json(env, "runs", "list", "--bridge", "globex")
    assert [(r["short_id"], r["bridge"], r["status"]) for r in runs] == [
        ("abc12399", "globex", "failed")
    ]
    run = _json(env, "runs", "show", "abc12399")
    assert run["error_class"] == "network" and run["steps"] == []
    events = _json(env, "events", "list", "--outcome", "failed")
    assert [(e["bridge"], e["kind"], e["outcome"]) for e in events] == [
        ("globex", "task.updated", "failed")
    ]
    assert len(_json(env, "events", "list", "--since", "1h")) == 2
    assert _json(env, "events", "list", "--kind", "contact.updated")[0]["source"] == "ghl"
    event = _json(env, "events", "show", events[0]["short_id"])
    assert event["id"] == events[0]["id"] and event["runs"][0]["recipe_name"] == "tasks"
    [letter] = _json(env, "runs", "dead-letters")
    assert (letter["short_id"], letter["bridge"], letter["cause_class"]) == (
        "abc12399",
        "globex",
        "network",
    )
    assert "name or service not known" in letter["cause"]
    assert _json(env, "runs", "dead-letters", "--bridge", "acme") == []
