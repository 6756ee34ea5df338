"""``/notifications``: what a user is told about, read one by one or in a batch (FICUS, RN v3.8).

Here a comment on a task tells its assignees and its creator, the author aside. The object is
not documented: [INFERRED] its kind, text, who caused it, the task and project, and ``is_read``.
"""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import NotFoundError, ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.state import Notification, Task

router = Router()

BATCH_LIMIT = 50  # RN v3.8: a batch marks at most 50


def notify_comment(ctx: Ctx, task: Task, text: str) -> None:
    told = {*task.assignees, task.created_by} - {ctx.viewer.id}
    author = f"{ctx.viewer.name} {ctx.viewer.surname}".strip()
    for user_id in sorted(told):
        note = Notification(
            id=ctx.state.next_id("notification"),
            account_id=ctx.account.id,
            user_id=user_id,
            kind="COMMENT",
            text=f"{author} commented on {task.name}: {text}",
            created_at=ctx.now,
            by_user_id=ctx.viewer.id,
            task_id=task.id,
            project_id=task.project_id,
        )
        ctx.state.notifications[note.id] = note


def _render(ctx: Ctx, note: Notification) -> dict[str, Any]:
    return {
        "id": note.id,
        "type": note.kind,
        "text": note.text,
        "user": ctx.compact_user(ctx.state.users.get(note.by_user_id or 0)),
        "task_id": note.task_id,
        "project_id": note.project_id,
        "is_read": note.is_read,
        "created_at": ctx.at(note.created_at),
    }


def _mine(ctx: Ctx, note_id: int) -> Notification:
    note = ctx.state.notifications.get(note_id)
    if note is None or note.account_id != ctx.account.id or note.user_id != ctx.viewer.id:
        raise NotFoundError(ctx.config.not_found_message)
    return note


@router.add("notifications")
def list_notifications(ctx: Ctx) -> Any:
    kind = (ctx.params.text("filter") or "USER").upper()
    notes = [
        n
        for n in ctx.state.notifications.values()
        if n.account_id == ctx.account.id and n.user_id == ctx.viewer.id
    ]
    if kind == "PROJECT":
        project_id = ctx.params.required_integer("id")
        notes = [n for n in notes if n.project_id == project_id]
    elif kind != "USER":
        raise ValidationError(f"Invalid filter: {kind} (USER or PROJECT)")
    if not ctx.params.flag("include_read"):
        notes = [n for n in notes if not n.is_read]
    return [_render(ctx, n) for n in sorted(notes, key=lambda n: n.id, reverse=True)]


@router.add("notifications/read/{id}")
def read_one(ctx: Ctx) -> Any:
    note = _mine(ctx, ctx.arg())
    note.is_read = True
    return _render(ctx, note)


@router.add("notifications/read")
def read_many(ctx: Ctx) -> Any:
    refs = ctx.params.json_list("data")
    if not refs:
        raise ValidationError("The parameter 'data' is required: [{id}]")
    if len(refs) > BATCH_LIMIT:
        raise ValidationError(f"At most {BATCH_LIMIT} notifications at a time")
    notes = []
    for ref in refs:
        if not isinstance(ref, dict) or "id" not in ref:
            raise ValidationError("The parameter 'data' must be a list of {id}")
        notes.append(_mine(ctx, int(ref["id"])))
    for note in notes:
        note.is_read = True
    return {}
