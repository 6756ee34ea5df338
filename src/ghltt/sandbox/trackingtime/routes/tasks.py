"""``/tasks``: lists, CRUD, close/open, track/stop, assignees, comments and subtasks."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import NotFoundError, ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Reply, Router
from ghltt.sandbox.trackingtime.routes.common import (
    apply_custom_fields,
    ghost_task,
    new_task,
    page,
    resolve_project,
    service_by_name,
    task_by_name,
    third_party,
    tracked_times,
    users_param,
)
from ghltt.sandbox.trackingtime.routes.notifications import notify_comment
from ghltt.sandbox.trackingtime.routes.timing import start_timer, stop_event, stop_timer
from ghltt.sandbox.trackingtime.state import Comment, Task

router = Router()


def _visible(ctx: Ctx) -> list[Task]:
    return [
        t
        for t in ctx.state.tasks.values()
        if t.account_id == ctx.account.id and t.visibility != "HIDDEN"
    ]


def _filtered(ctx: Ctx) -> list[Task]:
    tasks = _visible(ctx)
    wanted = (ctx.params.text("filter") or "ACTIVE").upper()
    if wanted == "ACTIVE":
        tasks = [t for t in tasks if not t.is_archived]
    elif wanted == "ARCHIVED":
        tasks = [t for t in tasks if t.is_archived]
    elif wanted == "TRACKING":
        running = {e.task_id for e in ctx.state.events.values() if e.end is None}
        tasks = [t for t in tasks if t.id in running]
    elif wanted != "ALL":
        raise ValidationError(f"Invalid filter: {wanted}")
    project_id = ctx.params.integer("project_id")
    if project_id is not None:
        tasks = [t for t in tasks if (t.project_id or 0) == project_id]
    return tasks


def _siblings(ctx: Ctx, tasks: list[Task]) -> dict[str, Any]:
    include = ctx.params.flag("include_custom_fields")
    users = {
        str(uid): ctx.compact_user(ctx.state.users.get(uid)) for t in tasks for uid in t.assignees
    }
    return {
        "set_custom_fields": [
            row for t in tasks for row in ctx.set_custom_fields("task_id", t.id, t.custom_fields)
        ]
        if include
        else [],
        "available_custom_fields": ctx.available_custom_fields("task") if include else [],
        "users": users,
    }


@router.add("tasks")
def list_tasks(ctx: Ctx) -> Any:
    tasks = page(
        ctx,
        _filtered(ctx),
        default_size=ctx.config.tasks_list_page_size,
        max_size=ctx.config.tasks_default_page_size,
    )
    return [ctx.task(t) for t in tasks]


@router.add("tasks/paginated")
def paginated(ctx: Ctx) -> Any:
    tasks = page(
        ctx,
        _filtered(ctx),
        default_size=ctx.config.tasks_default_page_size,
        max_size=ctx.config.tasks_default_page_size * 10,
    )
    include = ctx.params.flag("include_custom_fields")
    return Reply(
        data=[ctx.task(t, include_custom_fields=include) for t in tasks],
        siblings=_siblings(ctx, tasks),
    )


@router.add("tasks/search")
def search(ctx: Ctx) -> Any:
    """``data=[{"project_name", "task_name"}]``: the tasks found by name, matched as the smart
    selection matches (case-insensitive, trimmed), in the order asked; none are created."""
    wanted = ctx.params.json_list("data")
    if not wanted:
        raise ValidationError("The parameter 'data' is required: [{project_name, task_name}]")
    found: dict[int, Task] = {}
    for pair in wanted:
        if not isinstance(pair, dict) or not str(pair.get("task_name") or "").strip():
            raise ValidationError("Each entry of 'data' needs a task_name")
        name = str(pair["task_name"]).strip().lower()
        project_name = str(pair.get("project_name") or "").strip().lower()
        for task in _visible(ctx):
            project = ctx.state.projects.get(task.project_id) if task.project_id else None
            in_project = not project_name or (
                project is not None and project.name.lower() == project_name
            )
            if task.name.lower() == name and in_project:
                found.setdefault(task.id, task)
    return [ctx.task(t) for t in found.values()]


@router.add("tasks/sort")
def sort(ctx: Ctx) -> Any:
    """``data=[{"id", "sort_index"}]``: each task's place in its list (``by_day`` is taken and
    has no other effect here)."""
    order = ctx.params.json_list("data")
    if not order:
        raise ValidationError("The parameter 'data' is required: [{id, sort_index}]")
    ctx.params.flag("by_day")
    for entry in order:
        if not isinstance(entry, dict) or "id" not in entry or "sort_index" not in entry:
            raise ValidationError("Each entry of 'data' needs an id and a sort_index")
        task = ctx.find(ctx.state.tasks, int(entry["id"]))
        task.list_position = int(entry["sort_index"])
        ctx.changed(task)
    return {}


@router.add("tasks/times")
def times(ctx: Ctx) -> Any:
    return tracked_times(ctx, "task", ctx.state.tasks)


@router.add("tasks/{id}")
def get_task(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    include = ctx.params.flag("include_custom_fields")
    return Reply(
        data=ctx.task(task, include_custom_fields=include), siblings=_siblings(ctx, [task])
    )


def _apply(ctx: Ctx, task: Task, *, creating: bool) -> None:
    p = ctx.params
    if "description" in p:
        task.description = p.text("description")
    if "project_id" in p or p.text("project_name"):
        project = resolve_project(ctx)
        task.project_id = project.id if project else None
        if project is not None:
            project.user_ids.update(task.assignees)
    if "service_id" in p:
        service_id = p.integer("service_id")
        task.service_id = ctx.find(ctx.state.services, service_id).id if service_id else None
    elif p.text("service_name"):
        task.service_id = service_by_name(ctx, p.required_text("service_name")).id
    if "type" in p:
        kind = p.required_text("type").upper()
        if kind not in ("PERSONAL", "EVERYONE"):
            raise ValidationError(f"Invalid task type: {kind}")
        task.type = kind
    if "due_date" in p.values:
        task.due_date = p.date("due_date")
    if "estimated_time" in p:
        estimate = p.number("estimated_time", 0) or 0
        if estimate < 0:
            raise ValidationError("The estimated time can't be negative")
        task.estimated_time = estimate
    if "priority" in p:
        task.priority = p.integer("priority")
    if "list_id" in p.values:
        list_id = p.integer("list_id")
        if list_id:
            tl = ctx.state.task_lists.get(list_id)
            if tl is None or tl.account_id != ctx.account.id:
                raise NotFoundError(ctx.config.not_found_message)
            task.list_id = tl.id
        else:
            task.list_id = None
    if "list_position" in p or "index" in p:
        task.list_position = p.integer("list_position", p.integer("index", 0)) or 0
    if "is_billable" in p:
        task.is_billable = p.flag("is_billable")
    for key in ("hourly_rate", "hourly_cost", "fixed_rate"):
        if key in p:
            setattr(task, key, p.number(key))
    if "color" in p:
        task.color = p.text("color")
    if "json" in p:
        task.json = p.json_value("json")
    if creating and "is_archived" in p:
        task.is_archived = p.flag("is_archived")
    users = users_param(ctx)
    if users is not None:
        # users=[] removes every assignee (RN v4.30).
        task.assignees = {uid: task.assignees.get(uid, ctx.now) for uid in users}
    elif creating and "user_id" in p:
        user_id = p.required_integer("user_id")
        task.assignees = {user_id: ctx.now}
    mapping = third_party(ctx, "task")
    if mapping is not None:
        task.third_party_data = mapping
    apply_custom_fields(ctx, task.custom_fields, "task")


def _add(ctx: Ctx) -> Any:
    name = ctx.params.required_text("name")
    if len(name) > 500:
        raise ValidationError("The task name is too long (max 500 characters)")
    project = resolve_project(ctx)
    # Silence the create emission of new_task: the full task is emitted once fields are set.
    before = len(ctx.emissions)
    task = new_task(ctx, name, project)
    del ctx.emissions[before:]
    ctx.params.values.pop("project_id", None)
    ctx.params.values.pop("project_name", None)
    _apply(ctx, task, creating=True)
    if project is not None:
        project.user_ids.update(task.assignees)
    ctx.changed()
    data = ctx.task(task, include_custom_fields=True)
    ctx.emit("task.created", data)
    return data


@router.add("tasks/add")
def add_task(ctx: Ctx) -> Any:
    return _add(ctx)


@router.add("tasks/share")
def share_task(ctx: Ctx) -> Any:
    return _add(ctx)


@router.add("tasks/update/{id}")
def update_task(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    if "name" in ctx.params:
        name = ctx.params.required_text("name")
        if len(name) > 500:
            raise ValidationError("The task name is too long (max 500 characters)")
        task.name = name
    _apply(ctx, task, creating=False)
    ctx.changed(task)
    data = ctx.task(task, include_custom_fields=True)
    ctx.emit("task.updated", data)
    return data


def _archive(ctx: Ctx, archived: bool) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    task.is_archived = archived
    task.closed_at = ctx.now if archived else None
    if archived:
        # Closing stops its running timers (RN v3.5.4) and closes its subtasks.
        for ev in list(ctx.state.events.values()):
            if ev.task_id == task.id and ev.end is None:
                stop_event(ctx, ev, max(ctx.now, ev.start))
        for sub in task.subtasks:
            sub["is_done"] = True
    ctx.changed(task)
    data = ctx.task(task)
    ctx.emit("task.closed" if archived else "task.opened", data)
    return data


@router.add("tasks/close/{id}")
def close_task(ctx: Ctx) -> Any:
    return _archive(ctx, True)


@router.add("tasks/open/{id}")
def open_task(ctx: Ctx) -> Any:
    return _archive(ctx, False)


@router.add("tasks/delete/{id}", delete=True)
def delete_task(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    data = ctx.task(task)
    if ctx.params.flag("delete_all", True):
        for ev_id in [e.id for e in ctx.state.events.values() if e.task_id == task.id]:
            del ctx.state.events[ev_id]
    else:
        for ev in ctx.state.events.values():
            if ev.task_id == task.id:
                ev.task_id = None
    for cid in [c.id for c in ctx.state.comments.values() if c.task_id == task.id]:
        del ctx.state.comments[cid]
    del ctx.state.tasks[task.id]
    ctx.changed()
    ctx.emit("task.deleted", data)
    return {}


@router.add("tasks/track/{id}")
def track(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    if task.is_archived:
        raise ValidationError("The task is closed. Open it to track time")
    return start_timer(ctx, task)


@router.add("tasks/track")
def track_by_name(ctx: Ctx) -> Any:
    task_name = ctx.params.text("task_name")
    project = resolve_project(ctx)
    if task_name and task_name.strip():
        task = task_by_name(ctx, task_name, project)
    elif project is not None:
        task = ghost_task(ctx, project)
    else:
        raise ValidationError("The parameter 'task_name' or 'project_id' is required")
    return start_timer(ctx, task)


@router.add("tasks/stop/{id}")
def stop(ctx: Ctx) -> Any:
    return stop_timer(ctx, ctx.find(ctx.state.tasks, ctx.arg()))


@router.add("tasks/{id}/users")
def task_users(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    return [ctx.assignee(task, uid) for uid in task.assignees]


# Comments: only the delete path is documented; list and add are [INFERRED] (§7.10).
@router.add("tasks/{id}/comments")
def comments(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    return [ctx.comment(c) for c in ctx.state.comments.values() if c.task_id == task.id]


@router.add("tasks/{id}/comments/add")
def add_comment(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    text = ctx.params.text("comment") or ctx.params.text("text") or ""
    if not text.strip():
        raise ValidationError("The parameter 'comment' is required")
    comment = Comment(
        id=ctx.state.next_id("comment"),
        task_id=task.id,
        user_id=ctx.viewer.id,
        text=text.strip(),
        created_at=ctx.now,
    )
    ctx.state.comments[comment.id] = comment
    notify_comment(ctx, task, comment.text)
    ctx.changed(task)
    return ctx.comment(comment)


@router.add("tasks/{task_id}/comments/delete/{comment_id}", delete=True)
def delete_comment(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg("task_id"))
    comment = ctx.state.comments.get(ctx.arg("comment_id"))
    if comment is None or comment.task_id != task.id:
        raise NotFoundError(ctx.config.not_found_message)
    del ctx.state.comments[comment.id]
    ctx.changed(task)
    return {}


@router.add("tasks/{id}/subtasks/add")
def add_subtask(ctx: Ctx) -> Any:
    task = ctx.find(ctx.state.tasks, ctx.arg())
    sub = {
        "id": ctx.state.next_id("task"),
        "name": ctx.params.required_text("name"),
        "is_done": False,
        "index": len(task.subtasks),
    }
    task.subtasks.append(sub)
    ctx.changed(task)
    return sub
