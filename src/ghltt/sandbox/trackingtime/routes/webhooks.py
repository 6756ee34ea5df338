"""``/webhooks``: outgoing hooks on time entries, tasks and projects (§7.11)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlparse

from ghltt.sandbox.trackingtime.envelope import ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.state import Webhook

router = Router()


def new_token() -> str:
    return secrets.token_hex(20)


def _hook(ctx: Ctx) -> Webhook:
    return ctx.find(ctx.state.webhooks, ctx.arg())


@router.add("webhooks")
def list_hooks(ctx: Ctx) -> Any:
    wanted = (ctx.params.text("filter") or "ALL").upper()
    hooks = [h for h in ctx.state.webhooks.values() if h.account_id == ctx.account.id]
    if wanted in ("ENABLED", "DISABLED"):
        hooks = [h for h in hooks if h.status == wanted]
    elif wanted not in ("ALL", "ACTIVE"):
        raise ValidationError(f"Invalid filter: {wanted}")
    return [ctx.webhook(h) for h in hooks]


@router.add("webhooks/add")
def add_hook(ctx: Ctx) -> Any:
    url = ctx.params.required_text("url")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError("Invalid url")
    raw = ctx.params.raw("events")
    names = raw if isinstance(raw, list) else str(raw or "").split(",")
    events = [str(n).strip() for n in names if str(n).strip()]
    if not events:
        raise ValidationError("The parameter 'events' is required")
    if ctx.config.webhook_reject_unknown_events:
        unknown = [e for e in events if e not in ctx.config.webhook_events]
        if unknown:
            raise ValidationError(f"Invalid event: {', '.join(unknown)}")
    hook = Webhook(
        id=ctx.state.next_id("webhook"),
        account_id=ctx.account.id,
        user_id=ctx.viewer.id,
        url=url,
        events=events,
        token=new_token(),
        created_at=ctx.now,
        grouped=ctx.params.flag("grouped"),
        description=ctx.params.text("description"),
        service=ctx.params.text("service"),
    )
    ctx.state.webhooks[hook.id] = hook
    # N8N reads {"id", "secret"} back from add.
    return {"id": hook.id, "secret": hook.token}


@router.add("webhooks/{id}", delete=True)
def get_hook(ctx: Ctx) -> Any:
    # FICUS deletes with DELETE /webhooks/:id.
    if ctx.method == "DELETE":
        return _delete(ctx)
    return ctx.webhook(_hook(ctx))


def _delete(ctx: Ctx) -> Any:
    hook = _hook(ctx)
    del ctx.state.webhooks[hook.id]
    return {}


@router.add("webhooks/{id}/delete", delete=True)
def delete_hook(ctx: Ctx) -> Any:
    return _delete(ctx)


@router.add("webhooks/delete/{id}", delete=True)
def delete_hook_alt(ctx: Ctx) -> Any:
    return _delete(ctx)


def _status(ctx: Ctx, status: str) -> Any:
    hook = _hook(ctx)
    hook.status = status
    hook.updated_at = ctx.now
    return ctx.webhook(hook)


@router.add("webhooks/enable/{id}")
def enable(ctx: Ctx) -> Any:
    return _status(ctx, "ENABLED")


@router.add("webhooks/disable/{id}")
def disable(ctx: Ctx) -> Any:
    return _status(ctx, "DISABLED")


@router.add("webhooks/reset_token/{id}")
def reset_token(ctx: Ctx) -> Any:
    hook = _hook(ctx)
    hook.token = new_token()
    hook.updated_at = ctx.now
    return {"id": hook.id, "token": hook.token, "secret": hook.token}
