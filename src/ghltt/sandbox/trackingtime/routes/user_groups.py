"""``/users/groups``: groups of users under a supervisor ("teams" in the UI; FICUS, RN v4.22).

The group object is not documented: [INFERRED] its fields are the ones add takes, with the
supervisor and the members as compact users. A user is in one group only (RN v4.22), so adding
them to a group takes them out of the one they were in.
"""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.common import in_account
from ghltt.sandbox.trackingtime.state import UserGroup

router = Router()

_STATUSES = ("ACTIVE", "ARCHIVED")


def _render(ctx: Ctx, group: UserGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "notes": group.notes,
        "status": group.status,
        "is_archived": group.status == "ARCHIVED",
        "supervisor_id": group.supervisor_id,
        "supervisor": ctx.compact_user(ctx.state.users.get(group.supervisor_id)),
        "users": [ctx.compact_user(ctx.state.users.get(uid)) for uid in group.user_ids],
        "created_at": ctx.at(group.created_at),
        "updated_at": ctx.at(group.updated_at),
    }


def _mine(ctx: Ctx) -> list[UserGroup]:
    return [g for g in ctx.state.user_groups.values() if g.account_id == ctx.account.id]


def _member_id(ctx: Ctx, value: Any, what: str) -> int:
    try:
        user_id = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"The parameter '{what}' must be a user id") from None
    if not in_account(ctx, user_id):
        raise ValidationError(f"The parameter '{what}': no user {user_id} in this account")
    return user_id


def _status(ctx: Ctx, default: str) -> str:
    status = (ctx.params.text("status") or default).upper()
    if status not in _STATUSES:
        raise ValidationError(f"Invalid status: {status}")
    return status


def _apply_members(ctx: Ctx, group: UserGroup, *, required: bool) -> None:
    """``users=[{"id", "action": "ADD"|"REMOVE"}]``: each entry adds or removes one member."""
    changes = ctx.params.json_list("users")
    if changes is None or (required and not changes):
        if required:
            raise ValidationError("The parameter 'users' is required (at least one user)")
        return
    for change in changes:
        if not isinstance(change, dict):
            raise ValidationError("The parameter 'users' must be a list of {id, action}")
        user_id = _member_id(ctx, change.get("id"), "users.id")
        action = str(change.get("action") or "ADD").upper()
        if action == "ADD":
            for other in _mine(ctx):
                if other.id != group.id and user_id in other.user_ids:
                    other.user_ids.remove(user_id)
            if user_id not in group.user_ids:
                group.user_ids.append(user_id)
        elif action == "REMOVE":
            if user_id in group.user_ids:
                group.user_ids.remove(user_id)
        else:
            raise ValidationError(f"Invalid action: {action} (ADD or REMOVE)")


@router.add("users/groups")
def list_groups(ctx: Ctx) -> Any:
    wanted = (ctx.params.text("filter") or "ACTIVE").upper()
    if wanted not in ("ALL", *_STATUSES):
        raise ValidationError(f"Invalid filter: {wanted}")
    return [_render(ctx, g) for g in _mine(ctx) if wanted in ("ALL", g.status)]


@router.add("users/groups/{id}")
def get_group(ctx: Ctx) -> Any:
    return _render(ctx, ctx.find(ctx.state.user_groups, ctx.arg()))


@router.add("users/groups/add")
def add_group(ctx: Ctx) -> Any:
    ctx.require_manager()
    group = UserGroup(
        id=ctx.state.next_id("user_group"),
        account_id=ctx.account.id,
        name=ctx.params.required_text("name"),
        supervisor_id=_member_id(ctx, ctx.params.raw("supervisor_id"), "supervisor_id"),
        user_ids=[],
        created_at=ctx.now,
        notes=ctx.params.text("notes"),
        status=_status(ctx, "ACTIVE"),
    )
    _apply_members(ctx, group, required=True)
    ctx.state.user_groups[group.id] = group
    ctx.changed()
    return _render(ctx, group)


@router.add("users/groups/update/{id}")
def update_group(ctx: Ctx) -> Any:
    ctx.require_manager()
    group = ctx.find(ctx.state.user_groups, ctx.arg())
    if "name" in ctx.params:
        group.name = ctx.params.required_text("name")
    if "supervisor_id" in ctx.params:
        group.supervisor_id = _member_id(ctx, ctx.params.raw("supervisor_id"), "supervisor_id")
    if "notes" in ctx.params:
        group.notes = ctx.params.text("notes")
    group.status = _status(ctx, group.status)
    _apply_members(ctx, group, required=False)
    ctx.changed(group)
    return _render(ctx, group)


@router.add("users/groups/delete/{id}", delete=True)
def delete_group(ctx: Ctx) -> Any:
    ctx.require_manager()
    group = ctx.find(ctx.state.user_groups, ctx.arg())
    del ctx.state.user_groups[group.id]
    ctx.changed()
    return {}
