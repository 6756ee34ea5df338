"""A test catalog of the actions the templates use, named after the connectors' operations
(``ghl.`` + GHL catalog name, ``tt.`` + TT catalog name) with inputs from the API references."""

from __future__ import annotations

from ghltt.connectors.ghl.catalog import CATALOG as GHL
from ghltt.connectors.trackingtime.catalog import OPERATIONS as TT
from ghltt.engine.recipes import Action, Input

S, I_, B, A, ANY = "string", "integer", "boolean", "array", "any"


def _i(type_: str, required: bool = False) -> Input:
    return Input(type_, required)  # type: ignore[arg-type]


def _ghl(op: str, obj: str | None = None, custom: bool = False, /, **inputs: Input) -> Action:
    return Action(inputs, GHL[op].scopes, obj, custom)


def _tt(op: str, obj: str | None = None, custom: bool = False, /, **inputs: Input) -> Action:
    assert op in TT, op
    # TrackingTime App Passwords carry no scopes: the account's full access.
    return Action(inputs, (), obj, custom)


_CONTACT_FIELDS = (
    "firstName lastName name email phone address1 city state postalCode country "
    "website timezone companyName dateOfBirth source assignedTo"
)
_CONTACT = {k: _i(S) for k in _CONTACT_FIELDS.split()}
_GHL_TASK = {
    "contactId": _i(S, True),
    "title": _i(S, True),
    "body": _i(S),
    "dueDate": _i(S, True),
    "completed": _i(B, True),
    "assignedTo": _i(S),
}

CATALOG: dict[str, Action] = {
    "ghl.contacts.get": _ghl("contacts.get", contactId=_i(S, True)),
    "ghl.contacts.upsert": _ghl(
        "contacts.upsert", "ghl.contact", True, tags=_i(A), dnd=_i(B), **_CONTACT
    ),
    "ghl.contacts.update": _ghl(
        "contacts.update", "ghl.contact", True, contactId=_i(S, True), tags=_i(A), **_CONTACT
    ),
    "ghl.contacts.delete": _ghl("contacts.delete", contactId=_i(S, True)),
    "ghl.tags.add": _ghl("tags.add", contactId=_i(S, True), tags=_i(A, True)),
    "ghl.tags.remove": _ghl("tags.remove", contactId=_i(S, True), tags=_i(A, True)),
    "ghl.tasks.get": _ghl("tasks.get", contactId=_i(S, True), taskId=_i(S, True)),
    "ghl.tasks.create": _ghl("tasks.create", "ghl.task", **_GHL_TASK),
    "ghl.tasks.update": _ghl("tasks.update", "ghl.task", taskId=_i(S, True), **_GHL_TASK),
    "ghl.tasks.delete": _ghl("tasks.delete", contactId=_i(S, True), taskId=_i(S, True)),
    "ghl.notes.get": _ghl("notes.get", contactId=_i(S, True), noteId=_i(S, True)),
    "ghl.notes.create": _ghl(
        "notes.create", "ghl.note", contactId=_i(S, True), body=_i(S, True), userId=_i(S)
    ),
    "ghl.notes.update": _ghl("notes.update", "ghl.note", contactId=_i(S, True), body=_i(S)),
    "ghl.notes.delete": _ghl("notes.delete", contactId=_i(S, True), noteId=_i(S, True)),
    "ghl.appointments.get": _ghl("appointments.get", eventId=_i(S, True)),
    "ghl.appointments.create": _ghl("appointments.create", "ghl.appointment"),
    "ghl.appointments.update": _ghl("appointments.update", "ghl.appointment"),
    "ghl.appointments.delete": _ghl("appointments.delete", eventId=_i(S, True)),
    "tt.users.get": _tt("users.get", id=_i(I_, True)),
    "tt.users.assigned_tasks": _tt("users.assigned_tasks", id=_i(I_, True), filter=_i(S)),
    "tt.customers.get": _tt("customers.get", id=_i(I_, True)),
    "tt.customers.add": _tt("customers.add", "tt.customer", True),
    "tt.customers.update": _tt("customers.update", "tt.customer", True),
    "tt.customers.delete": _tt("customers.delete"),
    "tt.customers.close": _tt("customers.close"),
    "tt.customers.open": _tt("customers.open"),
    "tt.projects.get": _tt("projects.get", id=_i(I_, True)),
    "tt.tasks.get": _tt("tasks.get", id=_i(I_, True)),
    "tt.tasks.add": _tt(
        "tasks.add",
        "tt.task",
        True,
        name=_i(S, True),
        description=_i(S),
        project_id=_i(I_),
        project_name=_i(S),
        due_date=_i(S),
        users=_i(A),
        type=_i(S),
        json=_i(S),
    ),
    "tt.tasks.update": _tt("tasks.update", "tt.task", True),
    "tt.tasks.delete": _tt("tasks.delete"),
    "tt.tasks.close": _tt("tasks.close"),
    "tt.tasks.open": _tt("tasks.open"),
    "tt.events.get": _tt("events.get", id=_i(I_, True)),
    "tt.events.list": _tt(
        "events.list", filter=_i(S, True), id=_i(I_), **{"from": _i(S), "to": _i(S)}
    ),
    "tt.events.add": _tt("events.add", "tt.event", True),
    "tt.events.update": _tt("events.update", "tt.event", True),
    "tt.events.delete": _tt("events.delete"),
    "ghltt.links.find": Action(
        {
            "recipe": _i(S, True),
            "ghl_type": _i(S),
            "ghl_id": _i(ANY),
            "tt_type": _i(S),
            "tt_id": _i(ANY),
        }
    ),
}
