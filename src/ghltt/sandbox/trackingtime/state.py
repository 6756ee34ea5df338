"""In-memory state of the simulated TrackingTime: plain records keyed by 64-bit-ish integer ids."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

ADMIN = "ADMIN"
PROJECT_MANAGER = "PROJECT_MANAGER"
CO_WORKER = "CO_WORKER"
ROLES = (ADMIN, PROJECT_MANAGER, CO_WORKER, "MANAGER", "REGULAR")

# First id of each kind; the task base is above 2**31 as in the PM sample, to catch int32 clients.
ID_BASES: dict[str, int] = {
    "account": 1725,
    "user": 381455,
    "customer": 123456,
    "service": 45100,
    "project": 1266926,
    "task_list": 88001,
    "task": 94656212106,
    "event": 3490132317,
    "custom_field": 824992,
    "enum_option": 33327,
    "tag": 5501,
    "webhook": 77,
    "comment": 910001,
    "user_group": 6601,
    "notification": 4401,
}


_TABLES = {
    "account": "accounts",
    "user": "users",
    "customer": "customers",
    "service": "services",
    "project": "projects",
    "task_list": "task_lists",
    "task": "tasks",
    "event": "events",
    "custom_field": "custom_fields",
    "enum_option": "enum_options",
    "tag": "tags",
    "webhook": "webhooks",
    "comment": "comments",
    "user_group": "user_groups",
    "notification": "notifications",
}


@dataclass
class Account:
    id: int
    company: str
    timezone: str
    owner_id: int
    token: str
    created_at: datetime
    status: str = "SUBSCRIBED"
    plan: int = 0
    updated_at: datetime | None = None
    permissions: dict[str, bool] = field(
        default_factory=lambda: {
            "can_edit_time_entries": True,
            "can_edit_projects_and_tasks": True,
            "can_edit_projects": True,
            "can_edit_tasks": True,
            "can_view_time_entries_from_others": True,
            "can_view_others": True,
        }
    )


@dataclass
class Membership:
    account_id: int
    role: str
    created_at: datetime
    status: str = "VERIFIED"
    is_archived: bool = False
    hourly_rate: float = 0
    hourly_cost: float = 0
    custom_fields: dict[int, str] = field(default_factory=dict)
    employee: dict[str, Any] | None = None


@dataclass
class User:
    id: int
    name: str
    surname: str
    email: str
    password: str | None
    token: str
    created_at: datetime
    default_account_id: int
    memberships: dict[int, Membership] = field(default_factory=dict)
    app_passwords: list[str] = field(default_factory=list)
    bearer_tokens: list[str] = field(default_factory=list)
    timezone: str | None = None
    date_format: str = "dd.MM.yyyy"
    time_format: str = "HH:mm"
    language: str = "en"
    updated_at: datetime | None = None
    color_index: int = 0
    icalendar_token: str | None = None


@dataclass
class Customer:
    id: int
    account_id: int
    name: str
    created_at: datetime
    notes: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    is_archived: bool = False
    color_index: int = 0
    updated_at: datetime | None = None
    json: str | None = None
    custom_fields: dict[int, str] = field(default_factory=dict)


@dataclass
class Service:
    id: int
    account_id: int
    name: str
    created_at: datetime
    notes: str | None = None
    is_archived: bool = False
    color_index: int = 0
    hourly_rate: float | None = None
    hourly_cost: float | None = None
    updated_at: datetime | None = None
    json: str | None = None


@dataclass
class Project:
    id: int
    account_id: int
    name: str
    created_at: datetime
    customer_id: int | None = None
    service_id: int | None = None
    notes: str | None = None
    color: str | None = None
    is_public: bool = False
    default_view: str | None = None
    estimated_time: float = 0
    delivery_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    is_archived: bool = False
    is_deleted: bool = False
    is_billable: bool = True
    hourly_rate: float | None = None
    hourly_cost: float | None = None
    fixed_rate: float | None = None
    is_template: bool = False
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    json: str | None = None
    custom_fields: dict[int, str] = field(default_factory=dict)
    third_party_data: dict[str, Any] | None = None
    user_ids: set[int] = field(default_factory=set)
    favorite_of: set[int] = field(default_factory=set)


@dataclass
class TaskList:
    id: int
    account_id: int
    project_id: int
    name: str
    index: int
    created_at: datetime
    is_archived: bool = False


@dataclass
class Comment:
    id: int
    task_id: int
    user_id: int
    text: str
    created_at: datetime


@dataclass
class Task:
    id: int
    account_id: int
    name: str
    created_at: datetime
    created_by: int
    project_id: int | None = None
    description: str | None = None
    type: str = "PERSONAL"
    visibility: str | None = None
    list_id: int | None = None
    list_position: int = 0
    due_date: date | None = None
    estimated_time: float = 0
    priority: int | None = None
    is_archived: bool = False
    is_billable: bool = True
    hourly_rate: float | None = None
    hourly_cost: float | None = None
    fixed_rate: float | None = None
    service_id: int | None = None
    color: str | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    json: str | None = None
    custom_fields: dict[int, str] = field(default_factory=dict)
    third_party_data: dict[str, Any] | None = None
    assignees: dict[int, datetime] = field(default_factory=dict)
    subtasks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Event:
    id: int
    account_id: int
    user_id: int
    task_id: int | None
    project_id: int | None
    start: datetime
    end: datetime | None
    zone: str
    created_at: datetime
    notes: str | None = None
    event_type: str = "WORK"
    is_billable: bool = True
    is_billed: bool = False
    updated_at: datetime | None = None
    json: str | None = None
    edited: bool = False
    repeat: str | None = None
    frequency: str | None = None
    repeat_every: int | None = None
    end_repeat: str | None = None
    custom_fields: dict[int, str] = field(default_factory=dict)
    tags: list[dict[str, Any]] = field(default_factory=list)
    third_party_data: dict[str, Any] | None = None


@dataclass
class CustomField:
    id: int
    account_id: int
    name: str
    value_type: str
    filter_object_class: str
    created_at: datetime
    color: str | None = None
    notes: str | None = None
    cf_index: int = 0
    slug: str | None = None
    status: str = "ACTIVE"
    is_object_default: bool = False
    enabled: bool = True


@dataclass
class EnumOption:
    id: int
    custom_field_id: int
    name: str
    index: int = 0
    color: str | None = None
    enabled: bool = True
    notes: str | None = None


@dataclass
class EventTag:
    id: int
    account_id: int
    name: str
    value: str | None = None
    type: str | None = None
    color: str | None = None
    notes: str | None = None


@dataclass
class Webhook:
    id: int
    account_id: int
    user_id: int
    url: str
    events: list[str]
    token: str
    created_at: datetime
    grouped: bool = False
    status: str = "ENABLED"
    description: str | None = None
    service: str | None = None
    updated_at: datetime | None = None


@dataclass
class UserGroup:
    """A group of users under a supervisor ("teams" in the UI); a user is in one group only
    (RN v4.22)."""

    id: int
    account_id: int
    name: str
    supervisor_id: int
    user_ids: list[int]
    created_at: datetime
    notes: str | None = None
    status: str = "ACTIVE"
    updated_at: datetime | None = None


@dataclass
class Notification:
    """Something a user is told about: a comment on a task of theirs, by someone else."""

    id: int
    account_id: int
    user_id: int  # who is told
    kind: str
    text: str
    created_at: datetime
    by_user_id: int | None = None
    task_id: int | None = None
    project_id: int | None = None
    is_read: bool = False


@dataclass
class State:
    """Everything the simulated API knows. Records are mutated in place by the routes."""

    accounts: dict[int, Account] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    task_lists: dict[int, TaskList] = field(default_factory=dict)
    tasks: dict[int, Task] = field(default_factory=dict)
    events: dict[int, Event] = field(default_factory=dict)
    custom_fields: dict[int, CustomField] = field(default_factory=dict)
    enum_options: dict[int, EnumOption] = field(default_factory=dict)
    tags: dict[int, EventTag] = field(default_factory=dict)
    webhooks: dict[int, Webhook] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    user_groups: dict[int, UserGroup] = field(default_factory=dict)
    notifications: dict[int, Notification] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=lambda: dict(ID_BASES))

    def next_id(self, kind: str) -> int:
        value = self.counters[kind]
        self.counters[kind] = value + 1
        return value

    def discard_created(self, before: dict[str, int]) -> None:
        """Forget records made since ``before`` (counters): a failed request leaves no orphans."""
        for kind, start in before.items():
            table: dict[int, Any] = getattr(self, _TABLES[kind])
            for key in range(start, self.counters[kind]):
                table.pop(key, None)

    def user_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((u for u in self.users.values() if u.email.lower() == wanted), None)

    def user_by_app_password(self, secret: str) -> User | None:
        return next((u for u in self.users.values() if secret in u.app_passwords), None)

    def user_by_bearer(self, token: str) -> User | None:
        return next(
            (
                u
                for u in self.users.values()
                if token in u.bearer_tokens or token in u.app_passwords or token == u.token
            ),
            None,
        )

    def members(self, account_id: int) -> list[User]:
        return [u for u in self.users.values() if account_id in u.memberships]

    def running_event(self, user_id: int) -> Event | None:
        # One timer per user across all accounts (RN v3.8.1).
        return next(
            (e for e in self.events.values() if e.user_id == user_id and e.end is None), None
        )

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready dump for ``GET /_admin/state``."""

        def conv(value: Any) -> Any:
            if isinstance(value, datetime | date):
                return value.isoformat()
            if isinstance(value, set):
                return sorted(value)
            if isinstance(value, dict):
                return {str(k): conv(v) for k, v in value.items()}
            if isinstance(value, list):
                return [conv(v) for v in value]
            return value

        out: dict[str, Any] = {}
        for name in (
            "accounts",
            "users",
            "customers",
            "services",
            "projects",
            "task_lists",
            "tasks",
            "events",
            "custom_fields",
            "enum_options",
            "tags",
            "webhooks",
            "comments",
            "user_groups",
            "notifications",
        ):
            table: dict[int, Any] = getattr(self, name)
            out[name] = [conv(asdict(record)) for record in table.values()]
        out["counters"] = dict(self.counters)
        return out

    def clone(self) -> State:
        return copy.deepcopy(self)
