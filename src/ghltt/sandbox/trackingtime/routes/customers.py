"""``/customers``: unpaginated list (``page`` is ignored, DISC), CRUD, close and open."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.common import (
    apply_custom_fields,
    archive_filter,
    check_unique,
)
from ghltt.sandbox.trackingtime.state import Customer

router = Router()


def _render(ctx: Ctx, c: Customer) -> Any:
    return ctx.customer(c, include_custom_fields=ctx.params.flag("include_custom_fields"))


@router.add("customers")
def list_customers(ctx: Ctx) -> Any:
    mine = [c for c in ctx.state.customers.values() if c.account_id == ctx.account.id]
    # TT answers the first 1,000 only: render those, not every customer of the account.
    return [_render(ctx, c) for c in archive_filter(ctx, mine)[:1000]]


@router.add("customers/{id}")
def get_customer(ctx: Ctx) -> Any:
    return _render(ctx, ctx.find(ctx.state.customers, ctx.arg()))


@router.add("customers/add")
def add_customer(ctx: Ctx) -> Any:
    ctx.require_manager()
    name = ctx.params.required_text("name")
    check_unique(ctx, ctx.state.customers.values(), name, "customer")
    c = Customer(
        id=ctx.state.next_id("customer"),
        account_id=ctx.account.id,
        name=name,
        created_at=ctx.now,
        notes=ctx.params.text("notes"),
        contact_name=ctx.params.text("contact_name"),
        contact_email=ctx.params.text("contact_email"),
        color_index=len(ctx.state.customers) % 24,
        json=ctx.params.json_value("json"),
    )
    apply_custom_fields(ctx, c.custom_fields, "customer")
    ctx.state.customers[c.id] = c
    ctx.changed()
    return ctx.customer(c, include_custom_fields=True)


@router.add("customers/update/{id}")
def update_customer(ctx: Ctx) -> Any:
    ctx.require_manager()
    c = ctx.find(ctx.state.customers, ctx.arg())
    # FICUS: customers/update requires name even when it does not change.
    name = ctx.params.required_text("name")
    check_unique(ctx, ctx.state.customers.values(), name, "customer", own_id=c.id)
    c.name = name
    for key in ("notes", "contact_name", "contact_email"):
        if key in ctx.params:
            setattr(c, key, ctx.params.text(key))
    if "json" in ctx.params:
        c.json = ctx.params.json_value("json")
    apply_custom_fields(ctx, c.custom_fields, "customer")
    ctx.changed(c)
    return ctx.customer(c, include_custom_fields=True)


def _archive(ctx: Ctx, archived: bool) -> Any:
    ctx.require_manager()
    c = ctx.find(ctx.state.customers, ctx.arg())
    c.is_archived = archived
    ctx.changed(c)
    return _render(ctx, c)


@router.add("customers/close/{id}", html_on_post=True)
def close_customer(ctx: Ctx) -> Any:
    return _archive(ctx, True)


@router.add("customers/open/{id}", html_on_post=True)
def open_customer(ctx: Ctx) -> Any:
    return _archive(ctx, False)


@router.add("customers/delete/{id}", delete=True)
def delete_customer(ctx: Ctx) -> Any:
    ctx.require_manager()
    c = ctx.find(ctx.state.customers, ctx.arg())
    for p in ctx.state.projects.values():
        if p.customer_id == c.id:
            p.customer_id = None
            p.updated_at = ctx.now
    del ctx.state.customers[c.id]
    ctx.changed()
    return {}
