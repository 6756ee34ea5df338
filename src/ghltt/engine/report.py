"""What a run did (or, in shadow mode, would do): JSON, recorded in the run's step output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["applied", "echo", "no_change", "skipped", "deleted", "planned"]


@dataclass(frozen=True)
class Write:
    """One remote write: made, or planned in shadow mode. ``fields`` names what it sets;
    ``problem`` (planned writes) says why it would fail, e.g. a custom field the account lacks."""

    system: str
    action: str
    object_type: str
    object_id: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "system": self.system,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "fields": self.fields,
        }
        if self.problem:
            out["problem"] = self.problem
        return out


@dataclass
class RunReport:
    recipe: str
    mode: str
    outcome: Outcome = "no_change"
    reason: str = ""
    writes: list[Write] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    link: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    # Mapped fields whose value differs from the last synced state (all of them the first
    # time): what changed, when the sender did not say.
    changed_fields: list[str] | None = None

    def finish(self, outcome: Outcome, reason: str = "") -> RunReport:
        """Settle the outcome; in shadow mode anything that would write is ``planned``."""
        if self.mode == "shadow" and self.writes and outcome in ("applied", "deleted"):
            outcome = "planned"
        self.outcome = outcome
        self.reason = reason or self.reason
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "recipe": self.recipe,
            "mode": self.mode,
            "outcome": self.outcome,
            "reason": self.reason,
            "writes": [w.as_dict() for w in self.writes],
            "provenance": list(self.provenance),
            "link": self.link,
            "steps": list(self.steps),
            "changed_fields": self.changed_fields,
        }
