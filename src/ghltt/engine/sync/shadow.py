"""What shadow plans show beyond the writes of the leg: the write-back a live run would make
once the target answers (the id of a created record, written to the source), and, on every
write, a custom field the account lacks (a live run fails on it, and becomes a dead letter).

A shadow run plans past a missing field instead of failing (``ghltt.engine.missing``).
"""

from __future__ import annotations

from typing import Any

from ghltt.engine import missing
from ghltt.engine.mapping import CompiledMapping, CustomFieldResolver, MappedRecord
from ghltt.engine.objects import ObjectType
from ghltt.engine.report import Write
from ghltt.engine.sync.compare import current_value, same
from ghltt.engine.sync.state import SyncRun
from ghltt.engine.sync.writes import PlannedWrite


def planning_resolver(run: SyncRun) -> CustomFieldResolver:
    return missing.planning_resolver(run.ctx.resolver, run.ctx.writes)


def reported(run: SyncRun, write: PlannedWrite, object_id: str | None) -> Write:
    """A planned remote write as the report lists it, flagged when it would fail."""
    obj = write.object_type
    assert write.action is not None
    flagged = missing.problem(obj.system, obj.name, write.body, run.ctx.bridge_id)
    return Write(obj.system, write.action, obj.name, object_id, write.fields(), flagged)


def write_back(
    run: SyncRun, source: str, record: dict[str, Any], target: ObjectType, target_id: str | None
) -> Write | None:
    """The write-back a live run makes after the leg: the fields of the reverse mapping that
    the target's id decides (the TT customer id on the GHL contact), when the source does
    not hold them yet. ``target_id`` None: the target is created by the leg."""
    obj = run.objects(source)
    mapping: CompiledMapping | None = run.recipe.mapping_from(target.system)  # type: ignore[arg-type]
    if mapping is None or obj.update is None:
        return None
    values: dict[str, Any] = {}
    ids: dict[str, str] = {}
    for rule in mapping.rules:
        if "id" not in rule.reads:
            continue
        value = f"(the id of the new {target.name})" if target_id is None else target_id
        if target_id is not None and same(
            value, current_value(record, rule.target, run.mctx, obj.type)
        ):
            continue
        values[rule.target] = value
        key = rule.custom_key
        if key is not None:
            ids[key] = run.mctx.custom_field_id(obj.type, key) or missing.MISSING + key
    if not values:
        return None
    body = MappedRecord(values, {}, ids, {}, obj.type).payload()
    flagged = missing.problem(obj.system, obj.name, body, run.ctx.bridge_id)
    return Write(obj.system, obj.update, obj.name, str(record.get("id")), body, flagged)


__all__ = ["planning_resolver", "reported", "write_back"]
