"""Everything one run needs about its bridge: mode, clients, repositories, zones, params."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any

import httpx2
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient
from ghltt.connectors.trackingtime import TrackingTimeClient
from ghltt.engine.recipes import parse_yaml
from ghltt.engine.recipes.templates import template_names, template_text
from ghltt.engine.runner.customfields import CustomFieldCache
from ghltt.engine.runner.listings import RecentListings
from ghltt.store.engine import InTransaction
from ghltt.store.inbox import InboxRepository
from ghltt.store.links import LinkRepository
from ghltt.store.once import OnceRepository
from ghltt.store.provenance import ProvenanceRepository
from ghltt.store.snapshots import SnapshotRepository
from ghltt.vault.services import VaultServices

MODES = ("sandbox", "shadow", "live")


@dataclass(frozen=True)
class RecordWrites:
    links: LinkRepository
    snapshots: SnapshotRepository
    provenance: ProvenanceRepository


@dataclass(frozen=True)
class Repositories:
    links: LinkRepository
    provenance: ProvenanceRepository
    snapshots: SnapshotRepository
    once: OnceRepository
    # Read only: a sync asks whether an event about the counterpart still waits.
    inbox: InboxRepository

    @contextlib.contextmanager
    def writing(self) -> Iterator[RecordWrites]:
        """Links, snapshots and provenance whose writes commit together, when the block ends."""
        with self.links.engine.begin() as conn:
            bound = InTransaction(conn)
            yield RecordWrites(
                LinkRepository(bound), SnapshotRepository(bound), ProvenanceRepository(bound)
            )

    @classmethod
    def of(cls, engine: sa.Engine) -> Repositories:
        return cls(
            LinkRepository(engine),
            ProvenanceRepository(engine),
            SnapshotRepository(engine),
            OnceRepository(engine),
            InboxRepository(engine),
        )


@dataclass(frozen=True)
class Transports:
    """Test and sandbox seam: ASGI transports to the simulators."""

    ghl: httpx2.AsyncBaseTransport | None = None
    tt: httpx2.AsyncBaseTransport | None = None


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
    services: VaultServices,
    bridge_id: str,
    *,
    now: datetime,
    transports: Transports | None = None,
    run_id: str | None = None,
) -> BridgeContext:
    """The context of a bridge from the vault: its mode, its two connections as clients, and
    its settings (``location_timezone``, ``tt_timezone``, ``recipe_params``). Close it with
    ``await ctx.aclose()``."""
    view = services.bridges.show(bridge_id)
    if not view.ghl_connection_id or not view.tt_connection_id:
        raise ValueError(f"bridge {view.name!r} lacks a GHL or TT connection")
    connections = services.connections
    remotes = connections.remotes
    if transports is not None:
        remotes = replace(remotes, ghl_transport=transports.ghl, tt_transport=transports.tt)
    ghl_row = connections.get(view.ghl_connection_id)
    tt_row = connections.get(view.tt_connection_id)
    ghl = remotes.ghl_client(connections.ghl_auth(ghl_row.id), str(ghl_row.account_id))
    settings = _settings(services, view.id)
    tt_zone = str(settings.get("tt_timezone") or "UTC")
    # Built here rather than by Remotes: the account's zone is how TT wall clocks are read.
    tt = TrackingTimeClient(
        connections.tt_credentials(tt_row.id),
        account_id=int(tt_row.account_id) if tt_row.account_id else None,
        base_url=remotes.tt_base_url,
        transport=remotes.tt_transport,
        timeout=remotes.timeout,
        clock=remotes.clock,
        account_timezone=tt_zone,
    )
    return BridgeContext(
        bridge_id=view.id,
        mode=view.mode,
        ghl=ghl,
        tt=tt,
        repos=Repositories.of(connections.engine),
        now=now,
        location_tz=str(settings.get("location_timezone") or "UTC"),
        tt_timezone=tt_zone,
        params=dict(settings.get("recipe_params") or {}),
        run_id=run_id,
    )


def _settings(services: VaultServices, bridge_id: str) -> dict[str, Any]:
    row = services.bridges.resolve(bridge_id)
    raw = row.settings
    return dict(raw) if isinstance(raw, Mapping) else {}
