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
    "CompactUser",
    "CustomField",
    "Customer",
    "EnumOption",
    "EventTag",
    "EventsQuery",
    "NamedRef",
    "Project",
    "Service",
    "Task",
    "TaskFields",
    "TaskList",
    "Team",
    "TimeEntry",
    "Trackables",
    "TtInput",
    "TtModel",
    "User",
    "Webhook",
    "WebhookCreated",
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
