"""Event tags: legacy per RN, but FICUS verified them live in 2026 (§7.9)."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.trackingtime.envelope import NotFoundError, ValidationError
from ghltt.sandbox.trackingtime.router import Ctx, Router
from ghltt.sandbox.trackingtime.routes.timing import ensure_tag
from ghltt.sandbox.trackingtime.state import EventTag

router = Router()


def _tag(ctx: Ctx, tag_id: int) -> EventTag:
    return ctx.find(ctx.state.tags, tag_id)


def _apply(ctx: Ctx, tag: EventTag) -> None:
    for key in ("value", "type", "color", "notes"):
        if key in ctx.params:
            setattr(tag, key, ctx.params.text(key))


@router.add("events/tags")
def list_tags(ctx: Ctx) -> Any:
    return [ctx.event_tag(t) for t in ctx.state.tags.values() if t.account_id == ctx.account.id]


@router.add("events/tags/values")
def tag_values(ctx: Ctx) -> Any:
    name = ctx.params.required_text("name").lower()
    values = {
        str(tag["v"])
        for e in ctx.state.events.values()
        if e.account_id == ctx.account.id
        for tag in e.tags
        if str(tag.get("n", "")).lower() == name and tag.get("v") is not None
    }
    return sorted(values)


@router.add("events/tags/{id}")
def get_tag(ctx: Ctx) -> Any:
    return ctx.event_tag(_tag(ctx, ctx.arg()))


@router.add("events/tags/add")
def add_tag(ctx: Ctx) -> Any:
    name = ctx.params.required_text("name")
    if any(
        t.account_id == ctx.account.id and t.name.lower() == name.lower()
        for t in ctx.state.tags.values()
    ):
        raise ValidationError("There is already another tag with that name.")
    tag = ensure_tag(ctx, name)
    _apply(ctx, tag)
    return ctx.event_tag(tag)


@router.add("events/tags/update/{id}")
def update_tag(ctx: Ctx) -> Any:
    tag = _tag(ctx, ctx.arg())
    if "name" in ctx.params:
        tag.name = ctx.params.required_text("name")
    _apply(ctx, tag)
    return ctx.event_tag(tag)


@router.add("events/tags/delete/{id}", delete=True)
def delete_tag(ctx: Ctx) -> Any:
    tag = _tag(ctx, ctx.arg())
    for e in ctx.state.events.values():
        e.tags = [t for t in e.tags if t.get("id") != tag.id]
    del ctx.state.tags[tag.id]
    ctx.changed()
    return {}


@router.add("events/{event_id}/tags/save")
def save_event_tag(ctx: Ctx) -> Any:
    ev = ctx.find(ctx.state.events, ctx.arg("event_id"))
    name = ctx.params.required_text("name")
    tag = ensure_tag(ctx, name, ctx.params.text("color"), ctx.params.text("type"))
    entry = {
        "id": tag.id,
        "n": tag.name,
        "v": ctx.params.text("value"),
        "c": ctx.params.text("color") or tag.color,
        "t": ctx.params.text("type") or tag.type,
        "ns": None,
    }
    ev.tags = [t for t in ev.tags if t.get("id") != tag.id] + [entry]
    ctx.changed(ev)
    data = ctx.event_full(ev)
    ctx.emit("event.updated", data)
    return data


@router.add("events/{event_id}/tags/delete", delete=True)
def delete_event_tag(ctx: Ctx) -> Any:
    ev = ctx.find(ctx.state.events, ctx.arg("event_id"))
    name = ctx.params.required_text("name").lower()
    kept = [t for t in ev.tags if str(t.get("n", "")).lower() != name]
    if len(kept) == len(ev.tags):
        raise NotFoundError(ctx.config.not_found_message)
    ev.tags = kept
    ctx.changed(ev)
    data = ctx.event_full(ev)
    ctx.emit("event.updated", data)
    return data
