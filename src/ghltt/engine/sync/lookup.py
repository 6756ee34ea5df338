"""Reading and finding records of a sync's object types on either side, through the catalog."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ghltt.connectors.http import NotFound
from ghltt.connectors.trackingtime import TimeEntry
from ghltt.engine.catalog import call_action, tt_record
from ghltt.engine.context import BridgeContext
from ghltt.engine.objects import OBJECTS, as_read
from ghltt.engine.recipes import SyncRecipe


async def fetch(
    ctx: BridgeContext, recipe: SyncRecipe, system: str, record_id: str, contact_id: Any = None
) -> dict[str, Any]:
    """The current state of one record; ``NotFound`` when it is gone."""
    obj = recipe.objects(system)  # type: ignore[arg-type]
    if obj.parent_key and not contact_id:
        raise NotFound(f"{obj.type} {record_id}: its contact is not known")
    found = await call_action(ctx, obj.get, obj.address(record_id, str(contact_id)))
    if not isinstance(found, dict):
        raise NotFound(f"{obj.type} {record_id}")
    return found


async def by_third_party(
    ctx: BridgeContext, tt_type: str, ghl_id: str, record: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The TT record a retried add already made for this GHL record (``record``), if any."""
    if tt_type == "customer":
        slug = f"{OBJECTS['tt.customer'].third_party}_THIRD_PARTY_ID"
        customers = await tt_customers(ctx)
        return next((c for c in customers if custom_value(c, slug) == ghl_id), None)
    found: Any
    if tt_type == "project":
        found = await ctx.tt.projects.find_by_third_party_id(ghl_id)
    elif tt_type == "task":
        found = await ctx.tt.tasks.find_by_third_party_id(ghl_id)
    elif tt_type == "event":
        found = await _entry_by_third_party(ctx, ghl_id, (record or {}).get("startTime"))
    else:
        return None
    return None if found is None else tt_record(found, tt_type)


async def _entry_by_third_party(ctx: BridgeContext, ghl_id: str, start: Any) -> TimeEntry | None:
    """The time entry made for an appointment starts when it does, and TT lists entries by
    start day: the days around that start are read, not the account's whole history."""
    when = _instant(start)
    field = await ctx.tt.custom_fields.by_slug(f"{OBJECTS['tt.event'].third_party}_THIRD_PARTY_ID")
    if when is None or field is None:
        return None
    found = await ctx.tt.events.find_by_third_party_id(field.id, ghl_id, around=when)
    return None if found is None else await ctx.tt.events.get(found, include_custom_fields=True)


def _instant(value: Any) -> datetime | None:
    """GHL's ``startTime``: ISO 8601 or ``YYYY-MM-DD HH:mm:ss``; naive is close enough here."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


async def tt_customers(ctx: BridgeContext) -> list[dict[str, Any]]:
    """Every customer of the account with its custom fields, shared by the bridge's runs for
    a moment (``listings.py``: TT has no lookup by email or custom field)."""

    async def load() -> list[dict[str, Any]]:
        listed = await ctx.tt.customers.list(filter="ALL", include_custom_fields=True)
        return [tt_record(c, "customer") for c in listed]

    return await ctx.listings.get("tt.customer", load)


def custom_value(record: Mapping[str, Any], slug: str) -> Any:
    for item in record.get("custom_fields") or ():
        if isinstance(item, Mapping) and str(item.get("slug") or "").upper() == slug:
            return item.get("value")
    return None


def _matches(record: Mapping[str, Any], pairs: list[tuple[str, Any]]) -> bool:
    for field, value in pairs:
        held = record.get(field)
        if isinstance(held, str):
            held = held.strip().casefold()
        if held != value:
            return False
    return True


async def by_match_keys(
    ctx: BridgeContext,
    recipe: SyncRecipe,
    system: str,
    record: Mapping[str, Any],
    parent: Mapping[str, Any] | None,
) -> dict[str, Any] | None:
    """A record on the other side with the same match-key values, within the same parent."""
    pairs = recipe.match_candidates(system, record)  # type: ignore[arg-type]
    if not pairs:
        return None
    target = recipe.objects("tt" if system == "ghl" else "ghl")
    candidates: list[dict[str, Any]] = []
    if target.type == "tt.customer":
        candidates = await tt_customers(ctx)
    elif target.type == "tt.task" and parent:
        customer = parent.get("tt", {}).get("id")
        listed_tasks = await ctx.tt.tasks.list(filter="ALL")
        candidates = [tt_record(t, "task") for t in listed_tasks if t.customer_id == customer]
    elif target.type == "ghl.task" and parent:
        contact = str(parent.get("ghl", {}).get("id"))
        candidates = [
            {**t.model_dump(mode="json", by_alias=True), "contactId": contact}
            for t in await ctx.ghl.tasks.list_for(contact)
        ]
    # GHL contacts need no search: their create is an upsert on the location's duplicate rule.
    return next((c for c in candidates if _matches(c, pairs)), None)


__all__ = ["as_read", "by_match_keys", "by_third_party", "custom_value", "fetch", "tt_customers"]
