"""What the generic adapter cannot build from a declaration alone.

TrackingTime time entries take their times as wall clocks in one zone: their calls read the
step's times in the bridge's TT zone (or the zone the step names), which only the run knows;
``tt_actions.py`` gives them to the adapter, which describes them from their declarations.
``ghltt.links.find`` is ghltt's own step and reads the store, not an API.
"""

from __future__ import annotations

from typing import Any

from ghltt.connectors.trackingtime import parse_datetime
from ghltt.engine.catalog.records import tt_record
from ghltt.engine.catalog.spec import ActionDef
from ghltt.engine.context import BridgeContext
from ghltt.engine.recipes import Input

__all__ = ["COMPOSED", "tt_events_add", "tt_events_update"]


def _take(body: dict[str, Any], *names: str) -> list[Any]:
    return [body.pop(n, None) for n in names]


async def tt_events_add(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    start, end, zone = _take(inp, "start", "end", "timezone")
    inp.pop("duration", None)  # the client derives it from start and end
    offset = str(zone) if zone else ctx.tt_timezone
    began, ended = parse_datetime(str(start), offset), parse_datetime(str(end), offset)
    entry = await ctx.tt.events.add(began, ended, zone=offset, **inp)
    return tt_record(entry, "event")


async def tt_events_update(ctx: BridgeContext, inp: dict[str, Any]) -> Any:
    record_id, start, end, zone = _take(inp, "id", "start", "end", "timezone")
    inp.pop("duration", None)
    offset = str(zone) if zone else ctx.tt_timezone
    began = parse_datetime(str(start), offset) if start else None
    ended = parse_datetime(str(end), offset) if end else None
    entry = await ctx.tt.events.update(int(record_id), start=began, end=ended, zone=offset, **inp)
    return tt_record(entry, "event")


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


COMPOSED = (
    ActionDef(
        "ghltt.links.find",
        _links_find,
        {
            "recipe": Input("string", True),
            "ghl_type": Input("string"),
            "ghl_id": Input(),
            "tt_type": Input("string"),
            "tt_id": Input(),
        },
        writes=False,
        description="The link of a record under a sync recipe, from either side's id.",
        example={"recipe": "contacts", "ghl_id": "pDQ8WbNhxnmFOGvVKAcL"},
        output_schema={"type": ["object", "null"], "additionalProperties": True},
        idempotence="safe",
        idempotent_how="a read of ghltt's own store",
    ),
)
