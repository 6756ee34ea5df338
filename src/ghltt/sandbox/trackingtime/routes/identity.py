"""``/me``, ``/login`` and ``/teams``: who the caller is and which accounts they belong to."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import ForbiddenError, ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router

router = Router()


def _me(ctx: Ctx) -> dict[str, Any]:
    out = ctx.user_full(ctx.viewer)
    out["account_id"] = ctx.account.id
    return out


@router.add("me")
def me(ctx: Ctx) -> Any:
    return _me(ctx)


@router.add("login")
def login(ctx: Ctx) -> Any:
    # [INFERRED] path: the PM text mentions a login endpoint that returns user plus account.
    return _me(ctx)


@router.add("teams")
def teams(ctx: Ctx) -> Any:
    wanted = (ctx.params.text("filter") or "ALL").upper()
    out = []
    for account_id, member in ctx.viewer.memberships.items():
        account = ctx.state.accounts.get(account_id)
        if account is None:
            continue
        if wanted == "ACTIVE" and member.is_archived:
            continue
        if wanted == "ARCHIVED" and not member.is_archived:
            continue
        out.append(ctx.team(account, ctx.viewer))
    return out


@router.add("teams/switch")
def switch(ctx: Ctx) -> Any:
    account_id = ctx.params.required_integer("account_id")
    if account_id not in ctx.viewer.memberships:
        raise ForbiddenError("You don't have access to this account")
    ctx.viewer.default_account_id = account_id
    return ctx.team(ctx.state.accounts[account_id], ctx.viewer)


@router.add("teams/update/{account_id}")
def update_team(ctx: Ctx) -> Any:
    account_id = ctx.arg("account_id")
    if account_id not in ctx.viewer.memberships:
        raise ForbiddenError("You don't have access to this account")
    account = ctx.state.accounts[account_id]
    if ctx.viewer.memberships[account_id].role != "ADMIN":
        raise ForbiddenError()
    for key in (
        "can_edit_time_entries",
        "can_edit_projects_and_tasks",
        "can_view_time_entries_from_others",
        "can_view_others",
    ):
        if key in ctx.params:
            account.permissions[key] = ctx.params.flag(key)
    company = ctx.params.text("company")
    if company is not None:
        if not company.strip():
            raise ValidationError("The parameter 'company' is required")
        account.company = company.strip()
    account.updated_at = ctx.now
    return ctx.team(account, ctx.viewer)
