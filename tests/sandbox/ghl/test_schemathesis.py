"""Every operation of the official GHL files the simulator serves, driven by schemathesis:
a request valid per the spec must get a 2xx (positive phase) with a documented status, content
type and body; an invalid one may be refused with any 4xx but never a 5xx (negative phase).

Where the live API deliberately differs from its spec, the test names the difference and where
it is recorded (``EXCEPTIONS``); nothing else is excused."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
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
from starlette.routing import Route

from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.sandbox.ghl.sample_ids import SAMPLE_IDS as S

# Copies of GHL's official specs, kept with the tests (see the README there).
SPEC_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "ghl-official"
FILES = (
    "contacts", "businesses", "users", "calendars", "custom-fields", "opportunities",
    "locations", "conversations", "forms", "surveys", "workflows", "campaigns", "associations",
    "objects", "products",
)  # fmt: skip
MAX_EXAMPLES = 6
SIM = GhlSimulator(GhlSimulatorConfig(seed=11))


@dataclass(frozen=True)
class Exception_:
    """A documented difference between the spec and the live API: which checks it lifts and
    which statuses a spec-valid request may get instead of a 2xx."""

    why: str
    source: str
    statuses: frozenset[int] = frozenset()
    skip_schema: bool = False
    skip_status: bool = False


def _refuses(statuses: set[int], why: str, source: str) -> Exception_:
    return Exception_(why, source, frozenset(statuses), skip_status=True)


EXCEPTIONS: dict[tuple[str, str], Exception_] = {
    ("GET", "/contacts/"): Exception_(
        "list items spell empty fields null; the spec's types are not nullable",
        "recorded live responses, reference §2.8", skip_schema=True),
    ("GET", "/contacts/business/{businessId}"): Exception_(
        "list items spell empty fields null", "reference §2.8", skip_schema=True),
    ("POST", "/contacts/bulk/tags/update/{type}"): Exception_(
        "the spec types `responses` as string[]; its own example and the API send objects",
        "contacts.json example of UpdateTagsResponseDTO", skip_schema=True),
    ("POST", "/locations/{locationId}/customFields"): _refuses(
        {400, 422}, "a field's key is made from its name: a name with no letter or digit makes "
        "none (422), and a name whose key the location holds already is taken (400)",
        "locations.json CreateCustomFieldsDTO; the key GHL derives from the name"),
    ("PUT", "/opportunities/{id}/status"): _refuses(
        {422}, "the status enum lists `all`, a search filter; the API sets only open, won, "
        "lost or abandoned", "opportunities.json UpdateStatusDto; GHL's opportunity UI"),
    ("GET", "/calendars/events"): _refuses(
        {400}, "every filter is optional in the spec, but the API needs calendarId, userId or "
        "groupId", "calendars.json, the description of those parameters"),
    ("GET", "/calendars/events/appointments/{eventId}"): Exception_(
        "CalendarEventDTO types dates and createdBy as objects; the API sends ISO strings",
        "calendars.json CalendarEventDTO and its examples", skip_schema=True),
    ("POST", "/calendars/events/block-slots"): Exception_(
        "BlockedSlotSuccessfulResponseDto types and requires startTime and endTime as objects; "
        "the API sends ISO strings", "calendars.json BlockedSlotSuccessfulResponseDto",
        skip_schema=True),
    ("PUT", "/calendars/events/block-slots/{eventId}"): Exception_(
        "BlockedSlotSuccessfulResponseDto types startTime and endTime as objects",
        "calendars.json BlockedSlotSuccessfulResponseDto", skip_schema=True),
    ("GET", "/opportunities/pipelines"): Exception_(
        "PipelinesResponseSchema types each stage as an array; the API sends stage objects",
        "opportunities.json PipelinesResponseSchema example", skip_schema=True),
    ("POST", "/opportunities/upsert"): _refuses(
        {422}, "contactId is optional because an update needs none; creating needs one",
        "opportunities.json UpsertOpportunityDto description"),
    ("POST", "/locations/{locationId}/tasks/search"): Exception_(
        "the answer's tasks are typed as arrays of arrays; the API sends task objects",
        "locations.json LocationTaskListSuccessfulResponseDto", skip_schema=True),
    ("GET", "/objects/{schemaKey}/records/{id}"): Exception_(
        "IRecordSchema types properties as a string; its example and the API send an object",
        "objects.json IRecordSchema example", skip_schema=True),
    ("PUT", "/objects/{schemaKey}/records/{id}"): Exception_(
        "IRecordSchema types properties as a string", "objects.json IRecordSchema example",
        skip_schema=True),
    ("POST", "/objects/{schemaKey}/records"): Exception_(
        "the spec's body is empty; the API takes locationId, properties, owner and followers",
        "objects.json CreateCustomObjectRecordDto; the SDK's objects.create_record",
        frozenset({422}), skip_schema=True, skip_status=True),
    ("POST", "/conversations/messages"): _refuses(
        {400}, "an SMS, email or comment needs a body (message, html, attachments or a "
        "template); the spec marks each optional", "conversations.json SendMessageBodyDto"),
    ("POST", "/contacts/search"): _refuses(
        {422}, "the spec's body is empty, but the API requires locationId and pageLimit",
        "reference §2.7; GHL docs issue #31"),
}  # fmt: skip
# associations.json answers all nine operations with one association object whose keys and
# labels it types as objects; its own examples send strings, lists come as lists and relations
# as relations (the SDK's associations models), so only the body check is lifted there.
for _path, _method in (
    ("/associations/", "POST"), ("/associations/", "GET"), ("/associations/{associationId}", "GET"),
    ("/associations/{associationId}", "PUT"), ("/associations/key/{key_name}", "GET"),
    ("/associations/objectKey/{objectKey}", "GET"), ("/associations/relations", "POST"),
    ("/associations/relations/{recordId}", "GET"),
    ("/associations/relations/{relationId}", "DELETE"),
):  # fmt: skip
    EXCEPTIONS[(_method, _path)] = Exception_(
        "one association object typed with objects answers every operation",
        "associations.json GetPostSuccessfulResponseDto and its examples",
        skip_schema=True,
    )


def _load(name: str) -> dict[str, Any]:
    """A spec file with its ../common refs inlined, so it loads without the upstream layout."""
    spec = json.loads((SPEC_DIR / f"{name}.json").read_text())
    common = json.loads((SPEC_DIR / "common-schemas.json").read_text())
    spec.setdefault("components", {}).setdefault("schemas", {}).update(
        common["components"]["schemas"]
    )
    # OpenAPI has no `"type": "any"` (conversations.json uses it for startAfterDate): it means
    # any value, which is what leaving the type out says.
    text = json.dumps(spec).replace("../common/common-schemas.json#", "#")
    text = text.replace('"type": "any", ', "").replace(', "type": "any"', "")
    data: dict[str, Any] = json.loads(text)
    data["servers"] = [{"url": "/"}]
    return data


def _shape(path: str) -> str:
    return re.sub(r"{[^}]+}", "{}", path.rstrip("/") or "/")


SERVED = {
    (method, _shape(route.path))
    for route in SIM.app.routes
    if isinstance(route, Route)
    for method in (route.methods or ())
}


def _operations() -> list[Any]:
    found = []
    for name in FILES:
        schema = schemathesis.openapi.from_dict(_load(name))
        schema.app = SIM.app
        for result in schema.get_all_operations():
            op = result.ok()
            if (op.method.upper(), _shape(op.path)) in SERVED:
                found.append(pytest.param(name, op, id=f"{name}: {op.method.upper()} {op.path}"))
    return found


OPERATIONS = _operations()
# Routes only an agency (Company) token may call; the rest are called with a location's key.
AGENCY_ONLY = {("POST", "/locations/")}
FIGURES: Counter[str] = Counter()

# The record each path parameter names, for happy paths (``id`` depends on the path).
_PATH_IDS = {
    "contactId": S["contact"], "taskId": S["task"], "businessId": S["business"],
    "calendarId": S["calendar"], "eventId": S["appointment"], "appointmentId": S["appointment"],
    "noteId": S["appointmentNote"], "groupId": S["calendarGroup"], "userId": S["user"],
    "campaignId": S["campaign"], "workflowId": S["workflow"], "conversationId": S["conversation"],
    "messageId": S["message"], "tagId": S["locationTag"], "schemaKey": S["objectKey"],
    "key": S["objectKey"], "objectKey": S["objectKey"], "associationId": S["association"],
    "relationId": S["relation"], "recordId": S["record"], "key_name": S["associationKey"],
    "productId": S["product"], "priceId": S["price"],
    "locationId": S["location"],
}  # fmt: skip
# Parameters whose record depends on the route: (path prefix, parameter, sample key).
_IDS_BY_PREFIX = (
    ("/contacts/{contactId}/notes", "id", "note"), ("/opportunities", "id", "opportunity"),
    ("/locations/{locationId}/customValues", "id", "customValue"),
    ("/conversations/messages", "id", "message"), ("/objects", "id", "record"),
    ("/calendars/events/block-slots", "eventId", "blockedSlot"),
)  # fmt: skip
_BODY_IDS = {
    "locationId": S["location"], "contactId": S["contact"], "calendarId": S["calendar"],
    "pipelineId": S["pipeline"], "pipelineStageId": S["stage"], "businessId": S["business"],
    "conversationId": S["conversation"], "associationId": S["association"],
    "firstRecordId": S["record"], "secondRecordId": S["otherContact"], "companyId": S["company"],
    "assignedTo": S["user"], "assignedUserId": S["user"], "userId": S["user"],
    "groupId": S["calendarGroup"],
}  # fmt: skip


# What the live API validates beyond its spec. GHL's DTOs carry class-validator decorators
# (IsNotEmpty, IsISO8601, IsEmail, IsIn, numeric query strings) that the published OpenAPI
# files omit (reference §13, "DTO checks"); a value the spec allows but those checks refuse is
# replaced by a valid one before sending, and the request must then succeed.
_NUMERIC_QUERY = {"limit": "20", "skip": "0", "page": "1", "offset": "0", "pageLimit": "20",
                  "startDate": "1772409600000", "endDate": "1772582400000",
                  "startTime": "1772409600000", "endTime": "1772582400000"}  # fmt: skip
_QUERY_VALUES = {"timezone": "America/New_York"}
_FORMATS = {"email": "nora@example.com", "dateOfBirth": "1990-01-01"}  # IsEmail, IsDateString
_DATES = {"dueDate": "2026-03-10T15:00:00Z", "eventStartTime": "2026-03-10T15:00:00Z",
          "startTime": "2026-03-10T15:00:00Z", "endTime": "2026-03-10T15:30:00Z"}  # fmt: skip
# Enumerations the API checks (IsIn, IsEmail) where the spec types a plain string, by route.
_ENUMS_BY_PATH = (
    ("/users", {"role": "user", "type": "account", "email": "nora@example.com",
                "emails": ["dana@sandbox.example"]}),
    ("/opportunities", {"status": "open"}),
    # CreateCustomFieldsDTO: dataType IsIn the field types, model IsIn contact|opportunity.
    ("/locations/{locationId}/customFields", {"dataType": "TEXT", "model": "contact"}),
)  # fmt: skip
_PATH_ENUMS = {"type": "add"}
# The contact DTO whitelists the channels of dndSettings (forbidNonWhitelisted).
_OBJECTS = {"dndSettings": {}, "labels": {"singular": "Pet", "plural": "Pets"}}
REPAIRED: Counter[str] = Counter()


def _repair(op: Any, case: Any) -> None:
    before = json.dumps([case.query, case.body, case.path_parameters], sort_keys=True, default=str)
    for key, value in {**_NUMERIC_QUERY, **_QUERY_VALUES}.items():
        if case.query and key in case.query:
            case.query[key] = value
    for key, value in _PATH_ENUMS.items():
        if case.path_parameters and key in case.path_parameters:
            case.path_parameters[key] = value
    enums = next((e for prefix, e in _ENUMS_BY_PATH if op.path.startswith(prefix)), {})
    if isinstance(case.body, dict):
        for key, value in list(case.body.items()):
            if key in _FORMATS and value is not None:
                case.body[key] = _FORMATS[key]
            elif key in _DATES and isinstance(value, str):
                case.body[key] = _DATES[key]
            elif key in enums:
                case.body[key] = enums[key]
            elif key in _OBJECTS and isinstance(value, dict):
                case.body[key] = _OBJECTS[key]
            elif value == "":
                case.body[key] = "sample"  # IsNotEmpty
    after = json.dumps([case.query, case.body, case.path_parameters], sort_keys=True, default=str)
    if after != before:
        REPAIRED["cases"] += 1


def _point_at_sample(op: Any, case: Any) -> None:
    """Aim generated ids at the sample's records so happy paths run, not only 400s."""
    for key in list(case.path_parameters or {}):
        by_route = [S[v] for p, k, v in _IDS_BY_PREFIX if op.path.startswith(p) and k == key]
        if key == "id" and (op.path.startswith("/custom-fields/") or "customFields" in op.path):
            by_route = [next(iter(SIM.state.custom_fields))]  # seeded with the seed's ids
        if by_route:
            case.path_parameters[key] = by_route[0]
        elif key in _PATH_IDS:
            case.path_parameters[key] = _PATH_IDS[key]
    for key in list(case.query or {}):
        if key in _BODY_IDS or key == "location_id":
            case.query[key] = _BODY_IDS.get(key, S["location"])
    if isinstance(case.body, dict):
        for key, value in list(case.body.items()):
            if key in _BODY_IDS and isinstance(value, str):
                case.body[key] = _BODY_IDS[key]
            if key in ("ids", "contacts") and isinstance(value, list):
                case.body[key] = [S["contact"]]
            if key == "locationIds" and isinstance(value, list):
                case.body[key] = [S["location"]]


