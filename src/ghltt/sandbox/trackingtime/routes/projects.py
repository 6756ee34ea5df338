"""``/projects`` (unpaginated) and their task lists."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import NotFoundError, ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.common import (
    apply_custom_fields,
    customer_by_name,
    service_by_name,
    third_party,
    tracked_times,
)
from ghltt.sandbox.trackingtime.state import Event, Project, Task, TaskList

router = Router()


def _mine(ctx: Ctx) -> list[Project]:
    return [
        p
        for p in ctx.state.projects.values()
        if p.account_id == ctx.account.id and not p.is_deleted
    ]


def _render(ctx: Ctx, p: Project) -> dict[str, Any]:
    f = ctx.params.flag
    return ctx.project(
        p,
        include_tasks=f("include_tasks"),
        include_closed_tasks=f("include_closed_tasks"),
        include_task_lists=f("include_task_lists"),
        include_custom_fields=f("include_custom_fields"),
    )


def _filtered(ctx: Ctx) -> list[Project]:
    wanted = (ctx.params.text("filter") or "ACTIVE").upper()
    projects = _mine(ctx)
    if wanted == "ACTIVE":
        return [p for p in projects if not p.is_archived]
    if wanted == "ARCHIVED":
        return [p for p in projects if p.is_archived]
    if wanted == "FOLLOWING":
        return [p for p in projects if ctx.viewer.id in p.user_ids]
    if wanted == "ALL":
        return projects
    raise ValidationError(f"Invalid filter: {wanted}")


@router.add("projects")
def list_projects(ctx: Ctx) -> Any:
    # Not paginated (DISC): ``page`` is ignored and everything is returned.
    return [_render(ctx, p) for p in _filtered(ctx)]


@router.add("projects/min")
def list_projects_min(ctx: Ctx) -> Any:
    return [_render(ctx, p) for p in _filtered(ctx)][:5000]


@router.add("projects/ids")
def project_ids(ctx: Ctx) -> Any:
    return [{"id": p.id, "name": p.name, "is_archived": p.is_archived} for p in _filtered(ctx)]


@router.add("projects/search")
def search(ctx: Ctx) -> Any:
    keyword = ctx.params.required_text("keyword").lower()
    kind = (ctx.params.text("type") or "ALL").upper()
    out: list[dict[str, Any]] = []
    if kind in ("ALL", "PROJECT"):
        out += [
            {"id": p.id, "name": p.name, "type": "PROJECT", "is_archived": p.is_archived}
            for p in _mine(ctx)
            if keyword in p.name.lower()
        ]
    if kind in ("ALL", "TASK"):
        out += [
            {
                "id": t.id,
                "name": t.name,
                "type": "TASK",
                "project_id": t.project_id,
                "is_archived": t.is_archived,
            }
            for t in ctx.state.tasks.values()
            if t.account_id == ctx.account.id
            and t.visibility != "HIDDEN"
            and keyword in t.name.lower()
        ]
    return out[:500]


@router.add("projects/times")
def times(ctx: Ctx) -> Any:
    return tracked_times(ctx, "project", ctx.state.projects)


@router.add("projects/merge/{id}")
def merge(ctx: Ctx) -> Any:
    """``into``: the project that takes the source's task lists, tasks and time entries; the
    source then goes to the trash (RN v4.10.9). [INFERRED] answer: the target project."""
    ctx.require_manager()
    source = ctx.find(ctx.state.projects, ctx.arg())
    target = ctx.find(ctx.state.projects, ctx.params.required_integer("into"))
    if target.id == source.id:
        raise ValidationError("A project can't be merged into itself")
    moved: list[TaskList | Task | Event] = [
        *ctx.state.task_lists.values(),
        *ctx.state.tasks.values(),
        *ctx.state.events.values(),
    ]
    for record in moved:
        if record.project_id == source.id:
            record.project_id = target.id
    source.is_deleted = True
    ctx.changed(source)
    ctx.changed(target)
    return _render(ctx, target)


@router.add("projects/0")
def null_project(ctx: Ctx) -> Any:
    # The "null project" holds the tasks without a project (RN v4.21).
    tasks = [
        t
        for t in ctx.state.tasks.values()
        if t.account_id == ctx.account.id and t.project_id is None
    ]
    return {"id": 0, "name": "No Project", "tasks": [ctx.task(t) for t in tasks]}


@router.add("projects/{id}")
def get_project(ctx: Ctx) -> Any:
    return _render(ctx, ctx.find(ctx.state.projects, ctx.arg()))


@router.add("projects/{id}/min")
def get_project_min(ctx: Ctx) -> Any:
    return _render(ctx, ctx.find(ctx.state.projects, ctx.arg()))


@router.add("projects/{id}/users")
def project_users(ctx: Ctx) -> Any:
    p = ctx.find(ctx.state.projects, ctx.arg())
    ids: list[int] = []
    for t in ctx.state.tasks.values():
        if t.project_id == p.id:
            ids += [uid for uid in t.assignees if uid not in ids]
    return [ctx.compact_user(ctx.state.users.get(uid)) for uid in ids]


def _apply(ctx: Ctx, p: Project) -> None:
    params = ctx.params
    if "customer_id" in params:
        customer_id = params.integer("customer_id")
        p.customer_id = ctx.find(ctx.state.customers, customer_id).id if customer_id else None
    elif params.text("customer_name"):
        p.customer_id = customer_by_name(ctx, params.required_text("customer_name")).id
    if "service_id" in params:
        service_id = params.integer("service_id")
        p.service_id = ctx.find(ctx.state.services, service_id).id if service_id else None
    elif params.text("service_name"):
        p.service_id = service_by_name(ctx, params.required_text("service_name")).id
    for key in ("notes", "color", "default_view"):
        if key in params:
            setattr(p, key, params.text(key))
    for key in ("is_public", "is_billable"):
        if key in params:
            setattr(p, key, params.flag(key))
    if "estimated_time" in params:
        estimate = params.number("estimated_time", 0) or 0
        if estimate < 0:
            raise ValidationError("The estimated time can't be negative")
        p.estimated_time = estimate
    for key in ("hourly_rate", "hourly_cost", "fixed_rate"):
        if key in params:
            setattr(p, key, params.number(key))
    for key in ("delivery_date", "start_date", "end_date"):
        if key in params.values:
            setattr(p, key, params.date(key))
    if "json" in params:
        p.json = params.json_value("json")
    mapping = third_party(ctx, "project")
    if mapping is not None:
        p.third_party_data = mapping
    apply_custom_fields(ctx, p.custom_fields, "project")


@router.add("projects/add")
def add_project(ctx: Ctx) -> Any:
    ctx.require_manager()
    name = ctx.params.required_text("name")
    template_id = ctx.params.integer("template_id")
    p = Project(
        id=ctx.state.next_id("project"),
        account_id=ctx.account.id,
        name=name,
        created_at=ctx.now,
        user_ids={ctx.viewer.id},
    )
    if template_id:
        template = ctx.find(ctx.state.projects, template_id)
        for key in ("customer_id", "service_id", "notes", "color", "estimated_time"):
            setattr(p, key, getattr(template, key))
    _apply(ctx, p)
    ctx.state.projects[p.id] = p
    ctx.changed()
    data = ctx.project(p, include_custom_fields=True)
    ctx.emit("project.created", data)
    return data


@router.add("projects/update/{id}")
def update_project(ctx: Ctx) -> Any:
    ctx.require_manager()
    p = ctx.find(ctx.state.projects, ctx.arg())
    if "name" in ctx.params:
        p.name = ctx.params.required_text("name")
    _apply(ctx, p)
    ctx.changed(p)
    data = ctx.project(p, include_custom_fields=True)
    ctx.emit("project.updated", data)
    return data


def _archive(ctx: Ctx, archived: bool) -> Any:
    ctx.require_manager()
    p = ctx.find(ctx.state.projects, ctx.arg())
    p.is_archived = archived
    p.closed_at = ctx.now if archived else None
    ctx.changed(p)
    data = _render(ctx, p)
    ctx.emit("project.closed" if archived else "project.opened", data)
    return data


@router.add("projects/close/{id}")
def close_project(ctx: Ctx) -> Any:
    return _archive(ctx, True)


@router.add("projects/open/{id}")
def open_project(ctx: Ctx) -> Any:
    return _archive(ctx, False)


@router.add("projects/delete/{id}", delete=True)
def delete_project(ctx: Ctx) -> Any:
    ctx.require_manager()
    p = ctx.find(ctx.state.projects, ctx.arg())
    data = ctx.project(p)
    # Soft delete (to the trash); delete_all (default true) also removes tasks and events.
    p.is_deleted = True
    p.updated_at = ctx.now
    if ctx.params.flag("delete_all", True):
        task_ids = {t.id for t in ctx.state.tasks.values() if t.project_id == p.id}
        for ev_id in [
            e.id for e in ctx.state.events.values() if e.task_id in task_ids or e.project_id == p.id
        ]:
            del ctx.state.events[ev_id]
        for task_id in task_ids:
            del ctx.state.tasks[task_id]
    ctx.changed()
    ctx.emit("project.deleted", data)
    return {}


@router.add("projects/update_preferences/{id}")
def update_preferences(ctx: Ctx) -> Any:
    p = ctx.find(ctx.state.projects, ctx.arg())
    if "is_favorite" in ctx.params:
        if ctx.params.flag("is_favorite"):
            p.favorite_of.add(ctx.viewer.id)
        else:
            p.favorite_of.discard(ctx.viewer.id)
    if "default_view" in ctx.params:
        p.default_view = ctx.params.text("default_view")
    ctx.changed()
    return _render(ctx, p)


@router.add("projects/{id}/task_lists")
def task_lists(ctx: Ctx) -> Any:
    p = ctx.find(ctx.state.projects, ctx.arg())
    lists = [tl for tl in ctx.state.task_lists.values() if tl.project_id == p.id]
    return [ctx.task_list(tl) for tl in sorted(lists, key=lambda tl: tl.index)]


@router.add("projects/{id}/task_lists/add")
def add_task_list(ctx: Ctx) -> Any:
    p = ctx.find(ctx.state.projects, ctx.arg())
    existing = [tl for tl in ctx.state.task_lists.values() if tl.project_id == p.id]
    tl = TaskList(
        id=ctx.state.next_id("task_list"),
        account_id=ctx.account.id,
        project_id=p.id,
        name=ctx.params.required_text("name"),
        index=ctx.params.integer("index", len(existing)) or 0,
        created_at=ctx.now,
    )
    ctx.state.task_lists[tl.id] = tl
    ctx.changed(p)
    return ctx.task_list(tl)


@router.add("task_lists/{id}")
def get_task_list(ctx: Ctx) -> Any:
    tl = ctx.state.task_lists.get(ctx.arg())
    if tl is None or tl.account_id != ctx.account.id:
        raise NotFoundError(ctx.config.not_found_message)
    return ctx.task_list(tl)
