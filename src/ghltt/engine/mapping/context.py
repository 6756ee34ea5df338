"""What a mapping may know besides the record: custom-field ids, the run's clock, variables.

Nothing here reads a clock or the network: the runner passes ``now`` and a resolver, so that
applying a mapping stays a pure, repeatable function (a durable run replays it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ghltt.engine.mapping.errors import MappingFailed


@runtime_checkable
class CustomFieldResolver(Protocol):
    """Turns a custom-field key into the id it has in this location (GHL) or account (TT)."""

    def resolve_custom_field(self, object_type: str, key: str) -> str | None:
        """The id of custom field ``key`` on ``object_type`` (``ghl.contact``), or None."""


@dataclass(frozen=True)
class DictResolver:
    """A resolver over a plain table ``{(object_type, key): id}``, e.g. a cached list."""

    ids: Mapping[tuple[str, str], str]

    def resolve_custom_field(self, object_type: str, key: str) -> str | None:
        return self.ids.get((object_type, key))


@dataclass(frozen=True)
class MappingContext:
    resolver: CustomFieldResolver | None = None
    now: datetime | None = None
    vars: Mapping[str, Any] = field(default_factory=dict)

    def variable(self, name: str) -> Any:
        if name == "now":
            if self.now is None:
                raise MappingFailed("$now is used but the run gave no clock")
            return self.now
        if name not in self.vars:
            raise MappingFailed(f"unknown context variable ${name}")
        return self.vars[name]

    def custom_field_id(self, object_type: str | None, key: str) -> str | None:
        if self.resolver is None or object_type is None:
            return None
        found = self.resolver.resolve_custom_field(object_type, key)
        return None if found is None else str(found)
