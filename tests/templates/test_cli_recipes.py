from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ghltt.cli.recipes import app
from ghltt.engine.recipes.templates import template_text

runner = CliRunner()


def test_validate_shipped_templates() -> None:
    templates = Path(__file__).parents[2] / "src" / "ghltt" / "templates"
    result = runner.invoke(app, ["validate", str(templates)])
    assert result.exit_code == 0, result.output


def test_validate_reports_each_problem_and_exits_2(tmp_path: Path) -> None:
    good = tmp_path / "hours.yaml"
    good.write_text(template_text("hours"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        template_text("contacts")
        .replace("transforms: [trim, lower]", "transforms: [trim, lowr]", 1)
        .replace("conflict: newest_wins", "conflict: latest")
    )
    broken = tmp_path / "broken.yml"
    broken.write_text("name: [\n")
    result = runner.invoke(app, ["validate", str(tmp_path), str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert f"{tmp_path / 'nope.yaml'}: no such file or directory" in lines
    assert any(line.startswith(f"{bad}:11:1: conflict: Input should be") for line in lines)
    assert any(line.startswith(f"{broken}:2:1: YAML:") for line in lines)
    assert not any(str(good) in line for line in lines)
    assert "Traceback" not in result.output


def test_validate_with_only_problems_in_fields(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(template_text("contacts").replace("[trim, lower]", "[trim, lowr]", 1))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:26:51: ghl_to_tt.contact_email.transforms[1]: unknown transform" in result.stdout


def test_list() -> None:
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {r["name"] for r in rows} >= {"contacts", "signup", "hours"}
    assert all(r["kind"] in ("sync", "automation") and r["description"] for r in rows)
    table = runner.invoke(app, ["list"])
    assert table.exit_code == 0 and "activity-tags" in table.stdout
