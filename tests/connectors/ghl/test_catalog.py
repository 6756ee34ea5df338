from __future__ import annotations

import pytest

from ghltt.connectors.ghl import CATALOG, operation, scopes_for
from tests.support.ghl_specs import FILES, spec_file, spec_key, versions


def _spec_ops() -> dict[tuple[str, str], list[str]]:
    ops: dict[tuple[str, str], list[str]] = {}
    for name in FILES:
        for path, methods in spec_file(name)["paths"].items():
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
        key = spec_key(op, spec)
        assert key in spec, op.name
        declared = spec[key]
        if declared:  # a few endpoints declare none; we require their resource's scope there
            assert sorted(op.scopes) == declared, op.name


def test_each_operation_sends_the_version_its_own_spec_declares() -> None:
    declared = versions()
    for op in CATALOG.values():
        wanted = declared.get(spec_key(op, declared))
        if wanted:  # oauth.json declares none
            assert op.version in wanted, f"{op.name}: {op.version} not in {wanted}"
    assert operation("messages.send_sms").version == "2021-04-15"
    assert operation("calendars.free_slots").version == "2021-04-15"
    assert operation("opportunities.get").version == "2021-07-28"


@pytest.mark.parametrize("name", ["opportunities", "forms", "surveys", "workflows", "campaigns",
                                  "associations", "objects", "users", "businesses"])  # fmt: skip
def test_every_operation_of_these_files_is_declared(name: str) -> None:
    spec = spec_file(name)
    wanted = {(m.upper(), p) for p, ms in spec["paths"].items() for m in ms if m != "parameters"}
    have = {spec_key(op, {}) for op in CATALOG.values()} | {
        (o.method, o.path) for o in CATALOG.values()
    }
    missing = wanted - have
    if name == "forms":  # a file upload (multipart) is no recipe action
        missing -= {("POST", "/forms/upload-custom-files")}
    assert not missing


def test_all_contacts_operations_are_covered() -> None:
    spec = spec_file("contacts")
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
