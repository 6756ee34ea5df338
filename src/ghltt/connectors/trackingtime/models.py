"""Typed views of TrackingTime objects.

Every model keeps the fields a sync needs and lets the rest through (``extra="allow"``): TT adds
keys often and a new key must never break a read. Ids are ``int`` (Python ints are unbounded; TT
ids pass 2**31). Wall-clock strings stay strings; :mod:`.timefmt` turns them into instants.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from ghltt.connectors.trackingtime.timefmt import parse_datetime

__all__ = [
    "AssignedTask",
    "AssignedTasksQuery",
    "Assignee",
    "CalendarFeed",
    "Comment",
    "CommentFields",
    "CompactUser",
    "Count",
    "CustomField",
    "CustomFieldFields",
    "CustomFieldUpdate",
    "Customer",
    "CustomerFields",
    "CustomerUpdate",
    "DayHours",
    "Employee",
    "EmployeeFields",
    "EnumOption",
    "EnumOptionFields",
    "EnumOptionUpdate",
    "EventFields",
    "EventIds",
    "EventSearch",
    "EventTag",
    "EventsExportQuery",
    "EventsFilteredQuery",
    "EventsMinQuery",
    "EventsQuery",
    "EventsSummaryQuery",
    "FlatEvent",
    "ImportedTask",
    "InviteEmail",
    "ListFilter",
    "MergeInto",
    "NameFields",
    "NamedRef",
    "Notification",
    "NotificationRefs",
    "NotificationsQuery",
    "PermissionFields",
    "Project",
    "ProjectFields",
    "ProjectHours",
    "ProjectPreferences",
    "ProjectRefs",
    "ProjectSearch",
    "ProjectTasks",
    "ProjectUpdate",
    "ReportQuery",
    "SearchHit",
    "Service",
    "ServiceUpdate",
    "Subtask",
    "TagFields",
    "TagName",
    "TagValuesQuery",
    "Task",
    "TaskFields",
    "TaskImport",
    "TaskList",
    "TaskNames",
    "TaskOrder",
    "TaskRefs",
    "TaskUpdate",
    "TasksQuery",
    "Team",
    "TeamSettings",
    "TeamSwitch",
    "TimeEntry",
    "TrackByName",
    "TrackFields",
    "Trackables",
    "TrackedTime",
    "TtInput",
    "TtModel",
    "User",
    "UserFields",
    "UserGroup",
    "UserGroupFields",
    "UserGroupUpdate",
    "UserReport",
    "UserUpdate",
    "Webhook",
    "WebhookCreated",
    "WebhookFields",
]


def _alias(*names: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(*names))


class TtModel(BaseModel):
    """Base of every TT model: tolerant of new keys, readable by field name or API name."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    def timestamp(self, field: str, zone: str | tzinfo) -> datetime | None:
        """The wall-clock string in ``field`` read in ``zone`` (the account's, for ``*_at``)."""
        value = getattr(self, field, None)
        if not isinstance(value, str) or not value:
            return None
        return parse_datetime(value, zone)

    def custom_field_value(self, slug: str) -> str | None:
        """The value of the custom field with ``slug`` (read with ``include_custom_fields``)."""
        fields = getattr(self, "custom_fields", None) or []
        wanted = slug.upper()
        for item in fields if isinstance(fields, list) else []:
            if isinstance(item, dict) and str(item.get("slug") or "").upper() == wanted:
                value = item.get("value")
                return None if value is None else str(value)
        return None


class NamedRef(TtModel):
    """The compact ``{"id", "name"}`` TT nests for a project's customer or service."""

    id: int
    name: str | None = None


class CompactUser(TtModel):
    id: int
    name: str | None = None
    surname: str | None = None
    avatar_url: str | None = None


class Team(TtModel):
    """A workspace the user belongs to (``/teams`` and ``/me``'s ``teams[]``)."""

    account_id: int
    company: str | None = None
    role: str | None = None
    status: str | None = None
    account_status: str | None = None
    is_selected: bool | None = None
    is_default: bool | None = None


class User(TtModel):
    id: int
    name: str | None = _alias("name", "first_name")
    surname: str | None = _alias("surname", "last_name")
    email: str | None = None
    role: str | None = None
    status: str | None = None
    is_archived: bool = False
    account_id: int | None = None
    teams: list[Team] | None = None
    created_at: str | None = None
    updated_at: str | None = None


