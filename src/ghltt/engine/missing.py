"""Custom fields an account lacks, in shadow runs: a shadow run plans past a missing field
instead of failing on it. Its key resolves to a placeholder id (``MissingFieldResolver``), and
the planned write that carries it is flagged with the field and the command that creates it,
where a live run would fail on it (and end as a dead letter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ghltt.engine.mapping import CustomFieldResolver

MISSING = "missing:"  # the placeholder id of a custom field the account lacks


@dataclass
class MissingFieldResolver:
    """Resolves as ``inner`` does; a key it does not know becomes ``missing:<key>``."""

    inner: CustomFieldResolver
    missing: set[tuple[str, str]] = field(default_factory=set)

    def resolve_custom_field(self, object_type: str, key: str) -> str | None:
        found = self.inner.resolve_custom_field(object_type, key)
        if found is None:
            self.missing.add((object_type, key))
            return MISSING + key
        return found


def planning_resolver(resolver: CustomFieldResolver, writes: bool) -> CustomFieldResolver:
    """The resolver a run maps with: a missing field fails a live run, is flagged in shadow."""
    return resolver if writes else MissingFieldResolver(resolver)


def missing_in(body: dict[str, Any]) -> list[str]:
    """The keys of the custom fields in a request body that the account lacks."""
    found = []
    for name in ("customFields", "custom_fields"):
        items = body.get(name)
        for item in items if isinstance(items, list) else []:
            field_id = str(item.get("id") or "") if isinstance(item, dict) else ""
            if field_id.startswith(MISSING):
                found.append(field_id[len(MISSING) :])
    return found


def problem(system: str, owner: str, body: dict[str, Any], bridge_id: str) -> str | None:
    """Why a planned write would fail, or None."""
    keys = missing_in(body)
    if not keys:
        return None
    where = "GHL" if system == "ghl" else "TrackingTime"
    return (
        f"would fail: {where} has no {owner} custom field {', '.join(keys)} "
        f"(run 'ghltt bridges check {bridge_id} --fix')"
    )
