"""``ghltt catalog`` and ``ghltt recipes schema``, in process."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import yaml
from typer.testing import CliRunner

from ghltt.cli.main import app
from ghltt.engine.recipes.templates import list_templates

TEMPLATES = Path(__file__).parents[2] / "src" / "ghltt" / "templates"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_filters_by_system_kind_and_word() -> None:
    code, out, _ = run("catalog", "list", "--system", "tt", "--kind", "trigger", "--json")
    assert code == 0
    rows = json.loads(out)
    names = {r["name"] for r in rows}
    assert {"tt.task.closed", "tt.user.created", "tt.customer.updated"} <= names
    assert all(r["kind"] == "trigger" and r["system"] == "tt" for r in rows)
    polled = next(r for r in rows if r["name"] == "tt.user.created")
    assert polled["detection"] == ["poll"] and polled["payload_schema"]["type"] == "object"
    code, out, _ = run("catalog", "list", "--search", "timer", "--json")
    assert {"tt.tasks.track", "tt.tasks.stop", "tt.users.tracking"} <= {
        r["name"] for r in json.loads(out)
    }
    code, _, err = run("catalog", "list", "--system", "crm")
    assert code == 2 and "crm" in err


def test_show_gives_schemas_scopes_and_example() -> None:
    code, out, _ = run("catalog", "show", "tt.tasks.add", "--json")
    entry = json.loads(out)
    assert code == 0 and entry["kind"] == "action" and entry["idempotence"] == "unsafe"
    assert entry["input_schema"]["required"] == ["name"]
    jsonschema_rs.validate(entry["input_schema"], entry["example"])
    assert "find by third-party id" in entry["idempotent_how"]
    code, out, _ = run("catalog", "show", "ghl.contacts.get")
    assert code == 0 and "scopes: contacts.readonly" in out and "output schema:" in out
    code, out, _ = run("catalog", "show", "tt.users.get")
    assert "scopes: none" in out


def test_show_of_an_unknown_name_says_so_and_suggests() -> None:
    code, out, err = run("catalog", "show", "tt.tasks.trak")
    assert code == 2 and out == ""
    assert "no action or trigger named 'tt.tasks.trak'" in err
    assert "did you mean tt.tasks.track" in err


def test_recipes_schema_checks_every_shipped_template(tmp_path: Path) -> None:
    target = tmp_path / "recipe.schema.json"
    code, _, err = run("recipes", "schema", str(target))
    assert code == 0 and str(target) in err
    schema = json.loads(target.read_text())
    # Draft-07: what VS Code's YAML language server validates with (it refuses 2020-12).
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema_rs.meta.validate(schema)
    validator = jsonschema_rs.validator_for(schema)
    assert isinstance(validator, jsonschema_rs.Draft7Validator)
    for template in list_templates():
        doc = yaml.safe_load((TEMPLATES / f"{template.name}.yaml").read_text())
        errors = [e.message for e in validator.iter_errors(doc)]
        assert errors == [], template.name


def test_recipes_schema_flags_a_misspelt_action_and_a_missing_input() -> None:
    _, out, _ = run("recipes", "schema")
    validator = jsonschema_rs.validator_for(json.loads(out))
    step = {"id": "s", "action": "tt.tasks.add", "input": {"name": "event.data.name"}}
    recipe = {
        "version": 2,
        "name": "r",
        "kind": "automation",
        "description": "d",
        "trigger": {"events": ["tt.task.created"]},
        "steps": [step],
    }
    assert validator.is_valid(recipe)
    assert not validator.is_valid({**recipe, "steps": [{**step, "action": "tt.task.add"}]})
    assert not validator.is_valid({**recipe, "steps": [{**step, "input": {}}]})


def test_docs_writes_the_page_and_refuses_a_missing_directory(tmp_path: Path) -> None:
    code, _, _ = run("catalog", "docs", str(tmp_path / "catalog.md"))
    assert code == 0 and "# The catalog" in (tmp_path / "catalog.md").read_text()
    code, _, err = run("catalog", "docs", str(tmp_path / "no" / "catalog.md"))
    assert code == 2 and "cannot write" in err
