"""Versioned migrations, so that recipe files written for an older ghltt keep working.

As in Airbyte's low-code CDK, each migration lifts a document from version N to N+1 and the
loader runs them in order up to ``CURRENT_VERSION``. They edit the parsed YAML in place, so
positions of untouched nodes survive and errors still point into the user's file.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

CURRENT_VERSION = 2

Document = MutableMapping[str, Any]


@dataclass(frozen=True)
class Migration:
    from_version: int
    summary: str
    apply: Callable[[Document], None]


def _v1_to_v2(doc: Document) -> None:
    # v1 wrote ``trigger: tt.user.created`` (or a list of kinds); v2 has a trigger object.
    trigger = doc.get("trigger")
    if isinstance(trigger, str):
        doc["trigger"] = {"events": [trigger]}
    elif isinstance(trigger, list):
        doc["trigger"] = {"events": list(trigger)}
    # v1 grouped the sync policies under ``policies``; v2 has them at the top level.
    policies = doc.get("policies")
    if isinstance(policies, MutableMapping):
        for key in ("conflict", "delete"):
            if key in policies and key not in doc:
                doc[key] = policies[key]
        del doc["policies"]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "trigger object; conflict/delete out of 'policies'", _v1_to_v2),
)


def migrate(doc: Document, version: int) -> int:
    """Bring ``doc`` from ``version`` to ``CURRENT_VERSION`` in place; return the new version."""
    if version > CURRENT_VERSION:
        raise ValueError(
            f"version {version} is newer than this ghltt understands ({CURRENT_VERSION}); "
            "upgrade ghltt"
        )
    if version < 1:
        raise ValueError("version starts at 1")
    by_version = {m.from_version: m for m in MIGRATIONS}
    while version < CURRENT_VERSION:
        by_version[version].apply(doc)
        version += 1
    doc["version"] = version
    return version
