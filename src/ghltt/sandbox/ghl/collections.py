"""Generic records of the breadth resources (opportunities, custom values, location tags,
conversations, custom objects...): one ``Kind`` says where a record lives, how its answers are
keyed, what its body may hold and which webhooks its changes send; the handlers here serve
list, get, create, update and delete from that alone. Routes add only what differs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Handler, Result
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.state import Location, Record

__all__ = ["Kind", "create", "delete", "get", "listing", "update"]


@dataclass(frozen=True)
class Kind:
    """``table``: where records live (``SimState.tables``); ``one``/``many``: the keys a single
    record and a list are answered under (``""``: the record itself); ``id_param``: the path
    parameter naming a record; ``location``: where a request names its location (``query``,
    ``body``, ``path`` or ``token``); ``event``: the webhook prefix (``Opportunity`` sends
    OpportunityCreate, OpportunityUpdate, OpportunityDelete)."""

    table: str
    one: str
    many: str
    fields: validation.Fields
    required: tuple[str, ...] = ()
    id_param: str = "id"
    location: str = "query"
    event: str | None = None
    id_kind: str = "alnum"
    deleted: Mapping[str, Any] = field(default_factory=lambda: {"succeded": True})
    created_status: int = 201
    parent: str | None = None  # a path parameter every record of this kind is filed under
    view: Callable[[Record], Record] = views.public
    webhook: Callable[[Record], Record] | None = None


def location_of(ctx: Ctx, kind: Kind) -> Location:
    """The location a request names; a GET names it in the query even when writes name it in
    the body."""
    if kind.location == "path":
        return ctx.location(ctx.params.get("locationId"))
    if kind.location == "body" and ctx.request.method not in ("GET", "DELETE"):
        body = ctx.body if isinstance(ctx.body, dict) else {}
        return ctx.location(body.get("locationId"))
    if kind.location in ("query", "body"):
        return ctx.location(ctx.query.get("locationId"))
    return ctx.home()


def rows(ctx: Ctx, kind: Kind, location: Location) -> list[Record]:
    table = ctx.sim.state.tables[kind.table]
    parent = ctx.params.get(kind.parent) if kind.parent else None
    return [
        r
        for r in table.values()
        if r.get("locationId") == location.id and (parent is None or r.get("_parent") == parent)
    ]


def find(ctx: Ctx, kind: Kind, record_id: str | None = None) -> Record:
    wanted = record_id or ctx.params[kind.id_param]
    record = ctx.sim.state.tables[kind.table].get(wanted)
    if record is None or (kind.parent and record.get("_parent") != ctx.params.get(kind.parent)):
        raise ApiError(404 if kind.location == "path" else 400, f"{kind.one or 'Record'} not found")
    ctx.own_location(record["locationId"])
    return record


def answer(kind: Kind, record: Record, **extra: Any) -> Record:
    shown = kind.view(record)
    return {**(shown if not kind.one else {kind.one: shown}), **extra}


def emit(ctx: Ctx, kind: Kind, change: str, record: Record) -> None:
    if kind.event is None:
        return
    shape = kind.webhook or views.public
    ctx.emit(f"{kind.event}{change}", record["locationId"], shape(record))


def new_id(ctx: Ctx, kind: Kind) -> str:
    ids = ctx.sim.ids
    return {"hex24": ids.hex24, "uuid": ids.uuid}.get(kind.id_kind, ids.alnum)()


def insert(ctx: Ctx, kind: Kind, location: Location, data: Record) -> Record:
    now = ctx.now()
    record: Record = {
        "id": new_id(ctx, kind),
        **{k: v for k, v in data.items() if v is not None},
        "locationId": location.id,
        "dateAdded": now,
        "dateUpdated": now,
    }
    if kind.parent:
        record["_parent"] = ctx.params[kind.parent]
    ctx.sim.state.tables[kind.table][record["id"]] = record
    emit(ctx, kind, "Create", record)
    return record


def listing(kind: Kind, *filters: str) -> Handler:
    """``filters``: query parameters that must equal the record's field of the same name."""

    def handler(ctx: Ctx) -> Result:
        found = rows(ctx, kind, location_of(ctx, kind))
        for name in filters:
            if ctx.query.get(name):
                found = [r for r in found if str(r.get(name)) == ctx.query[name]]
        shown = [kind.view(r) for r in found]
        return 200, {kind.many: shown, "total": len(shown)}

    return handler


def get(kind: Kind) -> Handler:
    def handler(ctx: Ctx) -> Result:
        if kind.location == "path":
            location_of(ctx, kind)
        return 200, answer(kind, find(ctx, kind))

    return handler


def create(kind: Kind) -> Handler:
    def handler(ctx: Ctx) -> Result:
        location = location_of(ctx, kind)
        data = validation.check(ctx.body, kind.fields, kind.required)
        data.pop("locationId", None)
        return kind.created_status, answer(kind, insert(ctx, kind, location, data))

    return handler


def update(kind: Kind) -> Handler:
    optional = {k: v if v.endswith("?") else f"{v}?" for k, v in kind.fields.items()}

    def handler(ctx: Ctx) -> Result:
        if kind.location == "path":
            location_of(ctx, kind)
        record = find(ctx, kind)
        data = validation.check(ctx.body, optional)
        data.pop("locationId", None)
        record.update({k: v for k, v in data.items() if v is not None})
        record["dateUpdated"] = ctx.now()
        emit(ctx, kind, "Update", record)
        return 200, answer(kind, record)

    return handler


def delete(kind: Kind) -> Handler:
    def handler(ctx: Ctx) -> Result:
        if kind.location == "path":
            location_of(ctx, kind)
        record = find(ctx, kind)
        del ctx.sim.state.tables[kind.table][record["id"]]
        emit(ctx, kind, "Delete", record)
        return 200, dict(kind.deleted)

    return handler
