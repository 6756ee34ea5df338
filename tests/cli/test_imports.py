"""``ghltt import``: plan, run with its progress and report, list, show, pause, resume, cancel,
against a sandbox bridge over real sockets; bad input is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ghltt.cli.main import app
from tests.e2e.conftest import Loop, open_loop
from tests.engine.imports.conftest import add_contacts, add_customers, email

pytestmark = pytest.mark.slow

QUIET = {"reconcile": {"interval_seconds": 86_400}}


def _env(loop: Loop) -> dict[str, str]:
    return {
        "GHLTT_DATA_DIR": str(loop.settings.data_dir),
        "GHLTT_DATABASE_URL": loop.settings.store_url,
        "GHLTT_GHL_BASE_URL": loop.settings.ghl_base_url,
        "GHLTT_TT_BASE_URL": loop.settings.tt_base_url,
    }


def plan_counts(record: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = record["progress"]["ghl_to_tt"]["counts"]
    return counts


def test_plan_then_import_then_steer_it(database_url: str, tmp_path: Path) -> None:
    with open_loop(database_url, tmp_path, executor=False, bridge_settings=QUIET) as loop:
        loop.ghl.set_rate_limits(burst=1_000_000, window_ms=10_000, daily=100_000_000)
        loop.ghl.remove_webhook_target(f"{loop.settings.public_url}/webhooks")
        add_contacts(loop.ghl, range(30))
        add_customers(loop.tt, range(5, 6))
        (twin,) = add_customers(loop.tt, range(600, 601))
        twin.contact_email = email(5)  # two customers answer contact 5's email: ambiguous
        cli, env = CliRunner(), _env(loop)
        base = ["import", "run", loop.bridge, "--recipe", "contacts"]

        writes_before = loop.writes()
        planned = cli.invoke(app, [*base, "--direction", "ghl-to-tt", "--plan", "--json"], env=env)
        assert planned.exit_code == 0, planned.output
        plan = json.loads(planned.stdout)
        assert plan["plan_only"] and plan["status"] == "finished"
        assert loop.writes() == writes_before

        done = cli.invoke(app, [*base, "--direction", "ghl-to-tt"], env=env)
        assert done.exit_code == 0, done.output
        assert "finished" in done.stdout and "create" in done.stdout
        assert loop.writes()[1] - writes_before[1] == plan_counts(plan)["create"]

        listed = json.loads(cli.invoke(app, ["import", "list", "--json"], env=env).stdout)
        assert [i["plan_only"] for i in listed] == [False, True]
        shown = cli.invoke(app, ["import", "show", listed[0]["id"], "--json"], env=env)
        real, planned_counts = json.loads(shown.stdout), plan["progress"]["ghl_to_tt"]["counts"]
        assert real["progress"]["ghl_to_tt"]["counts"] == planned_counts

        over = cli.invoke(app, ["import", "pause", listed[0]["id"]], env=env)
        assert over.exit_code == 2 and "not pending or running" in over.stderr

        (aside,) = real["failures"]
        assert aside["status"] == "ambiguous" and "share contact_email" in aside["reason"]
        twin.contact_email = "someone.else@example.com"
        replayed = cli.invoke(app, ["import", "replay", real["id"]], env=env)
        assert replayed.exit_code == 0, replayed.output
        assert f"ghl:{aside['record_id']}: update" in replayed.stdout
        shown = cli.invoke(app, ["import", "show", real["id"], "--json"], env=env)
        assert [f["status"] for f in json.loads(shown.stdout)["failures"]] == ["replayed"]


def test_bad_input_is_refused_in_one_line(database_url: str, tmp_path: Path) -> None:
    with open_loop(database_url, tmp_path, executor=False, bridge_settings=QUIET) as loop:
        cli, env = CliRunner(), _env(loop)
        cases = {
            ("--recipe", "nope"): "--recipe 'nope'",
            ("--recipe", "hours"): "not a sync recipe",
            ("--recipe", "contacts", "--direction", "sideways"): "--direction must be",
            ("--recipe", "contacts", "--since", "yesterday"): "--since must be",
            ("--recipe", "tasks", "--tag", "vip"): "--tag filters GHL contacts only",
            ("--recipe", "contacts", "--direction", "tt-to-ghl", "--tag", "vip"): "--tag",
        }
        for args, message in cases.items():
            result = cli.invoke(app, ["import", "run", loop.bridge, *args], env=env)
            assert result.exit_code == 2, (args, result.output)
            assert message in result.stderr, (args, result.stderr)
            assert "Traceback" not in result.output
        missing = cli.invoke(
            app, ["import", "run", "no-such-bridge", "--recipe", "contacts"], env=env
        )
        assert missing.exit_code == 2 and "no-such-bridge" in missing.stderr
        unknown = cli.invoke(app, ["import", "show", "imp_nope"], env=env)
        assert unknown.exit_code == 2 and "no import" in unknown.stderr
