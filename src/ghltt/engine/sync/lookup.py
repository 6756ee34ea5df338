"""Reading and finding records of a sync's object types on either side, through the catalog."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from ghltt.connectors.http import NotFound
from ghltt.connectors.trackingtime import CUSTOMER_LIST_CAP, TimeEntry
from ghltt.engine.catalog import call_action, tt_record
from ghltt.engine.context import BridgeContext
from ghltt.engine.objects import OBJECTS, as_read
from ghltt.engine.recipes import SyncRecipe
from ghltt.store.once import KEY_LENGTH


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


# Called before TT is asked for a customer by name (the probe may make one); None: the
# caller only plans, and must write nothing.
BeforeProbe = Callable[[], Awaitable[None]]


async def by_third_party(
    ctx: BridgeContext,
    tt_type: str,
    ghl_id: str,
    record: Mapping[str, Any] | None = None,
    before_probe: BeforeProbe | None = None,
) -> dict[str, Any] | None:
    """The TT record a retried add already made for this GHL record (``record``), if any.
    Past TT's customer list cap, found by a name an add was sent under, through TT's name
    probe: only when ``before_probe`` is given (it claims the record: see ``claims``)."""
    if tt_type == "customer":
        slug = f"{OBJECTS['tt.customer'].third_party}_THIRD_PARTY_ID"
        added = _added_names(ctx, ghl_id)
        if added:
            # An add was sent for this record, maybe by another process a moment ago: a list
            # this process read before it would not hold what it made.
            ctx.listings.forget("tt.customer")
        customers = await tt_customers(ctx)
        found_listed = next((c for c in customers if custom_value(c, slug) == ghl_id), None)
        if found_listed is not None or len(customers) < CUSTOMER_LIST_CAP:
            return found_listed
        if before_probe is None or not added:
            return None  # a plan cannot ask without writing: it plans the add
        await before_probe()
        return await _by_added_name(ctx, ghl_id, added)  # past what TT lists
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


# TT's answer to a customer add whose name another customer has (names are unique).
NAME_TAKEN = "already another customer with that name"
_NAME_PROBE = "ghltt: customer name lookup (safe to delete)"
# The names customer adds were sent under, per GHL record: a once key each.
_ADDS = "tt.customer.add"


async def note_customer_add(ctx: BridgeContext, ghl_id: str, name: str) -> None:
    """Remember, before sending it, that an add of a customer for ``ghl_id`` goes out under
    ``name``: if its answer is lost, that name is how a retry finds what it made. Committed
    off the event loop (a commit waits for the disk)."""
    key = f"{ghl_id}:{name}"
    if len(key) <= KEY_LENGTH:  # a longer one would be cut, and its name with it
        await asyncio.to_thread(ctx.repos.once.claim, ctx.bridge_id, _ADDS, key, ctx.run_id)


async def tt_customer_named(
    ctx: BridgeContext, name: str, *, taken: bool = False
) -> dict[str, Any] | None:
    """The customer TT holds under ``name`` (names are unique, compared case-insensitively):
    an add of ours whose answer was lost, or one made by hand. ``taken``: TT said it exists.

    A fresh list finds it, unless the account has more customers than TT lists. Then TT finds
    it by name: a project added with ``customer_name`` is given the customer of that name
    (documented: found case-insensitively, made when missing) and deleted straight away. If
    the name turns out free, the probe makes the customer, bare, under the name an add of
    ours was sent with: the caller takes it over as that add's.
    """
    ctx.listings.forget("tt.customer")
    wanted = name.strip().casefold()
    listed = await tt_customers(ctx)
    for customer in listed:
        if str(customer.get("name") or "").strip().casefold() == wanted:
            return customer
    if len(listed) < CUSTOMER_LIST_CAP and not taken:
        return None  # the whole account was listed: no customer has that name
    probe = await ctx.tt.projects.add(_NAME_PROBE, customer_name=name)
    await ctx.tt.projects.delete(probe.id, missing_ok=True, delete_all=False)
    if probe.customer is None:
        return None
    found = await ctx.tt.customers.get(probe.customer.id, include_custom_fields=True)
    return tt_record(found, "customer")


def may_take_over(customer: Mapping[str, Any], ghl_id: str) -> bool:
    """A customer found by name is this GHL record's, or nobody's (made by hand, or bare)."""
    owner = custom_value(customer, f"{OBJECTS['tt.customer'].third_party}_THIRD_PARTY_ID")
    return owner in (None, "", ghl_id)


def _added_names(ctx: BridgeContext, ghl_id: str) -> list[str]:
    """The names adds of a customer for ``ghl_id`` were sent under, oldest first."""
    prefix = f"{ghl_id}:"
    return [key[len(prefix) :] for key in ctx.repos.once.keys(ctx.bridge_id, _ADDS, prefix)]


async def _by_added_name(
    ctx: BridgeContext, ghl_id: str, added: list[str]
) -> dict[str, Any] | None:
    """The customer an earlier add for ``ghl_id`` made, found by a name it was sent under.

    Newest first: an add is sent only when the lookups found none made before it, so if any
    committed, it is the last one sent. Asking TT for a free name makes a bare customer under
    it (``tt_customer_named``), taken over as that add's: asked for an older name first, TT
    would make one beside the customer the last add made."""
    for name in reversed(added):
        found = await tt_customer_named(ctx, name)
        if found is not None and may_take_over(found, ghl_id):
            return found
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


__all__ = [
    "NAME_TAKEN",
    "BeforeProbe",
    "as_read",
    "by_match_keys",
    "by_third_party",
    "custom_value",
    "fetch",
    "may_take_over",
    "note_customer_add",
    "tt_customer_named",
    "tt_customers",
]
