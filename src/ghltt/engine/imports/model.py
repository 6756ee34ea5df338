"""What an import is asked to do and what it counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Direction = Literal["ghl_to_tt", "tt_to_ghl"]
DIRECTIONS: tuple[Direction, ...] = ("ghl_to_tt", "tt_to_ghl")
# What became of one source record; in a plan, what would.
# ``waiting``: its parent (a task's or note's contact) is not linked yet; set aside with the
# reason, replayed once the parent is imported.
Outcome = Literal[
    "create", "update", "unchanged", "ambiguous", "invalid", "waiting", "skipped", "failed"
]
OUTCOMES: tuple[Outcome, ...] = (
    "create",
    "update",
    "unchanged",
    "ambiguous",
    "invalid",
    "waiting",
    "skipped",
    "failed",
)
# Outcomes kept as the import's dead letters, to replay.
SET_ASIDE: frozenset[Outcome] = frozenset({"ambiguous", "invalid", "waiting", "failed"})
SAMPLE_SIZE = 10


@dataclass(frozen=True)
class Filters:
    """Which source records an import reads: changed since a moment (and, for the run that
    started at ``until``, not after it: later changes are real-time sync's), with a tag, found
    by a search query, at most ``limit`` of them per direction."""

    since: datetime | None = None
    tags: tuple[str, ...] = ()
    query: str | None = None
    limit: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "tags": list(self.tags),
            "query": self.query,
            "limit": self.limit,
        }

    @classmethod
    def of(cls, data: dict[str, Any]) -> Filters:
        since = data.get("since")
        return cls(
            since=datetime.fromisoformat(since) if since else None,
            tags=tuple(data.get("tags") or ()),
            query=data.get("query") or None,
            limit=data.get("limit"),
        )


@dataclass
class Progress:
    """The checkpoint of one direction: where its source stream resumes, what was done."""

    cursor: Any = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    total: int | None = None
    done: bool = False
    # The moment the stream reads up to (its start, then its tail's): a catch-up starts
    # after it.
    until: str | None = None
    # Reading what changed while the import ran (after the records up to its start).
    tail: bool = False
    # What the source could not give (TT's list cap), for the report.
    warning: str | None = None
    # When the import will be done, from its budgets (see ``eta.estimate``).
    eta: dict[str, Any] | None = None
    # Set while the import waits for a daily cap to reset: {"for": ..., "until": ...}.
    waiting: dict[str, Any] | None = None

    @property
    def seen(self) -> int:
        return sum(self.counts.values())

    def count(self, outcome: Outcome) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Progress:
        if not data:
            return cls()
        counts = {**dict.fromkeys(OUTCOMES, 0), **(data.get("counts") or {})}
        return cls(
            data.get("cursor"),
            counts,
            data.get("total"),
            bool(data.get("done")),
            data.get("until"),
            bool(data.get("tail")),
            data.get("warning"),
            data.get("eta"),
            data.get("waiting"),
        )


@dataclass(frozen=True)
class RecordResult:
    """One source record's outcome, with its planned or made writes (field-level) when it has
    any and the reason when it has no writes to show."""

    system: str
    record_id: str
    outcome: Outcome
    reason: str = ""
    writes: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "record_id": self.record_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "writes": list(self.writes),
        }


def outcome_totals(progress: dict[str, Any]) -> dict[str, int]:
    """Every direction's outcomes of an import's checkpoint, added up."""
    totals: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
    for direction in progress.values():
        for name, n in ((direction or {}).get("counts") or {}).items():
            totals[name] = totals.get(name, 0) + int(n)
    return totals