class Customer(TtModel):
    id: int
    name: str
    notes: str | None = None
    contact: Any = None  # a string in the docs; an object with name/email in newer answers
    is_archived: bool = False
    created_at: str | None = None
    updated_at: str | None = None
    json_data: str | None = Field(default=None, alias="json")


class Service(TtModel):
    id: int
    name: str
    notes: str | None = None
    is_archived: bool = False
    created_at: str | None = None
    updated_at: str | None = None


class TaskList(TtModel):
    id: int
    name: str | None = None
    index: int | None = None
    project_id: int | None = None
    is_archived: bool = False


class Task(TtModel):
    id: int
    name: str
    type: str | None = None
    visibility: str | None = None
    description: str | None = None
    project_id: int | None = None
    project: str | None = None
    customer_id: int | None = None
    service_id: int | None = None
    list_id: int | None = None
    due_date: str | None = None
    estimated_time: float | None = None
    accumulated_time: int | None = None
    is_archived: bool = False
    tracking: bool | None = None
    users: list[dict[str, Any]] | None = None
    account_id: int | None = None
    third_party_data: Any = None
    created_at: str | None = None
    updated_at: str | None = None


AssignedTask = Task


class Project(TtModel):
    id: int
    name: str
    notes: str | None = None
    color: str | None = None
    is_archived: bool = False
    is_public: bool | None = None
    customer: NamedRef | None = None
    service: NamedRef | None = None
    estimated_time: float | None = None
    accumulated_time: int | None = None
    delivery_date: str | None = None
    tasks: list[Task] | None = None
    task_lists: list[TaskList] | None = None
    created_at: str | None = None
    updated_at: str | None = None


class Trackables(TtModel):
    """``/users/:id/trackables``: projects with their trackable tasks."""

    projects: list[dict[str, Any]] = Field(default_factory=list)


class EventTag(TtModel):
    id: int | None = None
    name: str | None = _alias("name", "n")
    value: str | None = _alias("value", "v")
    type: str | None = _alias("type", "t")
    color: str | None = _alias("color", "c")
    notes: str | None = None


class TimeEntry(TtModel):
    """A TT event (time entry) read from either shape: full keys or the abbreviated ``min`` keys.

    ``/events`` answers with ``s``, ``e``, ``d``…; ``/events/:id``, add and update with ``start``,
    ``end``, ``duration``…. Both land on the same readable fields.
    """

    id: int
    start: str | None = _alias("start", "s")
    end: str | None = _alias("end", "e")
    duration: int | None = _alias("duration", "d")
    timezone: str | None = _alias("timezone", "tz")
    notes: str | None = _alias("notes", "n")
    user_id: int | None = _alias("user_id", "uid")
    user: str | None = _alias("user", "u")
    task_id: int | None = _alias("task_id", "tid")
    task: str | None = _alias("task", "t")
    project_id: int | None = _alias("project_id", "pid")
    project: str | None = _alias("project", "p")
    customer_id: int | None = _alias("customer_id", "cid")
    customer: str | None = _alias("customer", "c")
    service_id: int | None = _alias("service_id", "seid")
    service: str | None = _alias("service", "se")
    event_type: str | None = _alias("event_type", "ety")
    is_billable: bool | None = _alias("is_billable", "b")
    is_billed: bool | None = _alias("is_billed", "bd")
    is_archived: bool | None = _alias("is_archived", "a")
    tags: list[EventTag] | None = _alias("tags", "ts")
    created_at: str | None = _alias("created_at", "cat")
    updated_at: str | None = _alias("updated_at", "uat")

    @property
    def running(self) -> bool:
        return self.end is None

    def start_at(self) -> datetime | None:
        """The start as an aware datetime, read in the event's own ``tz``."""
        return self.timestamp("start", self.timezone) if self.timezone else None

    def end_at(self) -> datetime | None:
        return self.timestamp("end", self.timezone) if self.timezone else None


class EnumOption(TtModel):
    id: int
    name: str | None = None
    color: str | None = None
    index: int | None = None
    enabled: bool | None = None


class CustomField(TtModel):
    id: int
    name: str | None = None
    slug: str | None = None
    value_type: str | None = None
    filter_object_class: str | None = None
    status: str | None = None
    enabled: bool | None = None
    cf_index: int | None = None
    enum_options: list[EnumOption] | None = None


class Webhook(TtModel):
    id: int
    url: str | None = _alias("url", "callback_url")
    events: str | list[str] | None = _alias("events", "event_name")
    status: str | None = None
    description: str | None = None


