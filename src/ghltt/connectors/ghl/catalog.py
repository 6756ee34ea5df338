"""Every GHL operation the client performs, declared once as data: the client reads its routes,
bodies and answers from here, scope checks (least privilege) read the scopes, and the engine
generates its actions from the same entries.

An operation's ``{name}`` path parameters come first from its values; what is left goes in the
query (GET) or the JSON body, which ``input`` describes. The answer is the object under
``unwrap`` (or the whole body when that key is absent), read as ``output``; an ``output`` of
``bool`` is GHL's success flag.

``idempotent`` says whether repeating the call cannot change the outcome, which is what allows
the client to retry it after a 5xx or a lost response. Adding a member to a set (tags, followers,
bulk tags) is idempotent; creating a record, enrolling in a campaign or a workflow is not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from ghltt.connectors.ghl.models import (
    Appointment,
    AppointmentInput,
    Business,
    Contact,
    ContactInput,
    CustomField,
    CustomFieldInput,
    CustomFieldsByObject,
    FollowersInput,
    FollowersResult,
    LocationCustomField,
    LocationCustomFieldInput,
    Note,
    NoteCreate,
    NoteInput,
    TagsInput,
    TagsResult,
    Task,
    TaskCompleted,
    TaskCreate,
    TaskInput,
    UpsertResult,
    User,
)

__all__ = [
    "API_VERSION",
    "CALENDARS_VERSION",
    "CATALOG",
    "Operation",
    "operation",
    "scopes_for",
]

API_VERSION = "2021-07-28"
CALENDARS_VERSION = "2021-04-15"


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    scopes: tuple[str, ...]
    idempotent: bool
    version: str | None = API_VERSION
    deprecated: bool = False
    form: bool = False  # application/x-www-form-urlencoded body (OAuth endpoints)
    input: type[BaseModel] | None = None  # the JSON body's fields (None: no body described)
    output: Any = None  # what the answer is read as: a model, ``list[model]``, ``bool``
    unwrap: str | None = None  # the key the answer sits under
    location: bool = False  # the client adds ``locationId`` (query for GET, else body)
    empty_body: bool = False  # the spec wants a JSON body even when it is empty
    defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def path_params(self) -> tuple[str, ...]:
        """The ``{name}`` placeholders of the path, in order."""
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def resource(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def writes(self) -> bool:
        return self.method != "GET" and self.name not in _READS_BY_POST

    def url(self, **params: str) -> str:
        """The path with each ``{name}`` filled in, percent-encoded (ids never add segments)."""
        path = self.path
        for key, value in params.items():
            path = path.replace("{" + key + "}", quote(str(value), safe=""))
        if "{" in path:
            raise ValueError(f"{self.name}: missing path parameter in {path}")
        return path


_READS_BY_POST = frozenset({"contacts.search", "users.filter_by_email"})

_R, _W = "contacts.readonly", "contacts.write"
_C = CALENDARS_VERSION
_CONTACT_WRITE: dict[str, Any] = {"input": ContactInput, "output": Contact, "unwrap": "contact"}
_TAGS: dict[str, Any] = {"input": TagsInput, "output": TagsResult}
_FOLLOWERS: dict[str, Any] = {"input": FollowersInput, "output": FollowersResult}
# Calendar events answer flat on create and update, under ``event`` on get.
_USERS: dict[str, Any] = {"output": list[User], "unwrap": "users"}
_EVENT: dict[str, Any] = {"output": Appointment, "unwrap": "event"}


def _op(
    name: str,
    method: str,
    path: str,
    scopes: str | tuple[str, ...],
    *,
    idem: bool | None = None,
    version: str | None = API_VERSION,
    deprecated: bool = False,
    form: bool = False,
    input: type[BaseModel] | None = None,
    output: Any = None,
    unwrap: str | None = None,
    location: bool = False,
    empty_body: bool = False,
    defaults: Mapping[str, Any] | None = None,
) -> Operation:
    idempotent = idem if idem is not None else method in ("GET", "PUT", "DELETE")
    scope_tuple = (scopes,) if isinstance(scopes, str) else scopes
    return Operation(
        name,
        method,
        path,
        scope_tuple,
        idempotent,
        version,
        deprecated,
        form,
        input,
        output,
        unwrap,
        location,
        empty_body,
        MappingProxyType(dict(defaults or {})),
    )


_OPERATIONS = (
    # contacts (apps/contacts.json)
    _op("contacts.get", "GET", "/contacts/{contactId}", _R, output=Contact, unwrap="contact"),
    _op("contacts.create", "POST", "/contacts/", _W, idem=False, **_CONTACT_WRITE, location=True),
    _op("contacts.update", "PUT", "/contacts/{contactId}", _W, **_CONTACT_WRITE),
    _op("contacts.delete", "DELETE", "/contacts/{contactId}", _W, output=bool),
    _op(
        "contacts.upsert",
        "POST",
        "/contacts/upsert",
        _W,
        idem=True,
        input=ContactInput,
        output=UpsertResult,
        location=True,
    ),
    _op("contacts.list", "GET", "/contacts/", _R, deprecated=True),
    _op("contacts.search", "POST", "/contacts/search", _R, idem=True),
    _op("contacts.find_duplicate", "GET", "/contacts/search/duplicate", _R),
    _op("contacts.list_by_business", "GET", "/contacts/business/{businessId}", _R),
    _op("contacts.set_business", "POST", "/contacts/bulk/business", _W, idem=True),
    _op(
        "contacts.appointments",
        "GET",
        "/contacts/{contactId}/appointments",
        _R,
        output=list[Appointment],
        unwrap="events",
    ),
    _op("tags.add", "POST", "/contacts/{contactId}/tags", _W, idem=True, **_TAGS),
    _op("tags.remove", "DELETE", "/contacts/{contactId}/tags", _W, **_TAGS),
    _op("tags.bulk_update", "POST", "/contacts/bulk/tags/update/{type}", _W, idem=True),
    _op("tasks.list", "GET", "/contacts/{contactId}/tasks", _R, output=list[Task], unwrap="tasks"),
    _op(
        "tasks.create",
        "POST",
        "/contacts/{contactId}/tasks",
        _W,
        idem=False,
        input=TaskCreate,
        output=Task,
        unwrap="task",
        defaults={"completed": False},
    ),
    _op("tasks.get", "GET", "/contacts/{contactId}/tasks/{taskId}", _R, output=Task, unwrap="task"),
    _op(
        "tasks.update",
        "PUT",
        "/contacts/{contactId}/tasks/{taskId}",
        _W,
        input=TaskInput,
        output=Task,
        unwrap="task",
    ),
    _op(
        "tasks.set_completed",
        "PUT",
        "/contacts/{contactId}/tasks/{taskId}/completed",
        _W,
        input=TaskCompleted,
        output=Task,
        unwrap="task",
    ),
    _op("tasks.delete", "DELETE", "/contacts/{contactId}/tasks/{taskId}", _W, output=bool),
    _op("notes.list", "GET", "/contacts/{contactId}/notes", _R, output=list[Note], unwrap="notes"),
    _op(
        "notes.create",
        "POST",
        "/contacts/{contactId}/notes",
        _W,
        idem=False,
        input=NoteCreate,
        output=Note,
        unwrap="note",
    ),
    _op("notes.get", "GET", "/contacts/{contactId}/notes/{noteId}", _R, output=Note, unwrap="note"),
    _op(
        "notes.update",
        "PUT",
        "/contacts/{contactId}/notes/{noteId}",
        _W,
        input=NoteInput,
        output=Note,
        unwrap="note",
    ),
    _op("notes.delete", "DELETE", "/contacts/{contactId}/notes/{noteId}", _W, output=bool),
    _op("followers.add", "POST", "/contacts/{contactId}/followers", _W, idem=True, **_FOLLOWERS),
    _op("followers.remove", "DELETE", "/contacts/{contactId}/followers", _W, **_FOLLOWERS),
    _op("campaigns.add", "POST", "/contacts/{contactId}/campaigns/{campaignId}", _W, idem=False),
    _op("campaigns.remove", "DELETE", "/contacts/{contactId}/campaigns/{campaignId}", _W),
    _op("campaigns.remove_all", "DELETE", "/contacts/{contactId}/campaigns/removeAll", _W),
    _op("workflows.add", "POST", "/contacts/{contactId}/workflow/{workflowId}", _W, idem=False),
    _op("workflows.remove", "DELETE", "/contacts/{contactId}/workflow/{workflowId}", _W),
    # businesses (apps/businesses.json)
    _op("businesses.list", "GET", "/businesses/", "businesses.readonly"),
    _op(
        "businesses.get",
        "GET",
        "/businesses/{businessId}",
        "businesses.readonly",
        output=Business,
        unwrap="business",
    ),
    _op("businesses.create", "POST", "/businesses/", "businesses.write", idem=False),
    _op("businesses.update", "PUT", "/businesses/{businessId}", "businesses.write"),
    _op(
        "businesses.delete",
        "DELETE",
        "/businesses/{businessId}",
        "businesses.write",
        output=bool,
    ),
    # custom fields (apps/custom-fields.json)
    _op(
        "custom_fields.get",
        "GET",
        "/custom-fields/{id}",
        "locations/customFields.readonly",
        output=CustomField,
        unwrap="field",
    ),
    _op(
        "custom_fields.list_by_object",
        "GET",
        "/custom-fields/object-key/{objectKey}",
        "locations/customFields.readonly",
        output=CustomFieldsByObject,
        location=True,
    ),
    _op(
        "custom_fields.create",
        "POST",
        "/custom-fields/",
        "locations/customFields.write",
        idem=False,
        input=CustomFieldInput,
        output=CustomField,
        unwrap="field",
        location=True,
    ),
    _op("custom_fields.update", "PUT", "/custom-fields/{id}", "locations/customFields.write"),
    _op(
        "custom_fields.delete",
        "DELETE",
        "/custom-fields/{id}",
        "locations/customFields.write",
        output=bool,
    ),
    # a location's contact (and opportunity) fields (apps/locations.json): the v2 API above
    # creates fields of custom objects only
    _op(
        "location_custom_fields.list",
        "GET",
        "/locations/{locationId}/customFields",
        "locations/customFields.readonly",
        output=list[LocationCustomField],
        unwrap="customFields",
    ),
    _op(
        "location_custom_fields.create",
        "POST",
        "/locations/{locationId}/customFields",
        "locations/customFields.write",
        idem=False,
        input=LocationCustomFieldInput,
        output=LocationCustomField,
        unwrap="customField",
    ),
    # users (apps/users.json): read-only, ghltt never manages users
    _op("users.list", "GET", "/users/", "users.readonly", **_USERS, location=True),
    _op("users.get", "GET", "/users/{userId}", "users.readonly", output=User, unwrap="user"),
    _op("users.search", "GET", "/users/search", "users.readonly"),
    _op(
        "users.filter_by_email",
        "POST",
        "/users/search/filter-by-email",
        "users.readonly",
        idem=True,
    ),
    # calendar events (apps/calendars.json, Version 2021-04-15)
    _op("calendars.events", "GET", "/calendars/events", "calendars/events.readonly", version=_C),
    _op(
        "appointments.create",
        "POST",
        "/calendars/events/appointments",
        "calendars/events.write",
        idem=False,
        version=_C,
        input=AppointmentInput,
        **_EVENT,
        location=True,
    ),
    _op(
        "appointments.get",
        "GET",
        "/calendars/events/appointments/{eventId}",
        "calendars/events.readonly",
        version=_C,
        **_EVENT,
    ),
    _op(
        "appointments.update",
        "PUT",
        "/calendars/events/appointments/{eventId}",
        "calendars/events.write",
        version=_C,
        input=AppointmentInput,
        **_EVENT,
    ),
    _op(
        "appointments.delete",
        "DELETE",
        "/calendars/events/{eventId}",
        "calendars/events.write",
        version=_C,
        output=bool,
        empty_body=True,  # the spec requires a JSON body (an empty object) on this DELETE
    ),
    # oauth (apps/oauth.json)
    _op("oauth.token", "POST", "/oauth/token", (), idem=False, version=None, form=True),
    # Minting a location token twice is harmless (no refresh token rotates).
    _op(
        "oauth.location_token",
        "POST",
        "/oauth/locationToken",
        ("oauth.write",),
        form=True,
        idem=True,
    ),
    _op("oauth.installed_locations", "GET", "/oauth/installedLocations", "oauth.readonly"),
)

CATALOG: dict[str, Operation] = {op.name: op for op in _OPERATIONS}


def operation(name: str) -> Operation:
    try:
        return CATALOG[name]
    except KeyError:
        raise KeyError(f"unknown GHL operation {name!r}") from None


def scopes_for(names: list[str] | tuple[str, ...] | set[str]) -> frozenset[str]:
    """The least set of scopes that covers the named operations."""
    return frozenset(scope for name in names for scope in operation(name).scopes)
