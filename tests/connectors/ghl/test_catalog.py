from __future__ import annotations

import json
from pathlib import Path

import pytest

from ghltt.connectors.ghl import CATALOG, operation, scopes_for

# Copies of GHL's official specs, kept with the tests (see the README there).
SPECS = Path(__file__).resolve().parents[2] / "fixtures" / "ghl-official"
FILES = ["contacts", "businesses", "custom-fields", "users", "calendars", "oauth", "locations"]


def _spec_ops() -> dict[tuple[str, str], list[str]]:
    ops: dict[tuple[str, str], list[str]] = {}
    for name in FILES:
        spec = json.loads((SPECS / f"{name}.json").read_text())
        for path, methods in spec["paths"].items():
            for method, op in methods.items():
                if isinstance(op, dict) and "responses" in op:
                    scopes = sorted(
                        {s for sec in op.get("security", []) for v in sec.values() for s in v}
                    )
                    ops[(method.upper(), path)] = scopes
    return ops


def test_every_operation_is_in_the_official_spec_with_its_scopes() -> None:
    spec = _spec_ops()
    for op in CATALOG.values():
        path = op.path.replace("{noteId}", "{id}")
        assert (op.method, path) in spec, op.name
        declared = spec[(op.method, path)]
        if declared:  # two bulk endpoints declare none; we require contacts.write there
            assert sorted(op.scopes) == declared, op.name


def test_all_contacts_operations_are_covered() -> None:
    spec = json.loads((SPECS / "contacts.json").read_text())
    wanted = {(m.upper(), p) for p, ms in spec["paths"].items() for m in ms if m != "parameters"}
    have = {(op.method, op.path.replace("{noteId}", "{id}")) for op in CATALOG.values()}
    assert len(wanted) == 32 and wanted <= have


def test_idempotency_and_scopes() -> None:
    assert not operation("contacts.create").idempotent
    assert operation("contacts.upsert").idempotent
    assert operation("contacts.update").idempotent
    assert not operation("contacts.search").writes
    assert scopes_for({"contacts.get", "tasks.create"}) == {"contacts.readonly", "contacts.write"}
    assert operation("tasks.get").url(contactId="a/b", taskId="t") == "/contacts/a%2Fb/tasks/t"
    with pytest.raises(ValueError):
        operation("tasks.get").url(contactId="a")
