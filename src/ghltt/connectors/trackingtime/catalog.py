"""Every TrackingTime operation the client makes, declared once as data.

The client sends each call through its entry here, so the method, the path, what it takes and
answers, and how a retry stays safe are written down once; the engine generates its actions
from the same entries. ``{name}`` path parameters are ids (integers); the rest of an operation's
values go in the body (POST, PUT) or the query (GET, DELETE), ``input`` naming the fields it
checks. The answer is the envelope's ``data`` read as ``output``; a list may come wrapped under
``unwrap`` (``{"projects": [...]}``). A ``text`` operation answers plain text (CSV) instead of
the envelope: that text is its ``data`` (an error still comes as the envelope).

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
    Assignee,
    CalendarFeed,
    Comment,
    CommentFields,
    CompactUser,
    Count,
    Customer,
    CustomerFields,
    CustomerUpdate,
    CustomField,
    CustomFieldFields,
    CustomFieldUpdate,
    DayHours,
    Employee,
    EmployeeFields,
    EnumOption,
    EnumOptionFields,
    EnumOptionUpdate,
    EventFields,
    EventIds,
    EventSearch,
    EventsExportQuery,
    EventsFilteredQuery,
    EventsMinQuery,
    EventsQuery,
    EventsSummaryQuery,
    EventTag,
    FlatEvent,
    ImportedTask,
    InviteEmail,
    ListFilter,
    MergeInto,
    NameFields,
    Notification,
    NotificationRefs,
    NotificationsQuery,
    PermissionFields,
    Project,
    ProjectFields,
    ProjectPreferences,
    ProjectRefs,
    ProjectSearch,
    ProjectTasks,
    ProjectUpdate,
    ReportQuery,
    SearchHit,
    Service,
    ServiceUpdate,
    Subtask,
    TagFields,
    TagName,
    TagValuesQuery,
    Task,
    TaskFields,
    TaskImport,
    TaskList,
    TaskNames,
    TaskOrder,
    TaskRefs,
    TasksQuery,
    TaskUpdate,
    Team,
    TeamSettings,
    TeamSwitch,
    TimeEntry,
    Trackables,
    TrackByName,
    TrackedTime,
    TrackFields,
    TtInput,
    User,
    UserFields,
    UserGroup,
    UserGroupFields,
    UserGroupUpdate,
    UserReport,
    UserUpdate,
    Webhook,
    WebhookCreated,
    WebhookFields,
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
    text: bool = False  # the answer is plain text (CSV), not the JSON envelope

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
    Operation("users.list", "GET", "/users", _S, paging=_W, output=list[User], input=ListFilter),
    Operation("users.get", "GET", "/users/{id}", _S, output=User),
    Operation(
        "users.add",
        "POST",
        "/users/add",
        _U,
        note="find by email before adding",
        output=User,
        input=UserFields,
    ),
    Operation("users.update", "POST", "/users/update/{id}", _I, output=User, input=UserUpdate),
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
    Operation(
        "customers.list",
        "GET",
        "/customers",
        _S,
        paging=_W,
        output=list[Customer],
        input=ListFilter,
    ),
    Operation("customers.get", "GET", "/customers/{id}", _S, output=Customer),
    Operation(
        "customers.add",
        "POST",
        "/customers/add",
        _U,
        note=_UNIQUE,
        output=Customer,
        input=CustomerFields,
    ),
    Operation(
        "customers.update",
        "POST",
        "/customers/update/{id}",
        _I,
        note="name is required",
        output=Customer,
        input=CustomerUpdate,
    ),
    Operation("customers.close", "PUT", "/customers/close/{id}", _I, output=Customer),
    Operation("customers.open", "PUT", "/customers/open/{id}", _I, output=Customer),
    Operation("customers.delete", "GET", "/customers/delete/{id}", _I),
    # services
    Operation(
        "services.list", "GET", "/services", _S, paging=_W, output=list[Service], input=ListFilter
    ),
    Operation("services.get", "GET", "/services/{id}", _S, output=Service),
    Operation(
        "services.add", "POST", "/services/add", _U, note=_UNIQUE, output=Service, input=NameFields
    ),
    Operation(
        "services.update", "PUT", "/services/update/{id}", _I, output=Service, input=ServiceUpdate
    ),
    Operation("services.close", "PUT", "/services/close/{id}", _I, output=Service),
    Operation("services.open", "PUT", "/services/open/{id}", _I, output=Service),
    Operation("services.delete", "DELETE", "/services/delete/{id}", _I),
    # projects and task lists
    Operation(
        "projects.list", "GET", "/projects", _S, paging=_W, output=list[Project], input=ListFilter
    ),
    Operation("projects.get", "GET", "/projects/{id}", _S, output=Project),
    Operation(
        "projects.add",
        "POST",
        "/projects/add",
        _U,
        note=_ADD_NOTE,
        output=Project,
        input=ProjectFields,
    ),
    Operation(
        "projects.update", "POST", "/projects/update/{id}", _I, output=Project, input=ProjectUpdate
    ),
    Operation("projects.close", "GET", "/projects/close/{id}", _I, output=Project),
    Operation("projects.open", "GET", "/projects/open/{id}", _I, output=Project),
    Operation("projects.delete", "DELETE", "/projects/delete/{id}", _I),
    Operation(
        "projects.users", "GET", "/projects/{id}/users", _S, paging=_W, output=list[CompactUser]
    ),
    Operation(
        "task_lists.list", "GET", "/projects/{id}/task_lists", _S, paging=_W, output=list[TaskList]
    ),
    Operation(
        "task_lists.add",
        "POST",
        "/projects/{id}/task_lists/add",
        _U,
        output=TaskList,
        input=NameFields,
    ),
    # tasks
    Operation(
        "tasks.list",
        "GET",
        "/tasks/paginated",
        _S,
        paging=_P,
        output=list[Task],
        page_size=500,
        input=ListFilter,
    ),
    Operation("tasks.get", "GET", "/tasks/{id}", _S, output=Task),
    Operation("tasks.add", "POST", "/tasks/add", _U, note=_ADD_NOTE, input=TaskFields, output=Task),
    Operation("tasks.update", "POST", "/tasks/update/{id}", _I, output=Task, input=TaskUpdate),
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
        input=TrackFields,
    ),
    Operation("tasks.stop", "POST", "/tasks/stop/{id}", _I, output=TimeEntry, input=TrackFields),
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
    Operation(
        "events.add", "POST", "/events/add", _U, note=_ADD_NOTE, output=TimeEntry, input=EventFields
    ),
    Operation(
        "events.update",
        "POST",
        "/events/update/{id}",
        _I,
        note="end is required",
        output=TimeEntry,
        input=EventFields,
    ),
    Operation("events.delete", "DELETE", "/events/delete/{id}", _I),
    # event tags (legacy in the release notes, verified live by FICUS)
    Operation("event_tags.list", "GET", "/events/tags", _S, paging=_W, output=list[EventTag]),
    Operation("event_tags.add", "POST", "/events/tags/add", _U, output=EventTag, input=TagFields),
    Operation(
        "event_tags.update", "PUT", "/events/tags/update/{id}", _I, output=EventTag, input=TagFields
    ),
    Operation("event_tags.delete", "DELETE", "/events/tags/delete/{id}", _I),
    Operation("event_tags.save", "POST", "/events/{id}/tags/save", _I, input=TagFields),
    Operation("event_tags.remove", "DELETE", "/events/{id}/tags/delete", _I, input=TagName),
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
        input=CustomFieldFields,
    ),
    Operation(
        "custom_fields.update",
        "POST",
        "/custom_fields/{id}/update",
        _I,
        output=CustomField,
        input=CustomFieldUpdate,
    ),
    Operation("custom_fields.delete", "GET", "/custom_fields/{id}/delete", _I),
    Operation(
        "enum_options.list",
        "GET",
        "/custom_fields/{id}/enum_options",
        _S,
        paging=_W,
        output=list[EnumOption],
    ),
    Operation(
        "enum_options.add",
        "POST",
        "/enum_options/add",
        _U,
        output=EnumOption,
        input=EnumOptionFields,
    ),
    Operation(
        "enum_options.update",
        "POST",
        "/enum_options/{id}/update",
        _I,
        output=EnumOption,
        input=EnumOptionUpdate,
    ),
    Operation("enum_options.delete", "GET", "/enum_options/{id}/delete", _I),
    # webhooks
    Operation("webhooks.list", "GET", "/webhooks", _S, paging=_W, output=list[Webhook]),
    Operation("webhooks.get", "GET", "/webhooks/{id}", _S, output=Webhook),
    Operation(
        "webhooks.add",
        "POST",
        "/webhooks/add",
        _U,
        note="find by url before adding",
        output=WebhookCreated,
        input=WebhookFields,
    ),
    Operation("webhooks.delete", "GET", "/webhooks/{id}/delete", _I),
    Operation("webhooks.enable", "PUT", "/webhooks/enable/{id}", _I, output=Webhook),
    Operation("webhooks.disable", "PUT", "/webhooks/disable/{id}", _I, output=Webhook),
    Operation(
        "webhooks.reset_token", "POST", "/webhooks/reset_token/{id}", _U, output=WebhookCreated
    ),
    # what the sections above leave out: reads, timers by name, comments, reports
    Operation("users.tasks", "GET", "/users/{id}/tasks", _S, paging=_W, output=list[ProjectTasks]),
    Operation(
        "users.update_permissions",
        "POST",
        "/users/update_permissions/{id}",
        _I,
        input=PermissionFields,
        output=User,
    ),
    Operation(
        "users.assign_projects", "POST", "/users/{id}/assign_projects", _I, input=ProjectRefs
    ),
    Operation(
        "users.remove_projects", "POST", "/users/{id}/remove_projects", _I, input=ProjectRefs
    ),
    Operation(
        "projects.ids",
        "GET",
        "/projects/ids",
        _S,
        paging=_W,
        input=ListFilter,
        output=list[SearchHit],
    ),
    Operation(
        "projects.search",
        "GET",
        "/projects/search",
        _S,
        paging=_W,
        input=ProjectSearch,
        output=list[SearchHit],
    ),
    Operation(
        "projects.update_preferences",
        "POST",
        "/projects/update_preferences/{id}",
        _I,
        input=ProjectPreferences,
        output=Project,
    ),
    Operation("task_lists.get", "GET", "/task_lists/{id}", _S, output=TaskList),
    Operation("tasks.filter", "GET", "/tasks", _S, paging=_W, input=TasksQuery, output=list[Task]),
    Operation(
        "tasks.share",
        "POST",
        "/tasks/share",
        _U,
        note=_ADD_NOTE,
        input=TaskFields,
        output=Task,
    ),
    Operation(
        "tasks.track_by_name",
        "POST",
        "/tasks/track",
        _U,
        note="502 = a timer already runs",
        input=TrackByName,
        output=TimeEntry,
    ),
    Operation("tasks.users", "GET", "/tasks/{id}/users", _S, paging=_W, output=list[Assignee]),
    Operation(
        "task_comments.list", "GET", "/tasks/{id}/comments", _S, paging=_W, output=list[Comment]
    ),
    Operation(
        "task_comments.add",
        "POST",
        "/tasks/{id}/comments/add",
        _U,
        input=CommentFields,
        output=Comment,
    ),
    Operation(
        "task_comments.delete", "DELETE", "/tasks/{task_id}/comments/delete/{comment_id}", _I
    ),
    Operation(
        "subtasks.add", "POST", "/tasks/{id}/subtasks/add", _U, input=NameFields, output=Subtask
    ),
    Operation(
        "events.flat",
        "GET",
        "/events/flat",
        _S,
        paging=_P,
        input=EventsQuery,
        output=list[FlatEvent],
        page_size=1000,
    ),
    Operation(
        "events.filtered",
        "GET",
        "/events/filtered",
        _S,
        paging=_P,
        input=EventsFilteredQuery,
        output=list[TimeEntry],
        page_size=1000,
    ),
    Operation("events.count", "GET", "/events/count", _S, input=EventsQuery, output=Count),
    Operation(
        "events.summary",
        "GET",
        "/events/summary",
        _S,
        paging=_W,
        input=EventsSummaryQuery,
        output=list[DayHours],
    ),
    Operation(
        "events.search",
        "GET",
        "/search/events",
        _S,
        paging=_W,
        input=EventSearch,
        output=list[TimeEntry],
    ),
    Operation("events.billed", "PUT", "/events/billed", _I, input=EventIds),
    Operation("events.not_billed", "PUT", "/events/not_billed", _I, input=EventIds),
    Operation("event_tags.get", "GET", "/events/tags/{id}", _S, output=EventTag),
    Operation(
        "event_tags.values",
        "GET",
        "/events/tags/values",
        _S,
        paging=_W,
        input=TagValuesQuery,
        output=list[str],
    ),
    Operation("custom_fields.get", "GET", "/custom_fields/{id}", _S, output=CustomField),
    Operation(
        "reports.user",
        "GET",
        "/reports/users/{id}",
        _S,
        input=ReportQuery,
        output=UserReport,
    ),
    # user groups ("teams" in the UI): FICUS
    Operation(
        "user_groups.list",
        "GET",
        "/users/groups",
        _S,
        paging=_W,
        input=ListFilter,
        output=list[UserGroup],
    ),
    Operation("user_groups.get", "GET", "/users/groups/{id}", _S, output=UserGroup),
    Operation(
        "user_groups.add",
        "POST",
        "/users/groups/add",
        _U,
        note="find by name before adding",
        input=UserGroupFields,
        output=UserGroup,
    ),
    Operation(
        "user_groups.update",
        "PUT",
        "/users/groups/update/{id}",
        _I,
        input=UserGroupUpdate,
        output=UserGroup,
    ),
    Operation("user_groups.delete", "DELETE", "/users/groups/delete/{id}", _I),
    # the "min" reads, bulk lookups and the CSV export
    Operation(
        "projects.list_min",
        "GET",
        "/projects/min",
        _S,
        paging=_W,
        input=ListFilter,
        output=list[Project],
    ),
    Operation("projects.get_min", "GET", "/projects/{id}/min", _S, output=Project),
    Operation(
        "projects.times",
        "POST",
        "/projects/times",
        _S,
        paging=_W,
        input=ProjectRefs,
        output=list[TrackedTime],
    ),
    Operation(
        "tasks.search",
        "POST",
        "/tasks/search",
        _S,
        paging=_W,
        input=TaskNames,
        output=list[Task],
    ),
    Operation(
        "tasks.times",
        "POST",
        "/tasks/times",
        _S,
        paging=_W,
        input=TaskRefs,
        output=list[TrackedTime],
    ),
    Operation(
        "events.list_min",
        "GET",
        "/events/min",
        _S,
        paging=_P,
        input=EventsMinQuery,
        output=list[TimeEntry],
        page_size=1000,
    ),
    Operation(
        "events.export",
        "GET",
        "/events/export",
        _S,
        input=EventsExportQuery,
        output=str,
        text=True,
    ),
    Operation(
        "users.recent_tasks",
        "GET",
        "/users/{id}/tasks/recent",
        _S,
        paging=_W,
        output=list[Task],
    ),
    Operation("tasks.sort", "POST", "/tasks/sort", _I, input=TaskOrder),
    Operation(
        "projects.merge",
        "POST",
        "/projects/merge/{id}",
        _I,
        note="the source goes to the trash: repeated, it is gone",
        input=MergeInto,
    ),
    Operation(
        "teams.switch",
        "POST",
        "/teams/switch",
        _I,
        account_scoped=False,
        note="sets the user's default workspace, used by calls without an account id",
        input=TeamSwitch,
        output=Team,
    ),
    Operation(
        "teams.update",
        "POST",
        "/teams/update/{account_id}",
        _I,
        account_scoped=False,
        input=TeamSettings,
        output=Team,
    ),
    Operation(
        "users.resend_invite",
        "POST",
        "/users/resend_invite",
        _U,
        note="sends the email again each time",
        input=InviteEmail,
    ),
    Operation(
        "users.update_employee",
        "POST",
        "/users/{id}/employee/update",
        _I,
        input=EmployeeFields,
        output=Employee,
    ),
    Operation(
        "users.reset_icalendar_token",
        "POST",
        "/users/icalendar/reset_token",
        _U,
        note="each reset revokes the feed's former address",
        output=CalendarFeed,
    ),
    Operation(
        "tasks.import",
        "POST",
        "/account/import/tasks",
        _I,
        note="rows match existing tasks by name: a repeated import finds what the first made",
        paging=_W,
        input=TaskImport,
        output=list[ImportedTask],
    ),
    Operation("projects.no_project", "GET", "/projects/0", _S, output=ProjectTasks),
    Operation(
        "notifications.list",
        "GET",
        "/notifications",
        _S,
        paging=_W,
        input=NotificationsQuery,
        output=list[Notification],
    ),
    Operation("notifications.read", "PUT", "/notifications/read/{id}", _I, output=Notification),
    Operation("notifications.read_many", "POST", "/notifications/read", _I, input=NotificationRefs),
)

OPERATIONS: MappingProxyType[str, Operation] = MappingProxyType({op.name: op for op in _ALL})


def operation(name: str) -> Operation:
    try:
        return OPERATIONS[name]
    except KeyError:
        raise KeyError(f"no TrackingTime operation named {name!r}") from None
