"""A user's invitation, employee record and calendar feed (FICUS, RN v1.3.1 and v4.19).

Their answers are not documented: [INFERRED] the employee record as it was sent back, and the
new feed's address."""

from __future__ import annotations

import secrets
from typing import Any

from ghltt.sandbox.trackingtime.envelope import ValidationError
from ghltt.sandbox.trackingtime.render import icalendar_feed
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.users import member

router = Router()

EMPLOYEE_FIELDS = (
    "name",
    "nr",
    "employment_status",
    "gender",
    "tax_id",
    "phone",
    "job_title",
    "department",
    "location",
    "notes",
    "birthdate",
    "hire_date",
    "termination_date",
)


@router.add("users/resend_invite")
def resend_invite(ctx: Ctx) -> Any:
    ctx.require_manager()
    email = ctx.params.required_text("email").lower()
    user = ctx.state.user_by_email(email)
    membership = user.memberships.get(ctx.account.id) if user else None
    if membership is None:
        raise ValidationError(f"There is no user with the email {email} in this account")
    if membership.status != "INVITED":
        raise ValidationError("The user has already accepted the invitation")
    return {}


@router.add("users/{id}/employee/update")
def update_employee(ctx: Ctx) -> Any:
    ctx.require_manager()
    user = member(ctx, ctx.arg())
    m = user.memberships[ctx.account.id]
    record = dict(m.employee or {})
    for key in EMPLOYEE_FIELDS:
        if key in ctx.params:
            record[key] = ctx.params.text(key)
    m.employee = record
    ctx.changed(user)
    return {"user_id": user.id, **record}


@router.add("users/icalendar/reset_token")
def reset_icalendar_token(ctx: Ctx) -> Any:
    ctx.viewer.icalendar_token = secrets.token_hex(16)
    ctx.changed(ctx.viewer)
    return {"icalendar_feed": icalendar_feed(ctx.viewer.icalendar_token)}
