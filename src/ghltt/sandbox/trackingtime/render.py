"""JSON shapes of each object, with the derived fields the real API computes.

Aggregates (accumulated seconds per task, project, customer ...) are computed in one pass over the
account's events and cached until the next change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ghltt.sandbox.trackingtime.config import SimulatorConfig
from ghltt.sandbox.trackingtime.state import (
    Account,
    Comment,
    Customer,
    CustomField,
    EnumOption,
    Event,
    EventTag,
    Project,
    Service,
    State,
    Task,
    TaskList,
    User,
    Webhook,
)
from ghltt.sandbox.trackingtime.timefmt import (
    fmt_date,
    fmt_local,
    gmt_offset,
    hhmm,
    hhmmss,
    hours,
    loc_date,
    loc_datetime,
    parse_zone,
)

AVATAR_BASE = "https://avatars.trackingtime.invalid"


def avatar_url(user: User) -> str:
    return f"{AVATAR_BASE}/{user.id}.png"


def event_seconds(event: Event, now: datetime) -> int:
    """Duration in seconds; a running event counts up to now."""
    end = event.end if event.end is not None else max(now, event.start)
    return max(int((end - event.start).total_seconds()), 0)


def icalendar_feed(token: str | None) -> str | None:
    """[INFERRED] the address of a user's calendar feed, once its token is set."""
    return f"https://app.trackingtime.co/ical/{token}.ics" if token else None


@dataclass
class _Totals:
    seconds: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def of(self, kind: str, key: int) -> int:
        return self.seconds[kind].get(key, 0)