class WebhookCreated(TtModel):
    """``/webhooks/add`` answers with the id and the token deliveries will carry."""

    id: int
    secret: str | None = _alias("secret", "token")


# ---- what operations take ------------------------------------------------------------------


class TtInput(BaseModel):
    """A request's fields: the ones named are checked and coerced (ids to ``int``, days to
    ``yyyy-MM-dd``); others pass through (custom fields, TT's ``json``...)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_fields(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _day(value: Any) -> Any:
    return None if value in (None, "") else str(value)[:10]


Day = Annotated[date | None, BeforeValidator(_day)]


class TaskFields(TtInput):
    """``/tasks/add``: ``users`` in TT's ``[{"id": n}]`` shape."""

    name: str
    description: str | None = None
    project_id: int | None = None
    project_name: str | None = None
    due_date: str | None = None
    users: list[dict[str, Any]] | None = None
    type: str | None = None
    json_data: str | None = Field(default=None, alias="json")


class EventsQuery(TtInput):
    """``/events``: ``filter`` is USER, PROJECT, CUSTOMER, TASK (with ``id``) or COMPANY;
    ``from``/``to`` are days in the account's zone."""

    filter: str
    id: int | None = None
    from_: Day = Field(default=None, alias="from")
    to: Day = None


class AssignedTasksQuery(TtInput):
    filter: str | None = None


class ListFilter(TtInput):
    """The whole-list reads: ``filter`` ALL, ACTIVE (TT's default) or ARCHIVED."""

    filter: str | None = None
    include_custom_fields: bool | None = None


class UserFields(TtInput):
    name: str
    role: str  # ADMIN, PROJECT_MANAGER or CO_WORKER
    surname: str | None = None
    email: str | None = None
    hourly_rate: float | None = None
    hourly_cost: float | None = None


class UserUpdate(TtInput):
    name: str | None = None
    surname: str | None = None
    email: str | None = None
    role: str | None = None
    hourly_rate: float | None = None
    hourly_cost: float | None = None


class PermissionFields(TtInput):
    role: str | None = None
    can_edit_time_entries: bool | None = None
    can_edit_projects_and_tasks: bool | None = None
    can_view_time_entries_from_others: bool | None = None
    can_view_others: bool | None = None


class ProjectRefs(TtInput):
    """``data``: the projects, as ``[{"id": n}]`` (a raw array in a JSON body)."""

    data: list[dict[str, Any]]


class CustomerFields(TtInput):
    name: str
    notes: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    custom_fields: list[Any] | None = None


class CustomerUpdate(TtInput):
    name: str | None = None  # TT refuses an update without it (FICUS): the sync always sends it
    notes: str | None = None
    custom_fields: list[Any] | None = None


class NameFields(TtInput):
    """Records named and nothing else (a service, a task list, a subtask)."""

    name: str
    index: int | None = None


class ServiceUpdate(TtInput):
    name: str | None = None
    is_archived: bool | None = None


class ProjectFields(TtInput):
    name: str
    customer_id: int | None = None
    customer_name: str | None = None
    service_name: str | None = None
    is_public: bool | None = None
    estimated_time: float | None = None  # hours
    notes: str | None = None
    custom_fields: list[Any] | None = None


class ProjectUpdate(TtInput):
    name: str | None = None
    customer_id: int | None = None
    customer_name: str | None = None
    service_id: int | None = None
    service_name: str | None = None
    estimated_time: float | None = None
    delivery_date: str | None = None  # yyyy-MM-dd; "" clears it
    color: str | None = None
    notes: str | None = None
    is_billable: bool | None = None
    hourly_rate: float | None = None
    custom_fields: list[Any] | None = None


class ProjectPreferences(TtInput):
    is_favorite: bool | None = None
    default_view: str | None = None


class ProjectSearch(TtInput):
    keyword: str
    type: str | None = None  # PROJECT, TASK or ALL


class TaskUpdate(TtInput):
    name: str | None = None
    description: str | None = None
    due_date: str | None = None  # yyyy-MM-dd; "" clears it
    list_id: int | None = None
    project_id: int | None = None
    project_name: str | None = None
    service_id: int | None = None
    estimated_time: float | None = None
    is_billable: bool | None = None
    users: list[Any] | None = None
    type: str | None = None
    custom_fields: list[Any] | None = None


class TasksQuery(TtInput):
    """``/tasks``: ``filter`` ALL, ACTIVE, ARCHIVED or TRACKING (every running task)."""

    filter: str | None = None
    project_id: int | None = None


