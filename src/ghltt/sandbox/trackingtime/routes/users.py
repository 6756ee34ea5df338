"""``/users``: members of the account, their tasks, projects and trackables."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import ForbiddenError, NotFoundError, ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.common import apply_custom_fields, page
from ghltt.sandbox.trackingtime.seed import make_user
from ghltt.sandbox.trackingtime.state import ROLES, Task, User

router = Router()


def member(ctx: Ctx, user_id: int) -> User:
    user = ctx.state.users.get(user_id)
    if user is None or ctx.account.id not in user.memberships:
        raise NotFoundError(ctx.config.not_found_message)
    # Coworkers see only themselves (RN v4.26.3).
    if user.id != ctx.viewer.id and not ctx.is_manager:
        raise ForbiddenError()
    return user


@router.add("users")
def list_users(ctx: Ctx) -> Any:
    wanted = (ctx.params.text("filter") or "ACTIVE").upper()
    users = ctx.state.members(ctx.account.id) if ctx.is_manager else [ctx.viewer]
    out = []
    for user in users:
        m = user.memberships[ctx.account.id]
        if wanted == "ACTIVE" and m.is_archived:
            continue
        if wanted == "ARCHIVED" and not m.is_archived:
            continue
        if wanted == "INVITED" and m.status != "INVITED":
            continue
        item = ctx.user_item(user)
        if ctx.params.flag("include_custom_fields"):
            item["custom_fields"] = ctx.custom_field_values(m.custom_fields, "user")
        out.append(item)
    return out


@router.add("users/{id}")
def get_user(ctx: Ctx) -> Any:
    user = member(ctx, ctx.arg())
    return ctx.user_full(user, include_custom_fields=ctx.params.flag("include_custom_fields"))


@router.add("users/add")
def add_user(ctx: Ctx) -> Any:
    ctx.require_manager()
    name = ctx.params.required_text("name")
    role = ctx.params.required_text("role").upper()
    if role not in ROLES:
        raise ValidationError(f"Invalid role: {role}")
    email = ctx.params.text("email")
    if email:
        existing = ctx.state.user_by_email(email)
        if existing is not None and ctx.account.id in existing.memberships:
            raise ValidationError("There is already a user with that email in this account")
    user = make_user(
        ctx.state,
        ctx.account,
        name=name,
        surname=ctx.params.text("surname") or "",
        email=email or f"user{ctx.state.counters['user']}@invited.trackingtime.invalid",
        role=role,
        now=ctx.now,
        status="INVITED",
        password=None,
    )
    m = user.memberships[ctx.account.id]
    m.hourly_rate = ctx.params.number("hourly_rate", 0) or 0
    m.hourly_cost = ctx.params.number("hourly_cost", 0) or 0
    ctx.changed()
    return ctx.user_full(user)


@router.add("users/update/{id}")
def update_user(ctx: Ctx) -> Any:
    user = member(ctx, ctx.arg())
    m = user.memberships[ctx.account.id]
    p = ctx.params
    if "name" in p:
        user.name = p.required_text("name")
    if "surname" in p:
        user.surname = p.text("surname") or ""
    if "email" in p:
        email = p.required_text("email")
        other = ctx.state.user_by_email(email)
        if other is not None and other.id != user.id:
            raise ValidationError("There is already a user with that email")
        user.email = email
    if "role" in p:
        ctx.require_admin()
        role = p.required_text("role").upper()
        if role not in ROLES:
            raise ValidationError(f"Invalid role: {role}")
        m.role = role
    if "hourly_rate" in p:
        ctx.require_manager()
        m.hourly_rate = p.number("hourly_rate", 0) or 0
    if "hourly_cost" in p:
        ctx.require_manager()
        m.hourly_cost = p.number("hourly_cost", 0) or 0
    if "timezone" in p:
        user.timezone = p.text("timezone")
    if "date_format" in p:
        user.date_format = p.text("date_format") or user.date_format
    apply_custom_fields(ctx, m.custom_fields, "user")
    ctx.changed(user)
    return ctx.user_full(user, include_custom_fields=True)


def _set_archived(ctx: Ctx, archived: bool) -> Any:
    ctx.require_admin()
    user = member(ctx, ctx.arg())
    if user.id == ctx.account.owner_id:
        raise ValidationError("The account owner can't be archived")
    m = user.memberships[ctx.account.id]
    m.is_archived = archived
    if archived:
        # Archiving stops the user's timers (RN v4.46.1) and completes their own tasks.
        for ev in ctx.state.events.values():
            if ev.user_id == user.id and ev.end is None and ev.account_id == ctx.account.id:
                ev.end = max(ctx.now, ev.start)
                ev.updated_at = ctx.now
        for task in ctx.state.tasks.values():
            if (
                task.account_id == ctx.account.id
                and not task.is_archived
                and set(task.assignees) == {user.id}
            ):
                task.is_archived = True
                task.closed_at = ctx.now
                task.updated_at = ctx.now
    ctx.changed(user)
    return ctx.user_full(user)


@router.add("users/close/{id}", html_on_post=True)
def close_user(ctx: Ctx) -> Any:
    return _set_archived(ctx, True)


@router.add("users/open/{id}", html_on_post=True)
def open_user(ctx: Ctx) -> Any:
    return _set_archived(ctx, False)


@router.add("users/update_permissions/{id}")
def update_permissions(ctx: Ctx) -> Any:
    ctx.require_admin()
    user = member(ctx, ctx.arg())
    if "role" in ctx.params:
        role = ctx.params.required_text("role").upper()
        if role not in ROLES:
            raise ValidationError(f"Invalid role: {role}")
        user.memberships[ctx.account.id].role = role
    ctx.changed(user)
    return ctx.user_full(user)


def _user_tasks(ctx: Ctx, user: User) -> list[Task]:
    return [
        t
        for t in ctx.state.tasks.values()
        if t.account_id == ctx.account.id and user.id in t.assignees and t.visibility != "HIDDEN"
    ]


_SORTS = {
    "id": lambda t: t.id,
    "name": lambda t: t.name.lower(),
    "priority": lambda t: t.priority or 0,
    "project": lambda t: t.project_id or 0,
    "customer": lambda t: t.project_id or 0,
    "due_date": lambda t: t.due_date.isoformat() if t.due_date else "",
    "closed_date": lambda t: t.closed_at.isoformat() if t.closed_at else "",
}


@router.add("users/{id}/assigned_tasks")
def assigned_tasks(ctx: Ctx) -> Any:
    user = member(ctx, ctx.arg())
    tasks = _user_tasks(ctx, user)
    wanted = (ctx.params.text("filter") or "ACTIVE").upper()
    if wanted == "ACTIVE":
        tasks = [t for t in tasks if not t.is_archived]
    elif wanted == "ARCHIVED":
        tasks = [t for t in tasks if t.is_archived]
    elif wanted == "TRACKING":
        running = {e.task_id for e in ctx.state.events.values() if e.end is None}
        tasks = [t for t in tasks if t.id in running]
    sort_by = (ctx.params.text("sort_by") or "name").lower()
    if sort_by not in _SORTS:
        raise ValidationError(f"Invalid sort_by: {sort_by}")
    tasks.sort(key=_SORTS[sort_by], reverse=(ctx.params.text("order") or "ASC").upper() == "DESC")
    chosen = page(
        ctx,
        tasks,
        default_size=ctx.config.assigned_tasks_default_page_size,
        max_size=ctx.config.tasks_default_page_size * 10,
    )
    return [ctx.assigned_task(t) for t in chosen]


@router.add("users/{id}/tasks")
def user_tasks(ctx: Ctx) -> Any:
    # Legacy: tasks grouped by project.
    user = member(ctx, ctx.arg())
    groups: dict[int, dict[str, Any]] = {}
    for task in _user_tasks(ctx, user):
        if task.is_archived and (ctx.params.text("filter") or "ACTIVE").upper() == "ACTIVE":
            continue
        project = ctx.state.projects.get(task.project_id) if task.project_id else None
        key = project.id if project else 0
        group = groups.setdefault(
            key, {"id": key, "name": project.name if project else "No Project", "tasks": []}
        )
        group["tasks"].append(ctx.task(task))
    return list(groups.values())


@router.add("users/{id}/tasks/tracking")
def tracking(ctx: Ctx) -> Any:
    user = member(ctx, ctx.arg())
    running = ctx.state.running_event(user.id)
    if running is None or running.task_id is None:
        return []
    task = ctx.state.tasks.get(running.task_id)
    return [ctx.task(task)] if task else []


@router.add("users/{id}/tasks/recent")
def recent_tasks(ctx: Ctx) -> Any:
    """The tasks the user last tracked time on, latest first (RN). [INFERRED] at most 10, in
    this account."""
    user = member(ctx, ctx.arg())
    events = sorted(
        (
            e
            for e in ctx.state.events.values()
            if e.user_id == user.id and e.account_id == ctx.account.id and e.task_id
        ),
        key=lambda e: (e.start, e.id),
        reverse=True,
    )
    recent: dict[int, Task] = {}
    for event in events:
        task = ctx.state.tasks.get(event.task_id or 0)
        if task is not None and task.visibility != "HIDDEN":
            recent.setdefault(task.id, task)
        if len(recent) == 10:
            break
    return [ctx.task(t) for t in recent.values()]


@router.add("users/{id}/projects")
def user_projects(ctx: Ctx) -> Any:
    user = member(ctx, ctx.arg())
    projects = [
        p
        for p in ctx.state.projects.values()
        if p.account_id == ctx.account.id
        and not p.is_deleted
        and not p.is_archived
        and (user.id in p.user_ids or p.is_public)
    ]
    return {"projects": [ctx.project(p) for p in projects]}


@router.add("users/{id}/trackables")
def trackables(ctx: Ctx) -> Any:
    user = member(ctx, ctx.arg())
    include_tasks = ctx.params.flag("include_tasks", True)
    only_favorites = ctx.params.flag("only_favorites")
    wanted_project = ctx.params.integer("project_id")
    tasks = [t for t in _user_tasks(ctx, user) if not t.is_archived]

    def task_item(t: Task) -> dict[str, Any]:
        full = ctx.task(t)
        return {
            "id": t.id,
            "name": t.name,
            "type": t.type,
            "estimated_time": t.estimated_time,
            "accumulated_time": full["accumulated_time"],
            "due_date": full["due_date"],
            "users": full["users"],
            "task_permalink": full["task_permalink"],
        }

    out = []
    for p in ctx.state.projects.values():
        if p.account_id != ctx.account.id or p.is_deleted or p.is_archived:
            continue
        if not (user.id in p.user_ids or p.is_public):
            continue
        if only_favorites and user.id not in p.favorite_of:
            continue
        if wanted_project is not None and wanted_project != p.id:
            continue
        customer = ctx.state.customers.get(p.customer_id) if p.customer_id else None
        out.append(
            {
                "id": p.id,
                "name": p.name,
                "color": p.color,
                "is_public": p.is_public,
                "is_favorite": user.id in p.favorite_of,
                "customer": {"name": customer.name, "id": customer.id} if customer else None,
                "tasks": [task_item(t) for t in tasks if t.project_id == p.id]
                if include_tasks
                else None,
            }
        )
    if wanted_project in (None, 0):
        out.append(
            {
                "id": 0,
                "name": "No Project",
                "color": None,
                "is_public": False,
                "is_favorite": False,
                "customer": None,
                "tasks": [task_item(t) for t in tasks if t.project_id is None]
                if include_tasks
                else None,
            }
        )
    return {"projects": out}


@router.add("users/{id}/assign_projects")
def assign_projects(ctx: Ctx) -> Any:
    return _assign(ctx, add=True)


@router.add("users/{id}/remove_projects")
def remove_projects(ctx: Ctx) -> Any:
    return _assign(ctx, add=False)


def _assign(ctx: Ctx, *, add: bool) -> Any:
    ctx.require_manager()
    user = member(ctx, ctx.arg())
    items = ctx.params.json_list("data")
    if not items:
        raise ValidationError("The parameter 'data' is required")
    for item in items:
        raw: Any = item.get("id") if isinstance(item, dict) else item
        try:
            project_id = int(raw)
        except (TypeError, ValueError):
            raise ValidationError("Invalid project id in 'data'") from None
        project = ctx.find(ctx.state.projects, project_id)
        if add:
            project.user_ids.add(user.id)
        else:
            project.user_ids.discard(user.id)
    ctx.changed()
    return {}
