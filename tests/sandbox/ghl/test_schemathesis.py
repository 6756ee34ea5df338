"""Every operation of the official contacts.json, driven by schemathesis against the simulator:
responses must carry documented status codes, content types and bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig

# Copies of GHL's official specs, kept with the tests (see the README there).
SPEC_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "ghl-official"
MAX_EXAMPLES = 6

# Where the official spec and the real API disagree (reference §1.2, §2.8, §2.11) we follow the
# real API and skip only the affected check, per operation:
SKIP_SCHEMA_CHECK = {
    # List items spell empty fields null (recorded real responses); the spec types are not nullable.
    ("GET", "/contacts/"),
    ("GET", "/contacts/business/{businessId}"),
    # The spec types `responses` as string[], but its own example (and reality) has objects.
    ("POST", "/contacts/bulk/tags/update/{type}"),
}
SKIP_STATUS_CHECK = {
    # The spec's body is an empty object, but the real API requires locationId and pageLimit and
    # answers 422 without them (reference §2.7, ISS #31); 422 is not in the spec's list.
    ("POST", "/contacts/search"),
}


def _load_spec() -> dict[str, Any]:
    """contacts.json with its ../common refs inlined, so it loads without the upstream layout."""
    spec = json.loads((SPEC_DIR / "contacts.json").read_text())
    common = json.loads((SPEC_DIR / "common-schemas.json").read_text())
    spec["components"]["schemas"].update(common["components"]["schemas"])
    text = json.dumps(spec).replace("../common/common-schemas.json#", "#")
    data: dict[str, Any] = json.loads(text)
    data["servers"] = [{"url": "/"}]
    return data


SCHEMA = schemathesis.openapi.from_dict(_load_spec())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
SIM = GhlSimulator(GhlSimulatorConfig(seed=11))
SCHEMA.app = SIM.app


def _point_at_sample(case: Any) -> None:
    """Aim generated ids at real records so the happy paths are exercised, not only 400s."""
    state = SIM.state
    loc = SIM.sample_location_id
    contact = next(
        c for c in state.contacts.values() if c["locationId"] == loc and c.get("businessId")
    )
    task = next(t for t in state.tasks.values() if t["contactId"] == contact["id"])
    note = next((n for n in state.notes.values() if n["contactId"] == contact["id"]), None)
    params = case.path_parameters or {}
    replacements = {
        "contactId": contact["id"],
        "taskId": task["id"],
        "id": note["id"] if note else "",
        "businessId": contact["businessId"],
        "campaignId": next(iter(state.campaigns)),
        "workflowId": next(iter(state.workflows)),
    }
    for key in list(params):
        if key in replacements:
            params[key] = replacements[key]
    if case.query and "locationId" in case.query:
        case.query["locationId"] = loc
    if isinstance(case.body, dict) and "locationId" in case.body:
        case.body["locationId"] = loc
    if isinstance(case.body, dict) and isinstance(case.body.get("businessId"), str):
        case.body["businessId"] = contact["businessId"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_conforms_to_official_spec(operation: Any) -> None:
    key = (operation.method.upper(), operation.path)
    checks = [not_a_server_error, content_type_conformance]
    if key not in SKIP_STATUS_CHECK:
        checks.append(status_code_conformance)
    if key not in SKIP_SCHEMA_CHECK:
        checks.append(response_schema_conformance)
    headers = {"Authorization": f"Bearer {SIM.sample_token}"}

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def positive(case: Any) -> None:
        SIM.reset()
        _point_at_sample(case)
        case.call_and_validate(headers=headers, checks=checks, app=SIM.app)

    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def negative(case: Any) -> None:
        # Invalid input may be refused with any 4xx (403, 404 included), but never a 5xx.
        SIM.reset()
        case.call_and_validate(headers=headers, checks=[not_a_server_error], app=SIM.app)

    positive()
    negative()
