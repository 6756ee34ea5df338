"""``/services`` (work categories); the object shape is [INFERRED], modelled on the customer."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.common import archive_filter, check_unique
from ghltt.sandbox.trackingtime.state import Service

router = Router()


def _render(ctx: Ctx, s: Service) -> Any:
    return ctx.service(s, include_billing=ctx.params.flag("include_billing"))


@router.add("services")
def list_services(ctx: Ctx) -> Any:
    mine = [s for s in ctx.state.services.values() if s.account_id == ctx.account.id]
    return [_render(ctx, s) for s in archive_filter(ctx, mine)][:300]


@router.add("services/{id}")
def get_service(ctx: Ctx) -> Any:
    return _render(ctx, ctx.find(ctx.state.services, ctx.arg()))


@router.add("services/add")
def add_service(ctx: Ctx) -> Any:
    ctx.require_manager()
    name = ctx.params.required_text("name")
    check_unique(ctx, ctx.state.services.values(), name, "service")
    s = Service(
        id=ctx.state.next_id("service"),
        account_id=ctx.account.id,
        name=name,
        created_at=ctx.now,
        notes=ctx.params.text("notes"),
        hourly_rate=ctx.params.number("hourly_rate"),
        hourly_cost=ctx.params.number("hourly_cost"),
    )
    ctx.state.services[s.id] = s
    ctx.changed()
    return _render(ctx, s)


@router.add("services/update/{id}")
def update_service(ctx: Ctx) -> Any:
    ctx.require_manager()
    s = ctx.find(ctx.state.services, ctx.arg())
    if "name" in ctx.params:
        name = ctx.params.required_text("name")
        check_unique(ctx, ctx.state.services.values(), name, "service", own_id=s.id)
        s.name = name
    if "notes" in ctx.params:
        s.notes = ctx.params.text("notes")
    if "is_archived" in ctx.params:
        s.is_archived = ctx.params.flag("is_archived")
    for key in ("hourly_rate", "hourly_cost"):
        if key in ctx.params:
            setattr(s, key, ctx.params.number(key))
    ctx.changed(s)
    return _render(ctx, s)


def _archive(ctx: Ctx, archived: bool) -> Any:
    ctx.require_manager()
    s = ctx.find(ctx.state.services, ctx.arg())
    s.is_archived = archived
    ctx.changed(s)
    return _render(ctx, s)


@router.add("services/close/{id}")
def close_service(ctx: Ctx) -> Any:
    return _archive(ctx, True)


@router.add("services/open/{id}")
def open_service(ctx: Ctx) -> Any:
    return _archive(ctx, False)


@router.add("services/delete/{id}", delete=True)
def delete_service(ctx: Ctx) -> Any:
    ctx.require_manager()
    s = ctx.find(ctx.state.services, ctx.arg())
    # Deleting a service clears it on projects (RN v3.3) and tasks.
    for p in ctx.state.projects.values():
        if p.service_id == s.id:
            p.service_id = None
    for t in ctx.state.tasks.values():
        if t.service_id == s.id:
            t.service_id = None
    del ctx.state.services[s.id]
    ctx.changed()
    return {}
