"""The action catalog: each action name a recipe may use, its typed inputs and scopes, and
the client call it makes. Sync runs and automation steps both call actions through here.

How each write stays idempotent: GHL contacts go through upsert; tags are set membership;
TT records carry a third-party id the sync looks up before adding; ``once`` keys guard
automation creates (tasks, notes) that have no natural key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ghltt.connectors.ghl import CATALOG as GHL_OPERATIONS
from ghltt.connectors.trackingtime import parse_datetime
from ghltt.engine.recipes import Input
from ghltt.engine.runner.context import BridgeContext
from ghltt.engine.runner.records import ghl_record, tt_record

Call = Callable[[BridgeContext, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class ActionDef:
    """One action; satisfies the recipe loader's ``ActionSpec`` protocol."""

    name: str
    call: Call
    inputs: Mapping[str, Input] | None = None
    object_type: str | None = None
    custom_fields: bool = False
    writes: bool = True

    @property
    def system(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def scopes(self) -> tuple[str, ...]:
        if self.system != "ghl":
            return ()  # TT App Passwords carry no scopes; ghltt.* actions call nothing
        return tuple(GHL_OPERATIONS[self.name.removeprefix("ghl.")].scopes)


def _i(type_: str = "any", required: bool = False) -> Input:
    return Input(type_, required)  # type: ignore[arg-type]


def _take(body: dict[str, Any], *names: str) -> list[Any]:
    return [body.pop(n, None) for n in names]


def _id(value: Any) -> int:
    return int(value)


# ---- GHL ------------------------------------------------------------------------------------


async def _ghl_contacts_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return ghl_record(await ctx.ghl.contacts.get(str(inp["contactId"])))


async def _ghl_contacts_upsert(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    result = await ctx.ghl.contacts.upsert(inp)
    return {"new": result.new, "contact": ghl_record(result.contact)}


async def _ghl_contacts_update(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    (contact_id,) = _take(inp, "contactId")
    return ghl_record(await ctx.ghl.contacts.update(str(contact_id), inp))


async def _ghl_contacts_delete(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return await ctx.ghl.contacts.delete(str(inp["contactId"]))


async def _ghl_tags_add(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    result = await ctx.ghl.tags.add(str(inp["contactId"]), list(inp["tags"]))
    return {"tags": result.tags}


async def _ghl_tags_remove(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    result = await ctx.ghl.tags.remove(str(inp["contactId"]), list(inp["tags"]))
    return {"tags": result.tags}


async def _ghl_tasks_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return ghl_record(await ctx.ghl.tasks.get(str(inp["contactId"]), str(inp["taskId"])))


async def _ghl_tasks_create(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    (contact_id,) = _take(inp, "contactId")
    return ghl_record(await ctx.ghl.tasks.create(str(contact_id), inp))


async def _ghl_tasks_update(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    contact_id, task_id = _take(inp, "contactId", "taskId")
    return ghl_record(await ctx.ghl.tasks.update(str(contact_id), str(task_id), inp))


async def _ghl_tasks_delete(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return await ctx.ghl.tasks.delete(str(inp["contactId"]), str(inp["taskId"]))


async def _ghl_notes_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return ghl_record(await ctx.ghl.notes.get(str(inp["contactId"]), str(inp["noteId"])))


async def _ghl_notes_create(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    (contact_id,) = _take(inp, "contactId")
    return ghl_record(await ctx.ghl.notes.create(str(contact_id), inp))


async def _ghl_notes_update(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    contact_id, note_id = _take(inp, "contactId", "noteId")
    return ghl_record(await ctx.ghl.notes.update(str(contact_id), str(note_id), inp))


async def _ghl_notes_delete(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return await ctx.ghl.notes.delete(str(inp["contactId"]), str(inp["noteId"]))


async def _ghl_appointments_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return ghl_record(await ctx.ghl.appointments.get(str(inp["eventId"])))


async def _ghl_appointments_create(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return ghl_record(await ctx.ghl.appointments.create(inp))


async def _ghl_appointments_update(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    (event_id,) = _take(inp, "eventId")
    return ghl_record(await ctx.ghl.appointments.update(str(event_id), inp))


async def _ghl_appointments_delete(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return await ctx.ghl.appointments.delete(str(inp["eventId"]))


# ---- TrackingTime ---------------------------------------------------------------------------


async def _tt_users_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return tt_record(await ctx.tt.users.get(_id(inp["id"])))


async def _tt_users_assigned_tasks(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    found = ctx.tt.users.assigned_tasks(_id(inp["id"]), filter=inp.get("filter"))
    return [tt_record(t, "task") async for t in found]


async def _tt_customers_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    customer = await ctx.tt.customers.get(_id(inp["id"]), include_custom_fields=True)
    return tt_record(customer, "customer")


async def _tt_customers_add(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    (name,) = _take(inp, "name")
    return tt_record(await ctx.tt.customers.add(str(name), **inp), "customer")


async def _tt_customers_update(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    (record_id,) = _take(inp, "id")
    return tt_record(await ctx.tt.customers.update(_id(record_id), **inp), "customer")


async def _tt_customers_delete(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    await ctx.tt.customers.delete(_id(inp["id"]), missing_ok=True)
    return True


async def _tt_customers_close(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return tt_record(await ctx.tt.customers.close(_id(inp["id"])), "customer")


async def _tt_customers_open(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return tt_record(await ctx.tt.customers.open(_id(inp["id"])), "customer")


async def _tt_projects_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    project = await ctx.tt.projects.get(_id(inp["id"]), include_custom_fields=True)
    return tt_record(project, "project")


async def _tt_projects_close(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return tt_record(await ctx.tt.projects.close(_id(inp["id"])), "project")


async def _tt_projects_open(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return tt_record(await ctx.tt.projects.open(_id(inp["id"])), "project")


async def _tt_tasks_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    task = await ctx.tt.tasks.get(_id(inp["id"]), include_custom_fields=True)
    return tt_record(task, "task")


async def _tt_tasks_add(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    name, project_id, users = _take(inp, "name", "project_id", "users")
    if users:
        inp["users"] = users  # already TT's [{"id": n}] shape
    project = int(project_id) if project_id is not None else None
    return tt_record(await ctx.tt.tasks.add(str(name), project_id=project, **inp), "task")


async def _tt_tasks_update(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    (record_id,) = _take(inp, "id")
    return tt_record(await ctx.tt.tasks.update(_id(record_id), **inp), "task")


async def _tt_tasks_delete(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    await ctx.tt.tasks.delete(_id(inp["id"]), missing_ok=True)
    return True


async def _tt_tasks_close(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return tt_record(await ctx.tt.tasks.close(_id(inp["id"])), "task")


async def _tt_tasks_open(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    return tt_record(await ctx.tt.tasks.open(_id(inp["id"])), "task")


async def _tt_events_get(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    entry = await ctx.tt.events.get(_id(inp["id"]), include_custom_fields=True)
    return tt_record(entry, "event")


def _day(value: Any) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value)[:10])


async def _tt_events_list(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    ident = inp.get("id")
    found = ctx.tt.events.iterate(
        filter=str(inp.get("filter") or "COMPANY"),
        id=int(ident) if ident is not None else None,
        from_=_day(inp.get("from")),
        to=_day(inp.get("to")),
    )
    return [tt_record(e, "event") async for e in found]


async def _tt_events_add(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    start, end, zone = _take(inp, "start", "end", "timezone")
    inp.pop("duration", None)  # the client derives it from start and end
    offset = str(zone) if zone else ctx.tt_timezone
    began, ended = parse_datetime(str(start), offset), parse_datetime(str(end), offset)
    entry = await ctx.tt.events.add(began, ended, zone=offset, **inp)
    return tt_record(entry, "event")


async def _tt_events_update(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    record_id, start, end, zone = _take(inp, "id", "start", "end", "timezone")
    inp.pop("duration", None)
    offset = str(zone) if zone else ctx.tt_timezone
    began = parse_datetime(str(start), offset) if start else None
    ended = parse_datetime(str(end), offset) if end else None
    entry = await ctx.tt.events.update(_id(record_id), start=began, end=ended, zone=offset, **inp)
    return tt_record(entry, "event")


async def _tt_events_delete(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    await ctx.tt.events.delete(_id(inp["id"]), missing_ok=True)
    return True


# ---- ghltt ----------------------------------------------------------------------------------


async def _links_find(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    """The link of a record of either side under a sync recipe, or None."""
    recipe = str(inp["recipe"])
    ghl_type, tt_type = ctx.sync_types.get(recipe, (inp.get("ghl_type"), inp.get("tt_type")))
    if ghl_type is None or tt_type is None:
        return None
    links = ctx.repos.links
    if inp.get("ghl_id") not in (None, ""):
        found = links.by_ghl(ctx.bridge_id, ghl_type, str(inp["ghl_id"]), tt_type)
    elif inp.get("tt_id") not in (None, ""):
        found = links.by_tt(ctx.bridge_id, tt_type, str(inp["tt_id"]), ghl_type)
    else:
        return None
    if found is None:
        return None
    out = {"recipe": recipe, **found.as_dict()}
    if found.tt_id.isdigit():
        out["tt_id"] = int(found.tt_id)  # TT ids are integers; the store keeps text
    return out


# ---- the catalog ----------------------------------------------------------------------------

S, I_, B, A = "string", "integer", "boolean", "array"
_CONTACT_FIELDS = (
    "firstName", "lastName", "name", "email", "phone", "address1", "city", "state",
    "postalCode", "country", "website", "timezone", "companyName", "dateOfBirth", "source",
    "assignedTo",
)  # fmt: skip
_CONTACT = {k: _i(S) for k in _CONTACT_FIELDS}
_GHL_TASK = {
    "contactId": _i(S, True),
    "title": _i(S, True),
    "body": _i(S),
    "dueDate": _i(S, True),
    "completed": _i(B, True),
    "assignedTo": _i(S),
}
_TT_TASK = {
    "name": _i(S, True),
    "description": _i(S),
    "project_id": _i(I_),
    "project_name": _i(S),
    "due_date": _i(S),
    "users": _i(A),
    "type": _i(S),
    "json": _i(S),
}


def _defs() -> list[ActionDef]:
    d = ActionDef
    return [
        d("ghl.contacts.get", _ghl_contacts_get, {"contactId": _i(S, True)}, writes=False),
        d(
            "ghl.contacts.upsert",
            _ghl_contacts_upsert,
            {"tags": _i(A), "dnd": _i(B), **_CONTACT},
            "ghl.contact",
            True,
        ),
        d(
            "ghl.contacts.update",
            _ghl_contacts_update,
            {"contactId": _i(S, True), "tags": _i(A), **_CONTACT},
            "ghl.contact",
            True,
        ),
        d("ghl.contacts.delete", _ghl_contacts_delete, {"contactId": _i(S, True)}),
        d("ghl.tags.add", _ghl_tags_add, {"contactId": _i(S, True), "tags": _i(A, True)}),
        d("ghl.tags.remove", _ghl_tags_remove, {"contactId": _i(S, True), "tags": _i(A, True)}),
        d(
            "ghl.tasks.get",
            _ghl_tasks_get,
            {"contactId": _i(S, True), "taskId": _i(S, True)},
            writes=False,
        ),
        d("ghl.tasks.create", _ghl_tasks_create, _GHL_TASK, "ghl.task"),
        d("ghl.tasks.update", _ghl_tasks_update, {"taskId": _i(S, True), **_GHL_TASK}, "ghl.task"),
        d("ghl.tasks.delete", _ghl_tasks_delete, {"contactId": _i(S, True), "taskId": _i(S, True)}),
        d(
            "ghl.notes.get",
            _ghl_notes_get,
            {"contactId": _i(S, True), "noteId": _i(S, True)},
            writes=False,
        ),
        d(
            "ghl.notes.create",
            _ghl_notes_create,
            {"contactId": _i(S, True), "body": _i(S, True), "userId": _i(S)},
            "ghl.note",
        ),
        d(
            "ghl.notes.update",
            _ghl_notes_update,
            {"contactId": _i(S, True), "noteId": _i(S), "body": _i(S)},
            "ghl.note",
        ),
        d("ghl.notes.delete", _ghl_notes_delete, {"contactId": _i(S, True), "noteId": _i(S, True)}),
        d("ghl.appointments.get", _ghl_appointments_get, {"eventId": _i(S, True)}, writes=False),
        d("ghl.appointments.create", _ghl_appointments_create, None, "ghl.appointment"),
        d("ghl.appointments.update", _ghl_appointments_update, None, "ghl.appointment"),
        d("ghl.appointments.delete", _ghl_appointments_delete, {"eventId": _i(S, True)}),
        d("tt.users.get", _tt_users_get, {"id": _i(I_, True)}, writes=False),
        d(
            "tt.users.assigned_tasks",
            _tt_users_assigned_tasks,
            {"id": _i(I_, True), "filter": _i(S)},
            writes=False,
        ),
        d("tt.customers.get", _tt_customers_get, {"id": _i(I_, True)}, writes=False),
        d("tt.customers.add", _tt_customers_add, None, "tt.customer", True),
        d("tt.customers.update", _tt_customers_update, None, "tt.customer", True),
        d("tt.customers.delete", _tt_customers_delete, {"id": _i(I_, True)}),
        d("tt.customers.close", _tt_customers_close, {"id": _i(I_, True)}),
        d("tt.customers.open", _tt_customers_open, {"id": _i(I_, True)}),
        d("tt.projects.get", _tt_projects_get, {"id": _i(I_, True)}, writes=False),
        d("tt.projects.close", _tt_projects_close, {"id": _i(I_, True)}),
        d("tt.projects.open", _tt_projects_open, {"id": _i(I_, True)}),
        d("tt.tasks.get", _tt_tasks_get, {"id": _i(I_, True)}, writes=False),
        d("tt.tasks.add", _tt_tasks_add, _TT_TASK, "tt.task", True),
        d("tt.tasks.update", _tt_tasks_update, None, "tt.task", True),
        d("tt.tasks.delete", _tt_tasks_delete, {"id": _i(I_, True)}),
        d("tt.tasks.close", _tt_tasks_close, {"id": _i(I_, True)}),
        d("tt.tasks.open", _tt_tasks_open, {"id": _i(I_, True)}),
        d("tt.events.get", _tt_events_get, {"id": _i(I_, True)}, writes=False),
        d(
            "tt.events.list",
            _tt_events_list,
            {"filter": _i(S, True), "id": _i(I_), "from": _i(S), "to": _i(S)},
            writes=False,
        ),
        d("tt.events.add", _tt_events_add, None, "tt.event", True),
        d("tt.events.update", _tt_events_update, None, "tt.event", True),
        d("tt.events.delete", _tt_events_delete, {"id": _i(I_, True)}),
        d(
            "ghltt.links.find",
            _links_find,
            {
                "recipe": _i(S, True),
                "ghl_type": _i(S),
                "ghl_id": _i(),
                "tt_type": _i(S),
                "tt_id": _i(),
            },
            writes=False,
        ),
    ]


ACTIONS: dict[str, ActionDef] = {a.name: a for a in _defs()}


def action_catalog() -> dict[str, ActionDef]:
    """The catalog in the shape the recipe loader takes (``ActionCatalog``)."""
    return dict(ACTIONS)


async def call_action(ctx: BridgeContext, name: str, inp: Mapping[str, Any]) -> Any:
    """Run one action; its input is copied (actions pop routing fields from it)."""
    return await ACTIONS[name].call(ctx, dict(inp))


def register_action(action: ActionDef) -> None:
    """Add an action to the catalog, for recipes to use: what a plugin module (the ``plugins``
    setting) does when it is imported, before any recipe is loaded."""
    ACTIONS[action.name] = action
