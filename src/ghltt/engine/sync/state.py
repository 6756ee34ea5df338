"""What one sync run knows while it plans and applies: the recipe, the context, the records
read and their mappings, the snapshots of our last sync."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import orjson

from ghltt.engine.context import BridgeContext
from ghltt.engine.mapping import MappedRecord, MappingContext, MappingFailed
from ghltt.engine.objects import ObjectType, System
from ghltt.engine.recipes import SyncRecipe
from ghltt.engine.report import RunReport
from ghltt.store.links import Link
from ghltt.store.provenance import ProvenanceEntry

OTHER = {"ghl": "tt", "tt": "ghl"}


class Skip(Exception):
    """The run has nothing to do (filtered, parent not linked...)."""


class ParentPending(Exception):
    """The parent's own event still waits in the inbox: its link comes with it, so the run is
    tried again (a retried step) instead of skipped for good."""


class LinkedRecordGone(Exception):
    """A write by id to the linked counterpart, not read in this run, answered 404."""


@dataclass(frozen=True)
class Counterpart:
    """The record a push writes to: read in this run, or, trusting the link, known only by its
    id and the mapped fields that changed on the source since our last sync."""

    id: str
    record: dict[str, Any] | None = None
    changed_since_sync: frozenset[str] = frozenset()

    @classmethod
    def read(cls, record: dict[str, Any]) -> Counterpart:
        return cls(id_of(record), record)


@dataclass(frozen=True)
class Found:
    """The counterpart a caller matched for an unlinked record (an import, by its index of the
    other side); ``record`` None: there is none, the run creates it."""

    record: dict[str, Any] | None


@dataclass
class SyncRun:
    recipe: SyncRecipe
    ctx: BridgeContext
    report: RunReport
    parent: dict[str, Any] | None = None
    mctx: MappingContext = field(default_factory=MappingContext)
    # Provenance of writes made, stored with the link (one commit) or, if the run stops
    # before that, on its own.
    unsaved_provenance: list[ProvenanceEntry] = field(default_factory=list)
    # The source's mapped values at our last sync (its snapshot); None if never synced.
    synced: dict[str, Any] | None = None
    # Mappings already applied in this run, by side and record (the record kept alive so
    # its id is not reused): a run maps the same record several times.
    mapped: dict[tuple[str, int], tuple[dict[str, Any], MappedRecord | None]] = field(
        default_factory=dict
    )
    snapshots: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    # Each record's link as last read, by (side, record id): a claim tells from it whether a
    # pair was recorded since.
    links_read: dict[tuple[str, str], Link | None] = field(default_factory=dict)
    # Whether an event about a record waits in the inbox, by (side, record id), as read once.
    pending: dict[tuple[str, str], bool] = field(default_factory=dict)
    # Set by an import: the counterpart of an unlinked record is this, not searched for.
    found: Found | None = None
    # Set by an import: the TT parents its records were mapped with, by id, each with when
    # it was read (records share their parents: each is read again only once its link says
    # real-time synced it since).
    parents: dict[str, tuple[datetime, Any]] | None = None
    # The claim this run holds on creating a counterpart (``claims``), and who it claims as
    # when it has no run id.
    claimed: str | None = None
    claim_token: str | None = None
    # Whether the caller applies the plan (a live run, an import that is not a plan): only
    # then may planning write (TT's name probe makes a bare customer when the name is free)
    # and claim the record for it.
    applies: bool = False
    # Whether a create was sent (it may have happened even if it failed: the claim then
    # stays until its holder's run ends, and whoever takes it over looks for what it made).
    create_sent: bool = False

    @property
    def types(self) -> tuple[str, str]:
        return self.recipe.model.ghl, self.recipe.model.tt

    def objects(self, system: str) -> ObjectType:
        return self.recipe.objects(cast(System, system))

    def link(self, system: str, record_id: str) -> Link | None:
        """The record's link, read with its snapshot and whether an event about its
        counterpart waits: one read of the run's state, kept for the run."""
        obj = self.objects(system)
        state = self.ctx.repos.record_state(
            system, self.ctx.bridge_id, self.types, obj.name, record_id
        )
        self.snapshots[(system, record_id)] = state.snapshot
        self.links_read[(system, record_id)] = state.link
        if state.link is not None:
            other = OTHER[system]
            counterpart = str(getattr(state.link, f"{other}_id"))
            self.pending[(other, counterpart)] = state.counterpart_pending
        return state.link

    def waits(self, system: str, record_id: str) -> bool:
        """Whether an event about this record of ``system`` waits, not processed yet."""
        key = (system, str(record_id))
        if key not in self.pending:
            inbox = self.ctx.repos.inbox
            self.pending[key] = inbox.has_unprocessed(self.ctx.bridge_id, system, key[1])
        return self.pending[key]

    def snapshot(self, system: str, record_id: str) -> dict[str, Any] | None:
        key = (system, record_id)
        if key not in self.snapshots:
            obj = self.objects(system)
            repo = self.ctx.repos.snapshots
            self.snapshots[key] = repo.get(self.ctx.bridge_id, system, obj.name, record_id)
        return self.snapshots[key]

    def synced_values(self, system: str, record_id: str) -> dict[str, Any] | None:
        before = (self.snapshot(system, record_id) or {}).get("mapped")
        return before if isinstance(before, dict) else None

    def snapshot_parent(self, system: str, record_id: str) -> Any:
        return (self.snapshot(system, record_id) or {}).get("parent", {}).get("ghl_id")

    def contact_id(self) -> Any:
        return (self.parent or {}).get("ghl", {}).get("id")

    def map(self, system: str, record: dict[str, Any]) -> MappedRecord | None:
        key = (system, id(record))
        if key in self.mapped:
            return self.mapped[key][1]
        mapping = self.recipe.mapping_from(cast(System, system))
        mapped = None if mapping is None else mapping.apply(record, self.mctx)
        self.mapped[key] = (record, mapped)
        return mapped

    def mapped_or_none(self, system: str, record: dict[str, Any]) -> MappedRecord | None:
        try:
            return self.map(system, record)
        except MappingFailed:
            return None

    def fingerprint(self, system: str, record: dict[str, Any] | None) -> str | None:
        if record is None:
            return None
        mapped = self.mapped_or_none(system, record)
        return None if mapped is None else mapped.fingerprint


def changed_since_sync(mapped: MappedRecord, synced: dict[str, Any] | None) -> list[str]:
    # Compare as stored: the snapshot went through JSON.
    now = orjson.loads(orjson.dumps(mapped.values, default=str))
    if synced is None:
        return sorted(now)
    return sorted(k for k in set(now) | set(synced) if now.get(k) != synced.get(k))


def id_of(record: dict[str, Any]) -> str:
    return str(record["id"])


def created(result: dict[str, Any]) -> dict[str, Any]:
    """The record a create made: GHL's upsert answers ``{new, contact}``."""
    inner = result.get("contact")
    return inner if "new" in result and isinstance(inner, dict) else result