class View:
    """Who is looking, in which account, at what time: everything a shape depends on."""

    def __init__(
        self,
        state: State,
        account: Account,
        viewer: User,
        now: datetime,
        config: SimulatorConfig,
    ) -> None:
        self.state = state
        self.account = account
        self.viewer = viewer
        self.now = now
        self.config = config
        self._totals: _Totals | None = None

    # -- zones and formats -------------------------------------------------------------------
    @property
    def account_zone(self) -> tzinfo:
        return ZoneInfo(self.account.timezone)

    @property
    def viewer_zone(self) -> tzinfo:
        return parse_zone(self.viewer.timezone) or self.account_zone

    def at(self, instant: datetime | None) -> str | None:
        """``created_at``/``updated_at`` are written in the account's zone (RN v4.80)."""
        return fmt_local(instant, self.account_zone)

    def loc(self, instant: datetime | None, zone: tzinfo | None = None) -> str | None:
        return loc_datetime(instant, zone or self.viewer_zone, self.viewer.date_format)

    def loc_day(self, day: date | None) -> str | None:
        return loc_date(day, self.viewer.date_format)

    def invalidate(self) -> None:
        self._totals = None

    # -- aggregates ----------------------------------------------------------------------------
    def totals(self) -> _Totals:
        if self._totals is not None:
            return self._totals
        totals = _Totals()
        zone = self.account_zone
        local_now = self.now.astimezone(zone)
        today = local_now.date()
        week_start = today - timedelta(days=today.weekday())
        month_start = today.replace(day=1)
        for ev in self.state.events.values():
            if ev.account_id != self.account.id:
                continue
            secs = event_seconds(ev, self.now)
            task = self.state.tasks.get(ev.task_id) if ev.task_id else None
            project_id = task.project_id if task else ev.project_id
            project = self.state.projects.get(project_id) if project_id else None
            keys: list[tuple[str, int | None]] = [
                ("task", ev.task_id),
                ("project", project_id),
                ("customer", project.customer_id if project else None),
                ("service", project.service_id if project else None),
                ("user", ev.user_id),
            ]
            day = ev.start.astimezone(zone).date()
            billable = ev.is_billable and (project.is_billable if project else True)
            for kind, key in keys:
                if key is None:
                    continue
                totals.seconds[kind][key] += secs
                if day == today:
                    totals.seconds[f"{kind}_today"][key] += secs
                if day >= week_start:
                    totals.seconds[f"{kind}_week"][key] += secs
                if day >= month_start:
                    totals.seconds[f"{kind}_month"][key] += secs
                totals.seconds[f"{kind}_billable" if billable else f"{kind}_unbillable"][key] += (
                    secs
                )
        self._totals = totals
        return totals

    # -- small pieces ---------------------------------------------------------------------------
    def compact_user(self, user: User | None) -> dict[str, Any] | None:
        if user is None:
            return None
        return {
            "name": user.name,
            "surname": user.surname,
            "avatar_url": avatar_url(user),
            "token": user.token,
            "third_party_data": None,
            "id": user.id,
        }

    def billing(
        self,
        kind: str,
        key: int,
        rate: float | None,
        cost: float | None,
        fixed: float | None,
        billable: bool,
    ) -> dict[str, Any]:
        t = self.totals()
        billable_h = hours(t.of(f"{kind}_billable", key))
        non_billable_h = hours(t.of(f"{kind}_unbillable", key))
        return {
            "is_billable": billable,
            "hourly_rate": rate,
            "loc_hourly_rate": None if rate is None else f"{rate:.2f}",
            "hourly_cost": cost,
            "loc_hourly_cost": None if cost is None else f"{cost:.2f}",
            "fixed_rate": fixed,
            "loc_fixed_rate": None if fixed is None else f"{fixed:.2f}",
            "billable_hours": billable_h,
            "non_billable_hours": non_billable_h,
            "loc_billable_hours": hhmm(t.of(f"{kind}_billable", key)),
            "loc_non_billable_hours": hhmm(t.of(f"{kind}_unbillable", key)),
        }

    def custom_field_values(
        self, values: dict[int, str], object_class: str
    ) -> list[dict[str, Any]]:
        out = []
        for cf in self.state.custom_fields.values():
            if cf.account_id != self.account.id or cf.filter_object_class != object_class:
                continue
            value = values.get(cf.id)
            out.append(
                {
                    "id": cf.id,
                    "name": cf.name,
                    "slug": cf.slug,
                    "value_type": cf.value_type,
                    "value": value,
                    "enum_option_id": _enum_id(cf, value),
                    "cf_index": cf.cf_index,
                }
            )
        return out

    def set_custom_fields(
        self, owner_key: str, owner_id: int, values: dict[int, str]
    ) -> list[dict[str, Any]]:
        out = []
        for cf_id, value in values.items():
            cf = self.state.custom_fields.get(cf_id)
            if cf is None:
                continue
            out.append(
                {
                    owner_key: owner_id,
                    "custom_field_id": cf_id,
                    "value": value,
                    "enum_option_id": _enum_id(cf, value),
                    "cf_index": cf.cf_index,
                }
            )
        return out

    def available_custom_fields(self, object_class: str) -> list[dict[str, Any]]:
        return [
            self.custom_field(cf)
            for cf in self.state.custom_fields.values()
            if cf.account_id == self.account.id
            and cf.filter_object_class == object_class
            and cf.status == "ACTIVE"
        ]

    # -- accounts and users ---------------------------------------------------------------------
    def team(self, account: Account, user: User) -> dict[str, Any]:
        member = user.memberships[account.id]
        owner = self.state.users.get(account.owner_id)
        members = self.state.members(account.id)
        projects = [
            p
            for p in self.state.projects.values()
            if p.account_id == account.id and not p.is_deleted
        ]
        return {
            "account_id": account.id,
            "company": account.company,
            "status": member.status,
            "account_status": account.status,
            "account_token": account.token,
            "account_owner": self.compact_user(owner),
            "role": member.role,
            "is_archived": member.is_archived,
            "is_freelance": False,
            "is_selected": account.id == self.account.id,
            "is_default": account.id == user.default_account_id,
            "permissions": dict(account.permissions),
            "plan": account.plan,
            "active_projects_count": sum(1 for p in projects if not p.is_archived),
            "archived_projects_count": sum(1 for p in projects if p.is_archived),
            "active_users_count": sum(
                1 for u in members if not u.memberships[account.id].is_archived
            ),
            "archived_users_count": sum(
                1 for u in members if u.memberships[account.id].is_archived
            ),
            "color_index": None,
            "customer_count": sum(
                1 for c in self.state.customers.values() if c.account_id == account.id
            ),
            "service_count": sum(
                1 for s in self.state.services.values() if s.account_id == account.id
            ),
            "available_storage": None,
            "used_storage": None,
            "metadata": {},
            "integrations": [],
            "settings": {"timezone_iana": account.timezone},
            "logo_url": None,
            "id": account.id,
            "created_at": fmt_local(account.created_at, ZoneInfo(account.timezone)),
            "updated_at": fmt_local(account.updated_at, ZoneInfo(account.timezone)),
            "json": None,
        }

    def user_settings(self, user: User) -> dict[str, Any]:
        zone = user.timezone or self.account.timezone
        return {
            "language": user.language,
            "currency": "USD",
            "date_format": user.date_format,
            "time_format": user.time_format,
            "number_format": "1,234.56",
            "time_display": "HH:MM",
            "week_starts_on": "MONDAY",
            "timezone": gmt_offset(self.now, parse_zone(zone) or UTC),
            "timezone_iana": zone,
            "id": user.id,
        }

    def user_item(self, user: User) -> dict[str, Any]:
        member = user.memberships[self.account.id]
        t = self.totals()
        return {
            "id": user.id,
            "name": user.name,
            "surname": user.surname,
            "email": user.email,
            "role": member.role,
            "avatar_url": avatar_url(user),
            "is_archived": member.is_archived,
            "status": member.status,
            "account_id": self.account.id,
            "created_at": self.at(member.created_at),
            "billing": {"hourly_rate": member.hourly_rate, "hourly_cost": member.hourly_cost},
            "invite_link": (
                f"https://pro.trackingtime.co/hub/invite?u_token={user.token}"
                f"&a_token={self.account.token}"
            ),
            "schedule": None,
            "metadata": {"first_seen_at": None, "last_seen_at": None},
            "worked_hours_this_month": hours(t.of("user_month", user.id)),
            "worked_hours_this_week": hours(t.of("user_week", user.id)),
            "worked_hours_today": hours(t.of("user_today", user.id)),
            "loc_worked_hours_this_month": hhmm(t.of("user_month", user.id)),
            "loc_worked_hours_this_week": hhmm(t.of("user_week", user.id)),
            "loc_worked_hours_today": hhmm(t.of("user_today", user.id)),
        }

    def user_full(self, user: User, *, include_custom_fields: bool = False) -> dict[str, Any]:
        member = user.memberships[self.account.id]
        t = self.totals()
        out = self.user_item(user)
        for key in (
            "invite_link",
            "worked_hours_this_month",
            "worked_hours_this_week",
            "worked_hours_today",
            "loc_worked_hours_this_month",
            "loc_worked_hours_this_week",
            "loc_worked_hours_today",
        ):
            out.pop(key)
        secs = t.of("user", user.id)
        out.update(
            {
                # /me readers use first_name/last_name; user JSON elsewhere name/surname.
                "first_name": user.name,
                "last_name": user.surname,
                "locale": user.language,
                "timezone": user.timezone or self.account.timezone,
                "country": None,
                "is_freelance": False,
                "is_owner": self.account.owner_id == user.id,
                "token": user.token,
                "icalendar_feed": icalendar_feed(user.icalendar_token),
                "employee": member.employee,
                "worked_hours": hours(secs),
                "loc_worked_hours": hhmm(secs),
                "billing": {
                    "is_billable": True,
                    "hourly_rate": member.hourly_rate,
                    "loc_hourly_rate": f"{member.hourly_rate:.2f}",
                    "hourly_cost": member.hourly_cost,
                    "loc_hourly_cost": f"{member.hourly_cost:.2f}",
                    "fixed_rate": None,
                    "loc_fixed_rate": None,
                    "billable_hours": hours(t.of("user_billable", user.id)),
                    "non_billable_hours": hours(t.of("user_unbillable", user.id)),
                    "loc_billable_hours": hhmm(t.of("user_billable", user.id)),
                    "loc_non_billable_hours": hhmm(t.of("user_unbillable", user.id)),
                },
                "settings": self.user_settings(user),
                "teams": [
                    self.team(self.state.accounts[acc_id], user)
                    for acc_id in user.memberships
                    if acc_id in self.state.accounts
                ],
                "permissions": dict(self.account.permissions),
                "projects_count": sum(
                    1
                    for p in self.state.projects.values()
                    if p.account_id == self.account.id and user.id in p.user_ids
                ),
                "custom_fields": (
                    self.custom_field_values(member.custom_fields, "user")
                    if include_custom_fields
                    else None
                ),
                "color_index": user.color_index,
                "third_party_data": None,
                "updated_at": self.at(user.updated_at),
                "json": None,
            }
        )
        return out

    # -- customers, services, projects -------------------------------------------------------------
    def customer(self, c: Customer, *, include_custom_fields: bool = False) -> dict[str, Any]:
        t = self.totals()
        projects = [
            p for p in self.state.projects.values() if p.customer_id == c.id and not p.is_deleted
        ]
        secs = t.of("customer", c.id)
        out: dict[str, Any] = {
            "name": c.name,
            "notes": c.notes,
            "contact": (
                {"name": c.contact_name, "email": c.contact_email}
                if c.contact_name or c.contact_email
                else None
            ),
            "is_archived": c.is_archived,
            "worked_hours": hours(secs),
            "loc_worked_hours": hhmm(secs),
            "total_projects": len(projects),
            "archived_projects": sum(1 for p in projects if p.is_archived),
            "active_projects": sum(1 for p in projects if not p.is_archived),
            "average_hourly_rate": None,
            "worked_hours_today": hours(t.of("customer_today", c.id)),
            "worked_hours_this_week": hours(t.of("customer_week", c.id)),
            "worked_hours_this_month": hours(t.of("customer_month", c.id)),
            "loc_worked_hours_today": hhmm(t.of("customer_today", c.id)),
            "loc_worked_hours_this_week": hhmm(t.of("customer_week", c.id)),
            "loc_worked_hours_this_month": hhmm(t.of("customer_month", c.id)),
            "color_index": c.color_index,
            "id": c.id,
            "created_at": self.at(c.created_at),
            "updated_at": self.at(c.updated_at),
            "json": c.json,
        }
        if include_custom_fields:
            out["custom_fields"] = self.custom_field_values(c.custom_fields, "customer")
        return out

    def service(self, s: Service, *, include_billing: bool = False) -> dict[str, Any]:
        secs = self.totals().of("service", s.id)
        out: dict[str, Any] = {
            "id": s.id,
            "name": s.name,
            "notes": s.notes,
            "is_archived": s.is_archived,
            "color_index": s.color_index,
            "worked_hours": hours(secs),
            "loc_worked_hours": hhmm(secs),
            "created_at": self.at(s.created_at),
            "updated_at": self.at(s.updated_at),
            "json": s.json,
        }
        if include_billing:
            out["billing"] = self.billing("service", s.id, s.hourly_rate, s.hourly_cost, None, True)
        return out

    def _ref(self, table: dict[int, Any], key: int | None) -> dict[str, Any] | None:
        record = table.get(key) if key is not None else None
        return None if record is None else {"id": record.id, "name": record.name}

    def project(
        self,
        p: Project,
        *,
        include_tasks: bool = False,
        include_closed_tasks: bool = False,
        include_task_lists: bool = False,
        include_custom_fields: bool = False,
    ) -> dict[str, Any]:
        t = self.totals()
        secs = t.of("project", p.id)
        tasks = [
            task
            for task in self.state.tasks.values()
            if task.project_id == p.id and task.visibility != "HIDDEN"
        ]
        out: dict[str, Any] = {
            "start_date": fmt_date(p.start_date),
            "loc_start_date": self.loc_day(p.start_date),
            "end_date": fmt_date(p.end_date),
            "loc_end_date": self.loc_day(p.end_date),
            "delivery_date": fmt_date(p.delivery_date),
            "loc_delivery_date": self.loc_day(p.delivery_date),
            "estimated_time": p.estimated_time,
            "loc_estimated_time": hhmm(p.estimated_time * 3600),
            "accumulated_time": secs,
            "is_archived": p.is_archived,
            "following": self.viewer.id in p.user_ids,
            "notes": p.notes,
            "name": p.name,
            "color": p.color,
            "tasks": None,
            "task_lists": None,
            "customer": self._ref(self.state.customers, p.customer_id),
            "service": self._ref(self.state.services, p.service_id),
            "billing": self.billing(
                "project", p.id, p.hourly_rate, p.hourly_cost, p.fixed_rate, p.is_billable
            ),
            "is_public": p.is_public,
            "default_view": p.default_view,
            "worked_hours": hours(secs),
            "loc_worked_hours": hhmm(secs),
            "worked_hours_today": hours(t.of("project_today", p.id)),
            "worked_hours_this_week": hours(t.of("project_week", p.id)),
            "worked_hours_this_month": hours(t.of("project_month", p.id)),
            "loc_worked_hours_today": hhmm(t.of("project_today", p.id)),
            "loc_worked_hours_this_week": hhmm(t.of("project_week", p.id)),
            "loc_worked_hours_this_month": hhmm(t.of("project_month", p.id)),
            "active_tasks": sum(1 for task in tasks if not task.is_archived),
            "archived_tasks": sum(1 for task in tasks if task.is_archived),
            "is_template": p.is_template,
            "users_hours": None,
            "coworkers": None,
            "files": None,
            "account_index": None,
            "user_preferences": None,
            "doc_id": p.id,
            "third_party_data": p.third_party_data,
            "user_index": None,
            "id": p.id,
            "created_at": self.at(p.created_at),
            "updated_at": self.at(p.updated_at),
            "json": p.json,
        }
        if include_tasks:
            out["tasks"] = [
                self.task(task) for task in tasks if include_closed_tasks or not task.is_archived
            ]
        if include_task_lists:
            out["task_lists"] = [
                self.task_list(tl) for tl in self.state.task_lists.values() if tl.project_id == p.id
            ]
        if include_custom_fields:
            out["custom_fields"] = self.custom_field_values(p.custom_fields, "project")
        return out

    def task_list(self, tl: TaskList) -> dict[str, Any]:
        return {
            "id": tl.id,
            "name": tl.name,
            "index": tl.index,
            "project_id": tl.project_id,
            "is_archived": tl.is_archived,
            "tasks": None,
            "created_at": self.at(tl.created_at),
        }

    # -- tasks ------------------------------------------------------------------------------
    def task(self, task: Task, *, include_custom_fields: bool = False) -> dict[str, Any]:
        t = self.totals()
        secs = t.of("task", task.id)
        project = self.state.projects.get(task.project_id) if task.project_id else None
        customer = (
            self.state.customers.get(project.customer_id)
            if project and project.customer_id
            else None
        )
        service_id = task.service_id or (project.service_id if project else None)
        service = self.state.services.get(service_id) if service_id else None
        task_list = self.state.task_lists.get(task.list_id) if task.list_id else None
        running = [
            ev for ev in self.state.events.values() if ev.task_id == task.id and ev.end is None
        ]
        project_secs = t.of("project", project.id) if project else 0
        out: dict[str, Any] = {
            "name": task.name,
            "type": task.type,
            "visibility": task.visibility,
            "project_id": task.project_id,
            "project": project.name if project else None,
            "project_accumulated_time": project_secs,
            "project_loc_worked_hours": hhmm(project_secs),
            "project_is_public": project.is_public if project else None,
            "project_is_favorite": bool(project and self.viewer.id in project.favorite_of),
            "customer": customer.name if customer else None,
            "customer_id": customer.id if customer else None,
            "service": service.name if service else None,
            "service_id": service.id if service else None,
            "estimated_time": task.estimated_time,
            "loc_estimated_time": hhmm(task.estimated_time * 3600),
            "accumulated_time": secs,
            "is_archived": task.is_archived,
            "start_date": self.at(task.created_at),
            "loc_start_date": self.loc(task.created_at, self.account_zone),
            "end_date": self.at(task.closed_at),
            "loc_end_date": self.loc(task.closed_at, self.account_zone),
            "due_date": fmt_date(task.due_date),
            "loc_due_date": self.loc_day(task.due_date),
            "list_position": task.list_position,
            "list_id": task.list_id,
            "list_name": task_list.name if task_list else None,
            "worked_hours": hours(secs),
            "loc_worked_hours": hhmm(secs),
            "accumulated_time_display": hhmmss(secs),
            "tracking": bool(running),
            "account_id": task.account_id,
            "color": task.color,
            "day_index": 0,
            "index": task.list_position,
            "priority": task.priority,
            "skill": None,
            "user": self.compact_user(self.state.users.get(task.created_by)),
            "billing": self.billing(
                "task",
                task.id,
                task.hourly_rate,
                task.hourly_cost,
                task.fixed_rate,
                task.is_billable,
            ),
            "project_billing": None,
            "service_item": None,
            "tracking_event": self.event_full(running[0]) if running else None,
            "subtasks": list(task.subtasks),
            "comments": [
                self.comment(c) for c in self.state.comments.values() if c.task_id == task.id
            ],
            "users": [self.assignee(task, uid) for uid in task.assignees],
            "files": None,
            "description": task.description,
            "created_by": self.compact_user(self.state.users.get(task.created_by)),
            "task_permalink": f"https://pro.trackingtime.co/#/task/{task.id}",
            "third_party_data": task.third_party_data,
            "id": task.id,
            "created_at": self.at(task.created_at),
            "updated_at": self.at(task.updated_at),
            "json": task.json,
        }
        if include_custom_fields:
            out["custom_fields"] = self.custom_field_values(task.custom_fields, "task")
        return out

    def assignee(self, task: Task, user_id: int) -> dict[str, Any]:
        user = self.state.users.get(user_id)
        running = next(
            (
                ev
                for ev in self.state.events.values()
                if ev.task_id == task.id and ev.user_id == user_id and ev.end is None
            ),
            None,
        )
        secs = sum(
            event_seconds(ev, self.now)
            for ev in self.state.events.values()
            if ev.task_id == task.id and ev.user_id == user_id
        )
        return {
            "id": user_id,
            "name": user.name if user else None,
            "surname": user.surname if user else None,
            "avatar_url": avatar_url(user) if user else None,
            "status": "ACTIVE",
            "shared_on": self.at(task.assignees[user_id]),
            "event": self.event_full(running) if running else None,
            "estimated_time": None,
            "accumulated_time": secs,
        }

    def assigned_task(self, task: Task) -> dict[str, Any]:
        full = self.task(task)
        keys = [
            "account_id",
            "id",
            "name",
            "type",
            "color",
            "index",
            "estimated_time",
            "accumulated_time",
            "accumulated_time_display",
            "worked_hours",
            "loc_worked_hours",
            "due_date",
            "is_archived",
            "visibility",
            "project_id",
            "project",
            "customer",
            "customer_id",
            "service",
            "service_id",
            "list_id",
            "list_name",
            "list_position",
            "tracking",
            "users",
            "created_at",
            "third_party_data",
        ]
        out = {key: full[key] for key in keys}
        out["project_following"] = full["project_is_favorite"]
        out["project_is_favorite"] = full["project_is_favorite"]
        project = self.state.projects.get(task.project_id) if task.project_id else None
        out["third_party_project"] = project.third_party_data if project else None
        return out

    def comment(self, c: Comment) -> dict[str, Any]:
        return {
            "id": c.id,
            "task_id": c.task_id,
            "comment": c.text,
            "user": self.compact_user(self.state.users.get(c.user_id)),
            "created_at": self.at(c.created_at),
        }

    # -- events ---------------------------------------------------------------------------------
    def _event_parts(self, ev: Event) -> dict[str, Any]:
        zone = parse_zone(ev.zone) or self.account_zone
        task = self.state.tasks.get(ev.task_id) if ev.task_id else None
        project_id = task.project_id if task else ev.project_id
        project = self.state.projects.get(project_id) if project_id else None
        customer = (
            self.state.customers.get(project.customer_id)
            if project and project.customer_id
            else None
        )
        service_id = (task.service_id if task else None) or (
            project.service_id if project else None
        )
        service = self.state.services.get(service_id) if service_id else None
        user = self.state.users.get(ev.user_id)
        member = user.memberships.get(ev.account_id) if user else None
        task_list = self.state.task_lists.get(task.list_id) if task and task.list_id else None
        return {
            "zone": zone,
            "task": task,
            "project": project,
            "customer": customer,
            "service": service,
            "user": user,
            "member": member,
            "task_list": task_list,
        }

    def tag(self, tag: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": tag.get("id"),
            "n": tag.get("n"),
            "v": tag.get("v"),
            "c": tag.get("c"),
            "t": tag.get("t"),
            "ns": tag.get("ns"),
        }

    def event_min(self, ev: Event) -> dict[str, Any]:
        parts = self._event_parts(ev)
        zone: tzinfo = parts["zone"]
        task: Task | None = parts["task"]
        project: Project | None = parts["project"]
        customer: Customer | None = parts["customer"]
        service: Service | None = parts["service"]
        user: User | None = parts["user"]
        member = parts["member"]
        task_list: TaskList | None = parts["task_list"]
        return {
            "id": ev.id,
            "s": fmt_local(ev.start, zone),
            "e": fmt_local(ev.end, zone),
            "d": event_seconds(ev, self.now),
            "se": service.name if service else None,
            "seid": service.id if service else None,
            "c": customer.name if customer else None,
            "cid": customer.id if customer else None,
            "p": project.name if project else None,
            "pid": project.id if project else None,
            "pn": project.notes or "" if project else None,
            "pif": bool(project and ev.user_id in project.favorite_of),
            "t": task.name if task else None,
            "tid": task.id if task else None,
            "tt": task.type if task else None,
            "tv": task.visibility if task else None,
            "tl": task_list.name if task_list else None,
            "dd": fmt_date(task.due_date) if task else None,
            "et": task.estimated_time if task else None,
            "a": bool(task and task.is_archived),
            "u": f"{user.name} {user.surname}".strip() if user else None,
            "uid": ev.user_id,
            "uhr": member.hourly_rate if member else 0,
            "uhc": member.hourly_cost if member else 0,
            "uau": avatar_url(user) if user else None,
            "tz": gmt_offset(ev.start, zone),
            "n": ev.notes,
            "co": project.color if project else None,
            "r": project.hourly_rate if project else None,
            "b": ev.is_billable,
            "bd": ev.is_billed,
            "to": user.token if user else None,
            "er": ev.repeat,
            "rf": ev.frequency,
            "re": ev.repeat_every,
            "rgi": None,
            "ety": ev.event_type,
            "uci": user.color_index if user else None,
            "cci": customer.color_index if customer else None,
            "sci": service.color_index if service else None,
            "has_files": False,
            "toi": None,
            "ts": [self.tag(tag) for tag in ev.tags] or None,
            "cat": self.at(ev.created_at),
            "uat": self.at(ev.updated_at),
            "users": None,
        }

    def event_full(self, ev: Event, *, include_custom_fields: bool = False) -> dict[str, Any]:
        parts = self._event_parts(ev)
        zone: tzinfo = parts["zone"]
        task: Task | None = parts["task"]
        project: Project | None = parts["project"]
        customer: Customer | None = parts["customer"]
        service: Service | None = parts["service"]
        user: User | None = parts["user"]
        member = parts["member"]
        task_list: TaskList | None = parts["task_list"]
        secs = event_seconds(ev, self.now)
        out: dict[str, Any] = {
            "type": ev.event_type,
            "event_type": ev.event_type,
            "start": fmt_local(ev.start, zone),
            "loc_start": self.loc(ev.start, zone),
            "end": fmt_local(ev.end, zone),
            "loc_end": self.loc(ev.end, zone),
            "duration": secs,
            "loc_duration": hhmm(secs),
            "formated_duration": hhmmss(secs),
            "service": service.name if service else None,
            "service_id": service.id if service else None,
            "customer": customer.name if customer else None,
            "customer_id": customer.id if customer else None,
            "project": project.name if project else None,
            "project_id": project.id if project else None,
            "project_notes": project.notes if project else None,
            "project_color": project.color if project else None,
            "project_is_favorite": bool(project and ev.user_id in project.favorite_of),
            "skill": None,
            "skill_id": None,
            "task": task.name if task else None,
            "task_id": task.id if task else None,
            "task_type": task.type if task else None,
            "task_visibility": task.visibility if task else None,
            "task_list": task_list.name if task_list else None,
            "due_date": fmt_date(task.due_date) if task else None,
            "estimated_time": task.estimated_time if task else None,
            "is_archived": bool(task and task.is_archived),
            "user": f"{user.name} {user.surname}".strip() if user else None,
            "user_id": ev.user_id,
            "user_hourly_rate": member.hourly_rate if member else 0,
            "user_hourly_cost": member.hourly_cost if member else 0,
            "timezone": gmt_offset(ev.start, zone),
            "tz": gmt_offset(ev.start, zone),
            "notes": ev.notes,
            "color": project.color if project else None,
            "repeat": ev.repeat,
            "end_repeat": ev.end_repeat,
            "frequency": ev.frequency,
            "repeat_every": ev.repeat_every,
            "hourly_rate": project.hourly_rate if project else None,
            "is_billable": ev.is_billable,
            "is_billed": ev.is_billed,
            "user_groups": None,
            "tags": [self.tag(tag) for tag in ev.tags],
            "third_party_data": ev.third_party_data,
            "id": ev.id,
            "created_at": self.at(ev.created_at),
            "updated_at": self.at(ev.updated_at),
            "json": ev.json,
        }
        if include_custom_fields:
            out["custom_fields"] = self.custom_field_values(ev.custom_fields, "event")
        return out

    def event_flat(self, ev: Event, *, include_custom_fields: bool = False) -> dict[str, Any]:
        m = self.event_min(ev)
        out: dict[str, Any] = {
            "ID": m["id"],
            "Start": m["s"],
            "End": m["e"],
            "Duration": m["d"],
            "Service": m["se"],
            "Service Id": m["seid"],
            "Customer": m["c"],
            "Customer Id": m["cid"],
            "Project": m["p"],
            "Project Id": m["pid"],
            "Project Notes": m["pn"],
            "Project is favorite": m["pif"],
            "Task": m["t"],
            "Task Id": m["tid"],
            "Task Type": m["tt"],
            "Task Visibility": m["tv"],
            "Task List": m["tl"],
            "Due Date": m["dd"],
            "Estimated Time": m["et"],
            "Is Archived": m["a"],
            "User": m["u"],
            "User Id": m["uid"],
            "User Hourly Rate": m["uhr"],
            "User Hourly Cost": m["uhc"],
            "User Avatar Url": m["uau"],
            "Timezone": m["tz"],
            "Notes": m["n"],
            "Color": m["co"],
            "Hourly Rate": m["r"],
            "Is Billable": m["b"],
            "Is Billed": m["bd"],
            "Icalendar Token": m["to"],
            "Event Repeat": m["er"],
            "Repeat Rrequency": m["rf"],
            "Repeat Every": m["re"],
            "Repeat Group Id": m["rgi"],
            "Event Type": m["ety"],
            "User Color Index": m["uci"],
            "Customer Color Index": m["cci"],
            "Service Color Index": m["sci"],
            "Has files": m["has_files"],
            "Time Off Id": m["toi"],
            "Users": m["users"],
        }
        if include_custom_fields:
            for cf in self.state.custom_fields.values():
                if cf.account_id != self.account.id:
                    continue
                label = cf.filter_object_class.capitalize()
                values = self._cf_source(ev, cf.filter_object_class)
                out[f"{cf.name} ({label} CF)"] = values.get(cf.id) if values else None
        return out

    def _cf_source(self, ev: Event, object_class: str) -> dict[int, str] | None:
        parts = self._event_parts(ev)
        if object_class == "event":
            return ev.custom_fields
        if object_class == "task" and parts["task"]:
            return dict(parts["task"].custom_fields)
        if object_class == "project" and parts["project"]:
            return dict(parts["project"].custom_fields)
        if object_class == "customer" and parts["customer"]:
            return dict(parts["customer"].custom_fields)
        if object_class == "user" and parts["member"]:
            return dict(parts["member"].custom_fields)
        return None

    # -- the rest ---------------------------------------------------------------------------------
    def custom_field(self, cf: CustomField) -> dict[str, Any]:
        return {
            "id": cf.id,
            "name": cf.name,
            "value": None,
            "color": cf.color,
            "type": cf.value_type,
            "notes": cf.notes,
            "value_type": cf.value_type,
            "value_object_class": cf.filter_object_class,
            "filter_object_class": cf.filter_object_class,
            "is_object_default": cf.is_object_default,
            "status": cf.status,
            "enabled": cf.enabled,
            "enum_options": [
                self.enum_option(o)
                for o in self.state.enum_options.values()
                if o.custom_field_id == cf.id
            ]
            if cf.value_type == "enum"
            else None,
            "cf_index": cf.cf_index,
            "slug": cf.slug,
        }

    def enum_option(self, o: EnumOption) -> dict[str, Any]:
        return {
            "id": o.id,
            "name": o.name,
            "color": o.color,
            "index": o.index,
            "enabled": o.enabled,
            "notes": o.notes,
            "custom_field_id": o.custom_field_id,
        }

    def event_tag(self, tag: EventTag) -> dict[str, Any]:
        return {
            "id": tag.id,
            "name": tag.name,
            "value": tag.value,
            "type": tag.type,
            "color": tag.color,
            "notes": tag.notes,
        }

    def webhook(self, hook: Webhook) -> dict[str, Any]:
        return {
            "id": hook.id,
            "event_name": hook.events[0] if len(hook.events) == 1 else ",".join(hook.events),
            "events": list(hook.events),
            "description": hook.description,
            "token": hook.token,
            "url": hook.url,
            "callback_url": hook.url,
            "status": hook.status,
            "is_incoming": False,
            "grouped": hook.grouped,
            "service": hook.service,
            "user_id": hook.user_id,
            "created_at": self.at(hook.created_at),
            "updated_at": self.at(hook.updated_at),
        }


def _enum_id(cf: CustomField, value: str | None) -> int | None:
    if cf.value_type != "enum" or value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