def _settings() -> Any:
    return settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )


@pytest.mark.parametrize(("file", "operation"), OPERATIONS)
def test_conforms_to_official_spec(file: str, operation: Any) -> None:
    key = (operation.method.upper(), operation.path)
    exception = EXCEPTIONS.get(key)
    checks = [not_a_server_error, content_type_conformance]
    if exception is None or not exception.skip_status:
        checks.append(status_code_conformance)
    if exception is None or not exception.skip_schema:
        checks.append(response_schema_conformance)
    token = SIM.sample.agency_token if key in AGENCY_ONLY else SIM.sample.location_api_key
    headers = {"Authorization": f"Bearer {token}"}
    refused: list[str] = []

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @_settings()
    def positive(case: Any) -> None:
        SIM.reset()
        _repair(operation, case)
        _point_at_sample(operation, case)
        if key == ("POST", "/conversations/") and isinstance(case.body, dict):
            case.body["contactId"] = S["otherContact"]  # the sample contact has a conversation
        response = case.call_and_validate(headers=headers, checks=checks, app=SIM.app)
        FIGURES[f"{file}:positive"] += 1
        if 200 <= response.status_code < 300:
            FIGURES[f"{file}:2xx"] += 1
        elif exception is None or response.status_code not in exception.statuses:
            refused.append(f"{response.status_code} {response.text[:300]}")

    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    @_settings()
    def negative(case: Any) -> None:
        SIM.reset()
        case.call_and_validate(headers=headers, checks=[not_a_server_error], app=SIM.app)

    positive()
    negative()
    FIGURES[f"{file}:operations"] += 1
    assert not refused, f"a spec-valid request was refused: {refused[0]}"


def test_figures() -> None:
    """Runs last: the figures per file (``pytest -s`` shows them)."""
    print(f"positive cases repaired for the API's DTO checks: {REPAIRED['cases']}")
    for name in FILES:
        covered = FIGURES[f"{name}:operations"]
        got, tried = FIGURES[f"{name}:2xx"], FIGURES[f"{name}:positive"]
        print(f"{name}: {covered} operations, {got}/{tried} positive cases 2xx")