class TrackFields(TtInput):
    """Start or stop a timer at ``date``, a wall clock (``yyyy-MM-dd HH:mm:ss``) in
    ``timezone`` (``GMT-05:00``); TT requires it."""

    date: str
    timezone: str | None = None
    notes: str | None = None
    stop_running_task: bool | None = None
    return_task: bool | None = None


class TrackByName(TrackFields):
    """``/tasks/track`` without an id: TT finds or creates the task by names."""

    task_name: str | None = None
    project_name: str | None = None
    project_id: int | None = None


class CommentFields(TtInput):
    comment: str


class EventFields(TtInput):
    """``/events/add`` and ``/events/update``: wall-clock times in ``timezone``."""

    start: str | None = None
    end: str | None = None
    timezone: str | None = None
    user_id: int | None = None
    task_id: int | None = None
    task_name: str | None = None
    project_id: int | None = None
    project_name: str | None = None
    notes: str | None = None
    event_type: str | None = None
    is_billed: bool | None = None
    custom_fields: list[Any] | None = None


class EventsSummaryQuery(TtInput):
    from_: Day = Field(default=None, alias="from")
    to: Day = None
    users: list[dict[str, Any]] | None = None


class EventsFilteredQuery(TtInput):
    """``query_data``: TT's report query as a JSON string (date_range, filters, sorts...)."""

    query_data: str


class EventIds(TtInput):
    """``data``: the events as a JSON *string* ``[{"id": n}]``, the one place TT wants it so."""

    data: str


class EventSearch(TtInput):
    """``/search/events``: ``type`` ByID, ByProjectID, ByTaskID, ByProjectOrTaskName,
    ByExternalID, ByProjectExternalID or ByTaskExternalID, with the fields it names."""

    type: str
    id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    project_name: str | None = None
    task_name: str | None = None
    external_id: str | None = None


class TagFields(TtInput):
    name: str
    value: str | None = None
    type: str | None = None
    color: str | None = None
    notes: str | None = None


class TagName(TtInput):
    name: str


class TagValuesQuery(TtInput):
    name: str


class CustomFieldFields(TtInput):
    name: str
    value_type: str  # boolean, currency, date, enum, number, text, checkbox...
    filter_object_class: str  # event, task, project, user or customer
    color: str | None = None
    notes: str | None = None


class CustomFieldUpdate(TtInput):
    name: str | None = None
    color: str | None = None
    notes: str | None = None


class EnumOptionFields(TtInput):
    name: str
    custom_field: int
    index: int | None = None
    color: str | None = None
    enabled: bool | None = None


class EnumOptionUpdate(TtInput):
    name: str | None = None
    color: str | None = None
    enabled: bool | None = None


class WebhookFields(TtInput):
    url: str
    events: str  # a comma list: event.created,event.updated
    grouped: bool | None = None


class ReportQuery(TtInput):
    from_: Day = Field(default=None, alias="from")
    to: Day = None
    sort_by: str | None = None  # NAME or WORKED_HOURS


class EventsMinQuery(EventsQuery):
    """``/events/min``: ``/events`` plus ``billed`` ALL, BILLED or UNBILLED."""

    billed: str | None = None


class EventsExportQuery(TtInput):
    """``/events/export``: ``separator`` ``,`` ``;`` or a tab, and ``/events``' selection."""

    separator: str
    filter: str | None = None
    id: int | None = None
    from_: Day = Field(default=None, alias="from")
    to: Day = None


class TaskRefs(TtInput):
    """``data``: the tasks, as ``[{"id": n}]``."""

    data: list[dict[str, Any]]


class TaskNames(TtInput):
    """``data``: the tasks to find, as ``[{"project_name": ..., "task_name": ...}]``."""

    data: list[dict[str, Any]]


class TaskOrder(TtInput):
    """``data``: each task's place in its list, as ``[{"id": n, "sort_index": i}]``."""

    data: list[dict[str, Any]]
    by_day: bool | None = None


class TaskImport(TtInput):
    """``data``: ``[{"task_name", "project_name", "customer_name", "service_name"}]``;
    ``preview_mode``: answer what the import would do and write nothing."""

    data: list[dict[str, Any]]
    preview_mode: bool | None = None


class NotificationsQuery(TtInput):
    """``filter`` USER (the caller's, the default) or PROJECT (with ``id``); ``include_read``."""

    filter: str | None = None
    id: int | None = None
    include_read: bool | None = None


