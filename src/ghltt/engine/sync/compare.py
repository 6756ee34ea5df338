"""Comparing a mapped value with what a record holds, tolerant of harmless differences:
empty and absent are the same, ISO date-times compare as instants, 3.0 equals 3."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ghltt.engine.mapping import MappingContext, canonical_json
from ghltt.engine.mapping.paths import CUSTOM_PREFIX, parse_path, read_custom


def current_value(
    record: Mapping[str, Any], field: str, context: MappingContext, object_type: str
) -> Any:
    """The value a record holds for a mapping target (``custom:<key>`` or a dotted name)."""
    if field.startswith(CUSTOM_PREFIX):
        return read_custom(record, field[len(CUSTOM_PREFIX) :], context, object_type)
    return parse_path(field).read(record, context, object_type)


def _instant(value: str) -> datetime | None:
    if len(value) < 16 or value[4] != "-" or value[10] not in "T ":
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def same(wanted: Any, held: Any) -> bool:
    if wanted in (None, "", []) and held in (None, "", []):
        return True
    if isinstance(wanted, str) and isinstance(held, str):
        a, b = _instant(wanted), _instant(held)
        if a is not None and b is not None:
            return a == b
    if isinstance(wanted, int | float) and isinstance(held, str):
        try:
            return float(wanted) == float(held)
        except ValueError:
            return False
    if isinstance(wanted, str) and isinstance(held, int | float) and not isinstance(held, bool):
        return wanted == str(held) or same(held, wanted)
    return canonical_json(wanted) == canonical_json(held)
