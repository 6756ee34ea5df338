"""Every TrackingTime operation the client makes, declared once as data.

The client sends each call through its entry here, so the method, the path, what it takes and
answers, and how a retry stays safe are written down once; the engine generates its actions
from the same entries. ``{name}`` path parameters are ids (integers); the rest of an operation's
values go in the body (POST, PUT) or the query (GET, DELETE), ``input`` naming the fields it
checks. The answer is the envelope's ``data`` read as ``output``; a list may come wrapped under
``unwrap`` (``{"projects": [...]}``).

Methods follow the sources in the reference: GET for reads and for the close/open/delete paths
the official docs list as GET, PUT where FICUS saw POST answered with an HTML page
(users/customers close and open), POST with a JSON body for writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from ghltt.connectors.trackingtime.models import (
    AssignedTasksQuery,
    CompactUser,
    Customer,
    CustomField,
    EnumOption,
    EventsQuery,
    EventTag,
    Project,
    Service,
    Task,
    TaskFields,
    TaskList,
    Team,
    TimeEntry,
    Trackables,
    TtInput,
    User,
    Webhook,
    WebhookCreated,
)

__all__ = ["OPERATIONS", "Idempotency", "Operation", "Paging", "operation"]


class Idempotency(StrEnum):
    SAFE = "safe"  # a read: retry freely
    IDEMPOTENT = "idempotent"  # repeating it leaves the same state (update, close, delete)
    UNSAFE = "unsafe"  # repeating it writes twice (add, track): never retried once sent


class Paging(StrEnum):
    NONE = "none"  # one object
    WHOLE = "whole"  # the whole list in one answer; page parameters are ignored
    PAGED = "paged"  # page (from 0) and page_size, ends on a short page


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    method: str
    path: str  # relative to the account prefix; ``{name}`` placeholders
    idempotency: Idempotency
    account_scoped: bool = True
    paging: Paging = Paging.NONE
    note: str = ""
    input: type[TtInput] | None = None
    output: Any = None  # a model or ``list[model]``; None: the answer carries nothing to read
    unwrap: str = "data"  # where a wrapped list sits
    page_size: int = 0  # PAGED: TT's default page for this endpoint

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def safe(self) -> bool:
        return self.idempotency is Idempotency.SAFE

    @property
    def idempotent(self) -> bool:
        return self.idempotency is not Idempotency.UNSAFE


_S, _I, _U = Idempotency.SAFE, Idempotency.IDEMPOTENT, Idempotency.UNSAFE
_W, _P = Paging.WHOLE, Paging.PAGED

_ADD_NOTE = "find by third-party id (custom field slug) before adding"
_UNIQUE = "names are unique: on a clash, find the existing one"

_ALL: tuple[Operation, ...] = (
    Operation("me.get", "GET", "/me", _S, account_scoped=False, output=User),
    Operation(
        "teams.list", "GET", "/teams", _S, account_scoped=False, paging=_W, output=list[Team]
    ),
    # users
    Operation("users.list", "GET", "/users", _S, paging=_W, output=list[User]),
    Operation("users.get", "GET", "/users/{id}", _S, output=User),
    Operation(
        "users.add", "POST", "/users/add", _U, note="find by email before adding", output=User
    ),
    Operation("users.update", "POST", "/users/update/{id}", _I, output=User),
    Operation("users.close", "PUT", "/users/close/{id}", _I, output=User),
    Operation("users.open", "PUT", "/users/open/{id}", _I, output=User),
    Operation(
        "users.assigned_tasks",
        "GET",
        "/users/{id}/assigned_tasks",
        _S,
        paging=_P,
        input=AssignedTasksQuery,
        output=list[Task],
        page_size=100,
    ),
    Operation(
        "users.trackables", "GET", "/users/{id}/trackables", _S, paging=_W, output=Trackables
    ),
    Operation(
        "users.projects",
        "GET",
        "/users/{id}/projects",
        _S,
        paging=_W,
        output=list[Project],
        unwrap="projects",
    ),
    Operation(
        "users.tracking", "GET", "/users/{id}/tasks/tracking", _S, paging=_W, output=list[Task]
    ),
    # customers
    Operation("customers.list", "GET", "/customers", _S, paging=_W, output=list[Customer]),
    Operation("customers.get", "GET", "/customers/{id}", _S, output=Customer),
    Operation("customers.add", "POST", "/customers/add", _U, note=_UNIQUE, output=Customer),
    Operation(
        "customers.update",
        "POST",
        "/customers/update/{id}",
        _I,
        note="name is required",
        output=Customer,
    ),
    Operation("customers.close", "PUT", "/customers/close/{id}", _I, output=Customer),
    Operation("customers.open", "PUT", "/customers/open/{id}", _I, output=Customer),
    Operation("customers.delete", "GET", "/customers/delete/{id}", _I),
    # services
    Operation("services.list", "GET", "/services", _S, paging=_W, output=list[Service]),
    Operation("services.get", "GET", "/services/{id}", _S, output=Service),
    Operation("services.add", "POST", "/services/add", _U, note=_UNIQUE, output=Service),
    Operation("services.update", "PUT", "/services/update/{id}", _I, output=Service),
    Operation("services.close", "PUT", "/services/close/{id}", _I, output=Service),
    Operation("services.open", "PUT", "/services/open/{id}", _I, output=Service),
    Operation("services.delete", "DELETE", "/services/delete/{id}", _I),
    # projects and task lists
    Operation("projects.list", "GET", "/projects", _S, paging=_W, output=list[Project]),
    Operation("projects.get", "GET", "/projects/{id}", _S, output=Project),
    Operation("projects.add", "POST", "/projects/add", _U, note=_ADD_NOTE, output=Project),
    Operation("projects.update", "POST", "/projects/update/{id}", _I, output=Project),
    Operation("projects.close", "GET", "/projects/close/{id}", _I, output=Project),
    Operation("projects.open", "GET", "/projects/open/{id}", _I, output=Project),
    Operation("projects.delete", "DELETE", "/projects/delete/{id}", _I),
    Operation(
        "projects.users", "GET", "/projects/{id}/users", _S, paging=_W, output=list[CompactUser]
    ),
    Operation(
        "task_lists.list", "GET", "/projects/{id}/task_lists", _S, paging=_W, output=list[TaskList]
    ),
    Operation("task_lists.add", "POST", "/projects/{id}/task_lists/add", _U, output=TaskList),
    # tasks
    Operation(
        "tasks.list", "GET", "/tasks/paginated", _S, paging=_P, output=list[Task], page_size=500
    ),
    Operation("tasks.get", "GET", "/tasks/{id}", _S, output=Task),
    Operation("tasks.add", "POST", "/tasks/add", _U, note=_ADD_NOTE, input=TaskFields, output=Task),
    Operation("tasks.update", "POST", "/tasks/update/{id}", _I, output=Task),
    Operation("tasks.close", "PUT", "/tasks/close/{id}", _I, output=Task),
    Operation("tasks.open", "PUT", "/tasks/open/{id}", _I, output=Task),
    Operation("tasks.delete", "GET", "/tasks/delete/{id}", _I),
    Operation(
        "tasks.track",
        "POST",
        "/tasks/track/{id}",
        _U,
        note="502 = a timer already runs",
        output=TimeEntry,
    ),
    Operation("tasks.stop", "POST", "/tasks/stop/{id}", _I, output=TimeEntry),
    # events (time entries)
    Operation(
        "events.list",
        "GET",
        "/events",
        _S,
        paging=_P,
        input=EventsQuery,
        output=list[TimeEntry],
        page_size=1000,
    ),
    Operation("events.get", "GET", "/events/{id}", _S, output=TimeEntry),
    Operation("events.add", "POST", "/events/add", _U, note=_ADD_NOTE, output=TimeEntry),
    Operation(
        "events.update", "POST", "/events/update/{id}", _I, note="end is required", output=TimeEntry
    ),
    Operation("events.delete", "DELETE", "/events/delete/{id}", _I),
    # event tags (legacy in the release notes, verified live by FICUS)
    Operation("event_tags.list", "GET", "/events/tags", _S, paging=_W, output=list[EventTag]),
    Operation("event_tags.add", "POST", "/events/tags/add", _U, output=EventTag),
    Operation("event_tags.update", "PUT", "/events/tags/update/{id}", _I, output=EventTag),
    Operation("event_tags.delete", "DELETE", "/events/tags/delete/{id}", _I),
    Operation("event_tags.save", "POST", "/events/{id}/tags/save", _I),
    Operation("event_tags.remove", "DELETE", "/events/{id}/tags/delete", _I),
    # custom fields and enum options
    Operation(
        "custom_fields.list", "GET", "/custom_fields", _S, paging=_W, output=list[CustomField]
    ),
    Operation(
        "custom_fields.add",
        "POST",
        "/custom_fields/add",
        _U,
        note="names unique per class",
        output=CustomField,
    ),
    Operation("custom_fields.update", "POST", "/custom_fields/{id}/update", _I, output=CustomField),
    Operation("custom_fields.delete", "GET", "/custom_fields/{id}/delete", _I),
    Operation(
        "enum_options.list",
        "GET",
        "/custom_fields/{id}/enum_options",
        _S,
        paging=_W,
        output=list[EnumOption],
    ),
    Operation("enum_options.add", "POST", "/enum_options/add", _U, output=EnumOption),
    Operation("enum_options.update", "POST", "/enum_options/{id}/update", _I, output=EnumOption),
    Operation("enum_options.delete", "GET", "/enum_options/{id}/delete", _I),
    # webhooks
    Operation("webhooks.list", "GET", "/webhooks", _S, paging=_W),
    Operation("webhooks.get", "GET", "/webhooks/{id}", _S, output=Webhook),
    Operation(
        "webhooks.add",
        "POST",
        "/webhooks/add",
        _U,
        note="find by url before adding",
        output=WebhookCreated,
    ),
    Operation("webhooks.delete", "GET", "/webhooks/{id}/delete", _I),
    Operation("webhooks.enable", "PUT", "/webhooks/enable/{id}", _I, output=Webhook),
    Operation("webhooks.disable", "PUT", "/webhooks/disable/{id}", _I, output=Webhook),
    Operation("webhooks.reset_token", "POST", "/webhooks/reset_token/{id}", _U),
)

OPERATIONS: MappingProxyType[str, Operation] = MappingProxyType({op.name: op for op in _ALL})


def operation(name: str) -> Operation:
    try:
        return OPERATIONS[name]
    except KeyError:
        raise KeyError(f"no TrackingTime operation named {name!r}") from None
