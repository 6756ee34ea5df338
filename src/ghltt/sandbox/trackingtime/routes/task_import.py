"""``/account/import/tasks``: tasks by name, with their project, customer and service (FICUS).

Each row is matched the way timers by name match (an active task of that name in the project,
names case-insensitive) and made when missing, with the project, customer and service it names.
``preview_mode`` answers what an import would do and writes nothing. The answer is not
documented: [INFERRED] one row per row sent, with the ids found or made and ``is_new``.
"""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.common import (
    customer_by_name,
    project_by_name,
    service_by_name,
    task_by_name,
)
from ghltt.sandbox.trackingtime.state import Project, Task

router = Router()


def _text(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    return (str(value).strip() or None) if value is not None else None


def _found_project(ctx: Ctx, name: str) -> Project | None:
    wanted = name.lower()
    return next(
        (
            p
            for p in ctx.state.projects.values()
            if p.account_id == ctx.account.id and not p.is_deleted and p.name.lower() == wanted
        ),
        None,
    )


def _found_task(ctx: Ctx, name: str, project: Project | None) -> Task | None:
    wanted = name.lower()
    project_id = project.id if project else None
    return next(
        (
            t
            for t in ctx.state.tasks.values()
            if t.account_id == ctx.account.id
            and not t.is_archived
            and t.project_id == project_id
            and t.name.lower() == wanted
        ),
        None,
    )


def _preview(ctx: Ctx, task_name: str, project_name: str | None) -> dict[str, Any]:
    project = _found_project(ctx, project_name) if project_name else None
    missing_project = project_name is not None and project is None
    task = None if missing_project else _found_task(ctx, task_name, project)
    return {
        "task_id": task.id if task else None,
        "project_id": project.id if project else None,
        "is_new": task is None,
    }


def _import(ctx: Ctx, row: dict[str, Any], task_name: str) -> dict[str, Any]:
    customer_name, project_name = _text(row, "customer_name"), _text(row, "project_name")
    service_name = _text(row, "service_name")
    customer = customer_by_name(ctx, customer_name) if customer_name else None
    project = (
        project_by_name(ctx, project_name, customer.id if customer else None)
        if project_name
        else None
    )
    if project is not None and service_name:
        project.service_id = service_by_name(ctx, service_name).id
    first_new = ctx.state.counters["task"]
    task = task_by_name(ctx, task_name, project)
    return {
        "task_id": task.id,
        "project_id": project.id if project else None,
        "is_new": task.id >= first_new,
    }


@router.add("account/import/tasks")
def import_tasks(ctx: Ctx) -> Any:
    ctx.require_manager()
    rows = ctx.params.json_list("data")
    if not rows:
        raise ValidationError("The parameter 'data' is required: [{task_name, project_name...}]")
    preview = ctx.params.flag("preview_mode")
    out = []
    for row in rows:
        task_name = _text(row, "task_name") if isinstance(row, dict) else None
        if task_name is None or not isinstance(row, dict):
            raise ValidationError("Each entry of 'data' needs a task_name")
        done = (
            _preview(ctx, task_name, _text(row, "project_name"))
            if preview
            else _import(ctx, row, task_name)
        )
        out.append({"task_name": task_name, **done})
    if not preview:
        ctx.changed()
    return out
