"""Tasks of a contact (reference §3). Events: TaskCreate, TaskComplete, TaskDelete."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import iso_ms, parse_iso

READ, WRITE = "contacts.readonly", "contacts.write"
_FIELDS = {
    "title": "str",
    "body": "str?",
    "dueDate": "iso",
    "completed": "bool",
    "assignedTo": "str?",
}


def _task(ctx: Ctx, contact: Record) -> Record:
    task = ctx.sim.state.tasks.get(ctx.params["taskId"])
    if task is None or task["contactId"] != contact["id"]:
        raise ApiError(400, f"Task with id {ctx.params['taskId']} not found")
    return task


def _apply(task: Record, data: Record) -> None:
    for key, value in data.items():
        if key == "dueDate":
            parsed = parse_iso(value)
            task["dueDate"] = iso_ms(parsed) if parsed else value
        else:
            task[key] = value


def _complete_event(ctx: Ctx, before: bool, task: Record) -> None:
    if task.get("completed") and not before:
        ctx.emit("TaskComplete", task["_locationId"], views.task_webhook(task))


@api(READ)
def list_tasks(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    tasks = sorted(ctx.sim.state.tasks_of(contact["id"]), key=lambda t: t["dateAdded"])
    return 200, {"tasks": [views.task(t) for t in tasks]}


@api(WRITE)
def create_task(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    data = validation.check(ctx.body, _FIELDS, ("title", "dueDate", "completed"))
    task: Record = {
        "id": ctx.sim.ids.alnum(),
        "contactId": contact["id"],
        "completed": False,
        "dateAdded": ctx.now(),
        "_locationId": contact["locationId"],
    }
    if contact.get("businessId"):
        task["businessId"] = contact["businessId"]
    _apply(task, data)
    ctx.sim.state.tasks[task["id"]] = task
    ctx.emit("TaskCreate", contact["locationId"], views.task_webhook(task))
    _complete_event(ctx, False, task)
    return 201, {"task": views.task(task), "traceId": ctx.trace_id}


@api(READ)
def get_task(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    return 200, {"task": views.task(_task(ctx, contact))}


@api(WRITE)
def update_task(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    task = _task(ctx, contact)
    data = validation.check(ctx.body, _FIELDS)
    before = bool(task.get("completed"))
    _apply(task, data)
    _complete_event(ctx, before, task)
    return 200, {"task": views.task(task)}


@api(WRITE)
def complete_task(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    task = _task(ctx, contact)
    data = validation.check(ctx.body, {"completed": "bool"}, ("completed",))
    before = bool(task.get("completed"))
    task["completed"] = data["completed"]
    _complete_event(ctx, before, task)
    return 200, {"task": views.task(task)}


@api(WRITE)
def delete_task(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    task = _task(ctx, contact)
    del ctx.sim.state.tasks[task["id"]]
    ctx.emit("TaskDelete", contact["locationId"], views.task_webhook(task))
    return 200, {"succeded": True}


routes = [
    Route("/contacts/{contactId}/tasks", list_tasks, methods=["GET"]),
    Route("/contacts/{contactId}/tasks", create_task, methods=["POST"]),
    Route("/contacts/{contactId}/tasks/{taskId}/completed", complete_task, methods=["PUT"]),
    Route("/contacts/{contactId}/tasks/{taskId}", get_task, methods=["GET"]),
    Route("/contacts/{contactId}/tasks/{taskId}", update_task, methods=["PUT"]),
    Route("/contacts/{contactId}/tasks/{taskId}", delete_task, methods=["DELETE"]),
]
