"""One ``ObjectType`` per synced type, the one place that knows a type (see ``model.py``).

Adding a synced type is one ``ObjectType`` in ``ghl.py`` or ``tt.py`` plus its actions.
"""

from __future__ import annotations

from typing import Any

from ghltt.engine.objects import ghl, tt
from ghltt.engine.objects.model import DeleteSignal, ObjectType, System

OBJECTS: dict[str, ObjectType] = {o.type: o for o in (*ghl.TYPES, *tt.TYPES)}

# Writes whose answer stands in for a read-back. Not here: close/open (TT leaves the custom
# fields out), deletes, and the types whose writes answer another document than their get.
ANSWERS_WITH_RECORD = frozenset(a for o in OBJECTS.values() for a in o.answering_with_record())

# Inputs that address a record (or its parent) on some type, never fields it sets.
ADDRESS_KEYS = frozenset(k for o in OBJECTS.values() for k in o.address_keys())


def names(system: str) -> list[str]:
    return sorted(o.name for o in OBJECTS.values() if o.system == system)


def as_read(action: str, answer: Any) -> dict[str, Any] | None:
    """The record a write answered with, when it is what a read would give (so its
    fingerprint is the one the echo of the write will have); None when it must be read back."""
    if action not in ANSWERS_WITH_RECORD or not isinstance(answer, dict) or "id" not in answer:
        return None
    if action.startswith("tt.") and "custom_fields" not in answer:
        return None  # TT leaves custom fields out unless asked, and mappings read them
    return answer


__all__ = [
    "ADDRESS_KEYS",
    "ANSWERS_WITH_RECORD",
    "OBJECTS",
    "DeleteSignal",
    "ObjectType",
    "System",
    "as_read",
    "names",
]
