from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ghltt.connectors.ghl import CATALOG, Operation, operation, scopes_for

# Copies of GHL's official specs, kept with the tests (see the README there).
SPECS = Path(__file__).resolve().parents[2] / "fixtures" / "ghl-official"
FILES = [
    "contacts", "businesses", "custom-fields", "users", "calendars", "oauth", "opportunities",
    "locations", "conversations", "forms", "surveys", "workflows", "campaigns", "associations",
    "objects", "products",
]  # fmt: skip


def _spec_file(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPECS / f"{name}.json").read_text())
    return data


def _versions() -> dict[tuple[str, str], list[str]]:
    """Each operation's ``Version`` header values, as its own spec declares them."""
    found: dict[tuple[str, str], list[str]] = {}
    for name in FILES:
        for path, methods in _spec_file(name)["paths"].items():
            for method, op in methods.items():
                for param in op.get("parameters", []) if isinstance(op, dict) else []:
                    if param.get("name") == "Version" and param.get("in") == "header":
                        found[(method.upper(), path)] = param.get("schema", {}).get("enum", [])
    return found


def _key(op: Operation, spec: Mapping[tuple[str, str], Any]) -> tuple[str, str]:
    """Where an operation is in the specs (contacts' notes say ``{id}`` where we say noteId)."""
    exact = (op.method, op.path)
    return exact if exact in spec else (op.method, op.path.replace("{noteId}", "{id}"))


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
        key = _key(op, spec)
        assert key in spec, op.name
        declared = spec[key]
        if declared:  # a few endpoints declare none; we require their resource's scope there
            assert sorted(op.scopes) == declared, op.name


def test_each_operation_sends_the_version_its_own_spec_declares() -> None:
    versions = _versions()
    for op in CATALOG.values():
        wanted = versions.get(_key(op, versions))
        if wanted:  # oauth.json declares none
            assert op.version in wanted, f"{op.name}: {op.version} not in {wanted}"
    assert operation("messages.send_sms").version == "2021-04-15"
    assert operation("calendars.free_slots").version == "2021-04-15"
    assert operation("opportunities.get").version == "2021-07-28"


@pytest.mark.parametrize("name", ["opportunities", "forms", "surveys", "workflows", "campaigns",
                                  "associations", "objects", "users", "businesses"])  # fmt: skip
def test_every_operation_of_these_files_is_declared(name: str) -> None:
    spec = _spec_file(name)
    wanted = {(m.upper(), p) for p, ms in spec["paths"].items() for m in ms if m != "parameters"}
    have = {_key(op, {}) for op in CATALOG.values()} | {
        (o.method, o.path) for o in CATALOG.values()
    }
    missing = wanted - have
    if name == "forms":  # a file upload (multipart) is no recipe action
        missing -= {("POST", "/forms/upload-custom-files")}
    assert not missing


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
