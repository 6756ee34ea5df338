"""Helpers shared by the resource handlers: filters, paging, name-or-create, custom fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from ghltt.sandbox.trackingtime.envelope import ValidationError
from ghltt.sandbox.trackingtime.router import Ctx
from ghltt.sandbox.trackingtime.state import Customer, Project, Service, Task
from ghltt.sandbox.trackingtime.timefmt import hhmm, hours

T = TypeVar("T")

FILTERS = ("ALL", "ACTIVE", "ARCHIVED")


def archive_filter(ctx: Ctx, records: Iterable[T], *, default: str = "ACTIVE") -> list[T]:
    wanted = (ctx.params.text("filter") or default).upper()
    if wanted in ("ALL", "FOLLOWING", "INVITED", "TRACKING", "ENABLED"):
        return list(records)
    if wanted not in FILTERS:
        raise ValidationError(f"Invalid filter: {wanted}")
    archived = wanted == "ARCHIVED"
    return [r for r in records if bool(getattr(r, "is_archived", False)) == archived]


def page(ctx: Ctx, items: Sequence[T], *, default_size: int, max_size: int) -> list[T]:
    """0-based ``page`` and ``page_size``; there is no total in the answer (DISC)."""
    number = ctx.params.integer("page", 0) or 0
    size = ctx.params.integer("page_size", default_size) or default_size
    if number < 0 or size < 1:
        raise ValidationError("Invalid page or page_size")
    size = min(size, max_size)
    return list(items[number * size : (number + 1) * size])


def tracked_times(ctx: Ctx, kind: str, table: dict[int, Any]) -> list[dict[str, Any]]:
    """``data=[{"id"}]``: each record's time so far (``/tasks/times``, ``/projects/times``).
    [INFERRED] shape: the id with the accumulated seconds and hours the record itself shows."""
    refs = ctx.params.json_list("data")
    if not refs:
        raise ValidationError("The parameter 'data' is required: [{\"id\": ...}]")
    out = []
    for ref in refs:
        if not isinstance(ref, dict) or "id" not in ref:
            raise ValidationError("The parameter 'data' must be a list of {\"id\": ...}")
        record = ctx.find(table, int(ref["id"]))
        secs = ctx.totals().of(kind, record.id)
        out.append(
            {
                "id": record.id,
                "accumulated_time": secs,
                "worked_hours": hours(secs),
                "loc_worked_hours": hhmm(secs),
            }
        )
    return out


def customer_by_name(ctx: Ctx, name: str) -> Customer:
    """Case-insensitive lookup that creates the customer when it is missing (§3)."""
    wanted = name.strip().lower()
    for c in ctx.state.customers.values():
        if c.account_id == ctx.account.id and c.name.lower() == wanted:
            return c
    customer = Customer(
        id=ctx.state.next_id("customer"),
        account_id=ctx.account.id,
        name=name.strip(),
        created_at=ctx.now,
        color_index=len(ctx.state.customers) % 24,
    )
    ctx.state.customers[customer.id] = customer
    return customer


def service_by_name(ctx: Ctx, name: str) -> Service:
    wanted = name.strip().lower()
    for s in ctx.state.services.values():
        if s.account_id == ctx.account.id and s.name.lower() == wanted:
            return s
    service = Service(
        id=ctx.state.next_id("service"),
        account_id=ctx.account.id,
        name=name.strip(),
        created_at=ctx.now,
    )
    ctx.state.services[service.id] = service
    return service


def project_by_name(ctx: Ctx, name: str, customer_id: int | None = None) -> Project:
    wanted = name.strip().lower()
    for p in ctx.state.projects.values():
        if (
            p.account_id == ctx.account.id
            and not p.is_deleted
            and p.name.lower() == wanted
            and (customer_id is None or p.customer_id == customer_id)
        ):
            return p
    project = Project(
        id=ctx.state.next_id("project"),
        account_id=ctx.account.id,
        name=name.strip(),
        created_at=ctx.now,
        customer_id=customer_id,
        user_ids={ctx.viewer.id},
    )
    ctx.state.projects[project.id] = project
    ctx.emit("project.created", ctx.project(project))
    return project


def resolve_project(ctx: Ctx) -> Project | None:
    """``project_id`` or ``project_name`` (auto-created), else ``None``."""
    project_id = ctx.params.integer("project_id")
    if project_id:
        return ctx.find(ctx.state.projects, project_id)
    name = ctx.params.text("project_name")
    if name and name.strip():
        customer_id = None
        customer_name = ctx.params.text("customer_name")
        if customer_name and customer_name.strip():
            customer_id = customer_by_name(ctx, customer_name).id
        return project_by_name(ctx, name, customer_id)
    return None


def task_by_name(ctx: Ctx, name: str, project: Project | None) -> Task:
    """Smart selection (§7.6.1): an active task with this name in the project, else a new one."""
    wanted = name.strip().lower()
    project_id = project.id if project else None
    for t in ctx.state.tasks.values():
        if (
            t.account_id == ctx.account.id
            and not t.is_archived
            and t.project_id == project_id
            and t.name.lower() == wanted
            and (not t.assignees or ctx.viewer.id in t.assignees)
        ):
            return t
    return new_task(ctx, name.strip(), project)


def new_task(ctx: Ctx, name: str, project: Project | None, *, hidden: bool = False) -> Task:
    if len(name) > 500:
        raise ValidationError("The task name is too long (max 500 characters)")
    task = Task(
        id=ctx.state.next_id("task"),
        account_id=ctx.account.id,
        name=name,
        created_at=ctx.now,
        created_by=ctx.viewer.id,
        project_id=project.id if project else None,
        visibility="HIDDEN" if hidden else None,
        assignees={ctx.viewer.id: ctx.now},
    )
    ctx.state.tasks[task.id] = task
    if project is not None:
        project.user_ids.add(ctx.viewer.id)
    if not hidden:
        ctx.emit("task.created", ctx.task(task))
    return task


def ghost_task(ctx: Ctx, project: Project) -> Task:
    """Time tracked on a project alone goes to its hidden task (RN v4.0)."""
    for t in ctx.state.tasks.values():
        if t.project_id == project.id and t.visibility == "HIDDEN":
            return t
    return new_task(ctx, project.name, project, hidden=True)


def apply_custom_fields(ctx: Ctx, values: dict[int, str], object_class: str) -> bool:
    """``custom_fields=[{"id"|"slug", "value"}]``; an empty value clears the field."""
    items = ctx.params.json_list("custom_fields")
    if items is None:
        return False
    for item in items:
        if not isinstance(item, dict):
            raise ValidationError("custom_fields items must be objects")
        cf = None
        if item.get("id") is not None:
            try:
                cf_id = int(item["id"])
            except (TypeError, ValueError):
                raise ValidationError("Invalid custom field id") from None
            cf = ctx.state.custom_fields.get(cf_id)
        elif item.get("slug"):
            slug = str(item["slug"]).upper()
            cf = next(
                (
                    c
                    for c in ctx.state.custom_fields.values()
                    if c.account_id == ctx.account.id and (c.slug or "").upper() == slug
                ),
                None,
            )
        if cf is None or cf.account_id != ctx.account.id:
            raise ValidationError("Custom field not found")
        if cf.filter_object_class != object_class:
            raise ValidationError(f"The custom field {cf.id} does not apply to {object_class}")
        value = item.get("value")
        if value is None or value == "":
            values.pop(cf.id, None)
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if cf.value_type == "enum":
            options = {
                str(o.id) for o in ctx.state.enum_options.values() if o.custom_field_id == cf.id
            }
            if text not in options:
                raise ValidationError(f"Invalid option for the custom field {cf.name}")
        values[cf.id] = text
    return True


def third_party(ctx: Ctx, kind: str) -> dict[str, Any] | None:
    """``service`` plus ``service_<kind>_id`` (MCPO, RN v4.73), stored as ``third_party_data``."""
    service = ctx.params.text("service")
    ident = ctx.params.text(f"service_{kind}_id")
    if not service and not ident:
        return None
    return {"service": service, "id": ident}


def users_param(ctx: Ctx, name: str = "users") -> list[int] | None:
    items = ctx.params.json_list(name)
    if items is None:
        return None
    out: list[int] = []
    for item in items:
        raw: Any = item.get("id") if isinstance(item, dict) else item
        try:
            user_id = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(f"Invalid user in '{name}'") from None
        if not in_account(ctx, user_id):
            raise ValidationError(f"User {user_id} is not part of this account")
        out.append(user_id)
    return out


def in_account(ctx: Ctx, user_id: int) -> bool:
    """Whether ``user_id`` is a user of the account the request is for."""
    user = ctx.state.users.get(user_id)
    return user is not None and ctx.account.id in user.memberships


def check_unique(ctx: Ctx, records: Iterable[Any], name: str, kind: str, own_id: int = 0) -> None:
    wanted = name.strip().lower()
    for r in records:
        if (
            r.account_id == ctx.account.id
            and r.id != own_id
            and r.name.lower() == wanted
            and not getattr(r, "is_deleted", False)
        ):
            raise ValidationError(
                f"There is already another {kind} with that name. Please choose a different one."
            )