class NotificationRefs(TtInput):
    """``data``: the notifications, as ``[{"id": n}]`` (at most 50)."""

    data: list[dict[str, Any]]


class InviteEmail(TtInput):
    email: str


class EmployeeFields(TtInput):
    """A user's employee record (HR fields); dates as ``yyyy-MM-dd``."""

    name: str | None = None
    nr: str | None = None
    employment_status: str | None = None
    gender: str | None = None
    tax_id: str | None = None
    phone: str | None = None
    job_title: str | None = None
    department: str | None = None
    location: str | None = None
    notes: str | None = None
    birthdate: str | None = None
    hire_date: str | None = None
    termination_date: str | None = None


class TeamSwitch(TtInput):
    account_id: int


class TeamSettings(TtInput):
    """A workspace's name and what its co-workers may see and edit (admins only)."""

    company: str | None = None
    can_edit_time_entries: bool | None = None
    can_edit_projects_and_tasks: bool | None = None
    can_view_time_entries_from_others: bool | None = None
    can_view_others: bool | None = None


class MergeInto(TtInput):
    """``into``: the project that takes the merged project's tasks and time entries."""

    into: int


class UserGroupFields(TtInput):
    """A user group: ``users`` as ``[{"id": n, "action": "ADD" | "REMOVE"}]``, at least one."""

    name: str
    supervisor_id: int
    users: list[dict[str, Any]]
    notes: str | None = None
    status: str | None = None  # ACTIVE or ARCHIVED


class UserGroupUpdate(TtInput):
    name: str | None = None
    supervisor_id: int | None = None
    users: list[dict[str, Any]] | None = None
    notes: str | None = None
    status: str | None = None


# ---- answers without a model above ---------------------------------------------------------


class Count(TtModel):
    count: int


class DayHours(TtModel):
    """One user's worked hours on one day (``/events/summary``)."""

    user_id: int
    date: str
    worked_hours: float


class FlatEvent(TtModel):
    """An event as ``/events/flat`` spells it: keys with spaces (``"Project Id"``)."""

    id: int = Field(alias="ID")


class Comment(TtModel):
    id: int
    task_id: int | None = None
    comment: str | None = None
    user: CompactUser | None = None
    created_at: str | None = None


class Subtask(TtModel):
    id: int
    name: str | None = None
    is_done: bool | None = None
    index: int | None = None


class SearchHit(TtModel):
    """A project or task found by keyword (``/projects/search``, ``/projects/ids``)."""

    id: int
    name: str | None = None
    type: str | None = None
    project_id: int | None = None
    is_archived: bool | None = None


class ProjectTasks(TtModel):
    """A project and a user's tasks in it (``/users/:id/tasks``)."""

    id: int
    name: str | None = None
    tasks: list[Task] = Field(default_factory=list)


class Assignee(TtModel):
    id: int
    name: str | None = None
    surname: str | None = None
    status: str | None = None


class ProjectHours(TtModel):
    id: int
    name: str | None = None
    worked_hours: float = 0


class UserReport(TtModel):
    """``/reports/users/:id``: a user's worked hours in a period, by project."""

    user_id: int
    name: str | None = None
    worked_hours: float = 0
    billable_hours: float = 0
    projects: list[ProjectHours] = Field(default_factory=list)


class TrackedTime(TtModel):
    """A task's or project's time so far (``/tasks/times``, ``/projects/times``)."""

    id: int
    accumulated_time: int = 0  # seconds
    worked_hours: float = 0


class UserGroup(TtModel):
    """A group of users under a supervisor (``/users/groups``)."""

    id: int
    name: str | None = None
    status: str | None = None
    notes: str | None = None
    supervisor_id: int | None = None
    users: list[CompactUser] = Field(default_factory=list)


class Employee(TtModel):
    """A user's employee record (``/users/:id/employee/update``)."""

    user_id: int
    job_title: str | None = None
    department: str | None = None


class CalendarFeed(TtModel):
    """The signed-in user's calendar feed after its token is reset."""

    icalendar_feed: str


class ImportedTask(TtModel):
    """A row of a task import: the task found or made (none yet in a preview)."""

    task_name: str
    task_id: int | None = None
    project_id: int | None = None
    is_new: bool = False


class Notification(TtModel):
    """Something the signed-in user is told about (a comment on their task...)."""

    id: int
    type: str | None = None
    text: str | None = None
    task_id: int | None = None
    project_id: int | None = None
    is_read: bool = False
