"""What one run needs: its opened bridge (mode, clients, zones, params, custom-field ids,
listings), the store's repositories, the time it runs at and its run id."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any

from ghltt.bridges import (
    MODES,
    CustomFieldCache,
    OpenBridge,
    RecentListings,
    Services,
    Transports,
    open_bridge,
)
from ghltt.connectors.ghl import GhlClient
from ghltt.connectors.trackingtime import TrackingTimeClient
from ghltt.engine.recipes import parse_yaml
from ghltt.engine.recipes.templates import template_names, template_text
from ghltt.store.bridge_recipes import BridgeRecipeRepository
from ghltt.store.database import Bind, Database, one_transaction
from ghltt.store.inbox import InboxRepository
from ghltt.store.links import LinkRepository
from ghltt.store.once import OnceRepository
from ghltt.store.provenance import ProvenanceRepository
from ghltt.store.record_state import RecordState, record_state
from ghltt.store.snapshots import SnapshotRepository


@dataclass(frozen=True)
class RecordWrites:
    links: LinkRepository
    snapshots: SnapshotRepository
    provenance: ProvenanceRepository
    # A claim on making a record's counterpart ends with the pair it made.
    once: OnceRepository

    @classmethod
    def on(cls, bind: Bind) -> RecordWrites:
        return cls(
            LinkRepository(bind),
            SnapshotRepository(bind),
            ProvenanceRepository(bind),
            OnceRepository(bind),
        )


# Writes a run holds until it ends, each run on the transaction it is given.
HeldWrite = Callable[[Bind], None]


@dataclass(frozen=True)
class Repositories:
    links: LinkRepository
    provenance: ProvenanceRepository
    snapshots: SnapshotRepository
    once: OnceRepository
    # Read only: a sync asks whether an event about the counterpart still waits.
    inbox: InboxRepository
    # Read only: an automation asks whether the syncs it builds on are enabled.
    recipes: BridgeRecipeRepository
    # Where a run's record writes wait to commit with the run's own record (its step, its
    # end, its event: one transaction, see ``ghltt.jobs.workflows``); None: each commits
    # when made.
    held: list[HeldWrite] | None = None

    def write(self, writes: Callable[[RecordWrites], None], *, hold: bool = True) -> None:
        """Links, snapshots and provenance written together: in one transaction at once, or
        held for the run's end (``hold`` and the repositories hold writes)."""
        if hold and self.held is not None:
            self.held.append(lambda bind: writes(RecordWrites.on(bind)))
            return
        with one_transaction(self.links.db) as bound:
            writes(RecordWrites.on(bound))

    def record_state(
        self,
        system: str,
        bridge_id: str,
        types: tuple[str, str],
        object_type: str,
        record_id: str,
    ) -> RecordState:
        """A sync's record (of ``system``, between the GHL and TT ``types``): its link, its
        snapshot (``object_type``'s) and whether its counterpart's event waits, in one read."""
        ghl_type, tt_type = types
        return record_state(
            self.links.db, system, bridge_id, ghl_type, tt_type, object_type, record_id
        )

    def holding(self, held: list[HeldWrite] | None) -> Repositories:
        """These repositories with their record writes held in ``held``."""
        return self if held is None else replace(self, held=held)

    @classmethod
    def of(cls, db: Database) -> Repositories:
        return cls(
            LinkRepository(db),
            ProvenanceRepository(db),
            SnapshotRepository(db),
            OnceRepository(db),
            InboxRepository(db),
            BridgeRecipeRepository(db),
        )


@cache
def template_sync_types() -> dict[str, tuple[str, str]]:
    """Sync template name → (GHL type, TT type): what ``ghltt.links.find {recipe}`` means."""
    found: dict[str, tuple[str, str]] = {}
    for name in template_names():
        doc, _ = parse_yaml(template_text(name), name)
        if isinstance(doc, dict) and doc.get("kind") == "sync":
            found[name] = (str(doc.get("ghl")), str(doc.get("tt")))
    return found


@dataclass
class BridgeContext:
    bridge_id: str
    mode: str
    ghl: GhlClient
    tt: TrackingTimeClient
    repos: Repositories
    now: datetime
    location_tz: str = "UTC"
    tt_timezone: str = "UTC"
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sync_types: Mapping[str, tuple[str, str]] = field(default_factory=template_sync_types)
    run_id: str | None = None
    custom_fields: CustomFieldCache | None = None
    # Kept with the bridge across runs (as the custom-field ids are).
    listings: RecentListings = field(default_factory=RecentListings)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if self.custom_fields is None:
            self.custom_fields = CustomFieldCache(self.ghl, self.tt)

    @classmethod
    def of(
        cls,
        bridge: OpenBridge,
        repos: Repositories,
        *,
        now: datetime,
        run_id: str | None = None,
    ) -> BridgeContext:
        """One run in an opened bridge: its clients, field ids and listings are the bridge's."""
        return cls(
            bridge_id=bridge.id,
            mode=bridge.mode,
            ghl=bridge.ghl,
            tt=bridge.tt,
            repos=repos,
            now=now,
            location_tz=bridge.location_tz,
            tt_timezone=bridge.tt_timezone,
            params=bridge.params,
            run_id=run_id,
            custom_fields=bridge.custom_fields,
            listings=bridge.listings,
        )

    @property
    def resolver(self) -> CustomFieldCache:
        assert self.custom_fields is not None  # set in __post_init__
        return self.custom_fields

    @property
    def writes(self) -> bool:
        """Shadow mode plans every run and writes nothing."""
        return self.mode != "shadow"

    def params_for(self, recipe: str) -> dict[str, Any]:
        return dict(self.params.get(recipe, {}))

    def with_run(self, run_id: str | None, now: datetime | None = None) -> BridgeContext:
        return replace(self, run_id=run_id, now=now or self.now)

    async def aclose(self) -> None:
        await self.ghl.aclose()
        await self.tt.aclose()


async def open_bridge_context(
    services: Services,
    bridge_id: str,
    *,
    now: datetime,
    transports: Transports | None = None,
    run_id: str | None = None,
) -> BridgeContext:
    """A run's context in a bridge opened for it alone (the CLI's one-off runs); close it
    with ``await ctx.aclose()``. The executor keeps bridges open in a ``BridgePool``."""
    bridge = await open_bridge(services.bridges, bridge_id, transports=transports)
    return BridgeContext.of(
        bridge, Repositories.of(services.connections.db), now=now, run_id=run_id
    )
