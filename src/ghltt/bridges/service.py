"""Bridges: one GHL connection paired with one TT connection, its mode, settings and recipes.

Adding a bridge subscribes its TrackingTime webhooks (``TtWebhooks``); revoking a TT
connection unsubscribes them through the vault's revoke hook, and rotating or reconnecting it
subscribes them anew through its fixed hook, both registered here. A bridge starts in shadow
mode unless told otherwise (only ``ghltt sandbox`` makes ``sandbox`` bridges, on its
simulators); switching to live may apply what shadow planned (``apply_planned``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import structlog

from ghltt.bridges import options
from ghltt.bridges.clients import Clients
from ghltt.bridges.intake import IntakeGuide, intake_guide
from ghltt.bridges.webhooks import TtWebhooks
from ghltt.core import Event, EventOrigin, InvalidInput, utcnow
from ghltt.store.bridge_recipes import BridgeRecipeRepository, RecipeState
from ghltt.store.bridges import BridgeRepository
from ghltt.store.database import Row
from ghltt.store.inbox import InboxRepository, commit_new
from ghltt.store.planned import PlannedRun, apply_key, pending_plans
from ghltt.vault import GHL, TT, ConnectionView, scopes

log = structlog.get_logger(__name__)

MODES = ("sandbox", "shadow", "live")
DEFAULT_MODE = "shadow"  # a bridge on real accounts writes nothing until switched to live


@dataclass(frozen=True)
class BridgeView:
    id: str
    name: str
    mode: str
    ghl_connection_id: str | None
    tt_connection_id: str | None
    webhooks: list[dict[str, Any]]
    recipes: list[RecipeState]
    # What a user sets (``bridges set``): zones, poll interval, GHL webhook key fingerprints.
    settings: dict[str, Any]

    def public(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["recipes"] = [r.public() for r in self.recipes]
        return out


@dataclass(frozen=True)
class PlannedWrites:
    """Shadow plans not applied yet (see ``ghltt.store.planned``) and their writes."""

    plans: list[PlannedRun]

    @property
    def writes(self) -> int:
        return sum(len(p.writes) for p in self.plans)

    def public(self) -> dict[str, Any]:
        return {
            "plans": len(self.plans),
            "writes": self.writes,
            "items": [p.public() for p in self.plans],
        }


class BridgeService:
    def __init__(self, clients: Clients, public_url: str) -> None:
        self.clients = clients
        self.connections = clients.connections
        self.db = self.connections.db
        self.vault = self.connections.vault
        self.public_url = public_url.rstrip("/")
        self.rows = BridgeRepository(self.db)
        self.recipes = BridgeRecipeRepository(self.db)
        self.webhooks = TtWebhooks(self.rows, clients, public_url)
        self.connections.revoke_hooks.append(self.webhooks.on_revoke)
        self.connections.fixed_hooks.append(self.webhooks.on_fixed)

    def intake_urls(self, ref: str) -> dict[str, str]:
        """Where each sender posts: GHL's app webhook, TT's, and a GHL workflow's action.

        The workflow URL carries the bridge's own secret (GHL workflow webhooks can be
        neither signed nor given headers); it is made on first use and kept in the vault.
        """
        row = self.rows.resolve(ref)
        ref_id = self.settings(row.id).get("workflow_secret_ref")
        record = self.vault.find(str(ref_id)) if ref_id else None
        if record is None:
            ref_id = self.vault.put(
                "workflow_hook", {"secret": secrets.token_urlsafe(32)}, owner=row.id
            )
            self.update_settings(row.id, {"workflow_secret_ref": ref_id})
            record = self.vault.get(str(ref_id))
        workflow = f"{self.public_url}/hooks/ghl-workflow/{row.id}"
        return {
            "ghl_app_webhooks": f"{self.public_url}/webhooks",
            "tt_webhooks": self.webhooks.url(row.id),
            "ghl_workflow_webhook": f"{workflow}?secret={record.payload['secret']}",
        }

    def intake(self, ref: str) -> IntakeGuide:
        """The URLs, and which way GHL's events come for this bridge's GHL credential."""
        row = self.rows.resolve(ref)
        urls = self.intake_urls(row.id)
        kind = (
            self.connections.get(row.ghl_connection_id).auth_kind if row.ghl_connection_id else ""
        )
        return intake_guide(kind, urls, len(self.rows.webhooks(row.id)))

    # ---- reading --------------------------------------------------------------------------
    def resolve(self, ref: str) -> Row:
        """A bridge's row by id or name; NotFound names the command that lists them."""
        return self.rows.resolve(ref)

    def show(self, ref: str) -> BridgeView:
        row = self.rows.resolve(ref)
        return BridgeView(
            id=row.id,
            name=row.name,
            mode=row.mode,
            ghl_connection_id=row.ghl_connection_id,
            tt_connection_id=row.tt_connection_id,
            webhooks=[
                {"system": h.system, "remote_id": h.remote_id, "url": h.url, "events": h.events}
                for h in self.rows.webhooks(row.id)
            ],
            recipes=self.recipes.of_bridge(row.id),
            settings=options.summary(dict(row.settings or {})),
        )

    def all(self) -> list[BridgeView]:
        return [self.show(i) for i in self.rows.ids()]

    def settings(self, ref: str) -> dict[str, Any]:
        """The bridge's settings (zones, recipe params, reconciliation, intake secrets)."""
        raw = self.rows.resolve(ref).settings
        return dict(raw) if isinstance(raw, Mapping) else {}

    # ---- changing -------------------------------------------------------------------------
    async def add(
        self, *, name: str, ghl_connection: str, tt_connection: str, mode: str | None = None
    ) -> BridgeView:
        """Pair two connections; the bridge starts in shadow mode unless ``mode`` says."""
        mode = mode or DEFAULT_MODE
        if mode not in MODES:
            raise InvalidInput(f"must be one of {', '.join(MODES)}", where="mode")
        if not name.strip() or len(name) > 200:
            raise InvalidInput("a bridge needs a name of 1 to 200 characters", where="name")
        ghl = self._usable(ghl_connection, GHL, "ghl connection")
        tt = self._usable(tt_connection, TT, "tt connection")
        bridge_id = "br_" + secrets.token_hex(6)

        def insert() -> None:
            self.rows.insert(
                bridge_id,
                name=name,
                mode=mode,
                ghl_connection_id=ghl.id,
                tt_connection_id=tt.id,
                now=utcnow(),
            )

        await anyio.to_thread.run_sync(insert)
        await self.webhooks.register(bridge_id)
        log.info("bridge added", bridge=bridge_id)
        return self.show(bridge_id)

    async def remove(self, ref: str) -> list[str]:
        row = self.rows.resolve(ref)
        notes = await self.webhooks.unregister(row.id)
        self.rows.delete(row.id)
        log.info("bridge removed", bridge=row.id)
        return notes

    def set_mode(self, ref: str, mode: str) -> BridgeView:
        """sandbox, shadow (plan and record, write nothing) or live; nothing else changes."""
        if mode not in MODES:
            raise InvalidInput(f"must be one of {', '.join(MODES)}", where="mode")
        row = self.rows.resolve(ref)
        self.rows.set_mode(row.id, mode)
        log.info("bridge mode changed", bridge=row.id, mode=mode)
        return self.show(row.id)

    def planned(self, ref: str) -> PlannedWrites:
        """What shadow runs planned that is neither superseded by a later run nor applied."""
        return PlannedWrites(pending_plans(self.db, self.rows.resolve(ref).id))

    def apply_planned(self, ref: str) -> PlannedWrites:
        """Put one event per pending plan in the inbox (origin ``replay``), for the executor to
        run as usual, now that the bridge writes: each run re-reads both sides and converges
        them. The events are committed together and keyed by the plan's run, so a crash loses
        nothing and applying again adds nothing. Returns what was applied."""
        row = self.rows.resolve(ref)
        if row.mode == "shadow":
            raise InvalidInput(
                f"bridge {row.name} is in shadow mode: switch it to live to apply its plans",
                where="mode",
            )
        pending = self.planned(row.id)
        originals = InboxRepository(self.db).get_many([p.event_id for p in pending.plans])
        events = [
            Event(
                bridge=row.id,
                source=stored.event.source,
                kind=stored.event.kind,
                object_type=stored.event.object_type,
                object_id=stored.event.object_id,
                origin=EventOrigin.REPLAY,
                dedup_key=apply_key(plan.run_id),
                payload=stored.event.payload,
            )
            for plan in pending.plans
            if (stored := originals.get(plan.event_id)) is not None
        ]
        commit_new(self.db, events)
        log.info("shadow plans applied", bridge=row.id, plans=len(events), writes=pending.writes)
        return pending

    def configure(self, ref: str, values: Mapping[str, Any]) -> BridgeView:
        """Set what a user may set (``ghltt.bridges.options``: time zones, poll interval, GHL
        webhook public key), each value checked; InvalidInput names the key at fault."""
        row = self.rows.resolve(ref)
        if not values:
            raise InvalidInput(f"give key=value (settable: {', '.join(options.KEYS)})")
        self.rows.merge_settings(row.id, options.changes(dict(row.settings or {}), values))
        log.info("bridge settings changed", bridge=row.id, keys=sorted(values))
        return self.show(row.id)

    def update_settings(self, ref: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Set these keys of the bridge's settings (the others stay); the settings after."""
        return self.rows.merge_settings(self.rows.resolve(ref).id, values)

    def enable_recipe(
        self, ref: str, recipe: str, required: list[str], version: int | None = None
    ) -> list[str]:
        """Enable a recipe whose actions need ``required`` GHL scopes; returns warnings. It
        runs the template of the installed ghltt, or the stored ``version`` of its file."""
        row = self.rows.resolve(ref)
        warnings = self._check_scopes(row, recipe, required)
        self.recipes.upsert(row.id, recipe, enabled=True, scopes=required, version=version)
        return warnings

    def enable_recipe_text(
        self, ref: str, recipe: str, required: list[str], text: str, source: str
    ) -> tuple[int, bool, list[str]]:
        """Enable a recipe file's (validated) text: (its version, whether new, warnings)."""
        row = self.rows.resolve(ref)
        warnings = self._check_scopes(row, recipe, required)
        version, new = self.recipes.add_version(row.id, recipe, text, source)
        self.recipes.upsert(row.id, recipe, enabled=True, scopes=required, version=version)
        log.info("recipe enabled", bridge=row.id, recipe=recipe, version=version, new=new)
        return version, new, warnings

    def _check_scopes(self, row: Row, recipe: str, required: list[str]) -> list[str]:
        if row.ghl_connection_id is None:
            raise InvalidInput("the bridge has no GHL connection", where=row.name)
        connection = self.connections.repo.view(row.ghl_connection_id)
        check = scopes.compare(connection.scopes, required)
        check.require(where=f"recipe {recipe} on bridge {row.name}")
        return check.warnings()

    def disable_recipe(self, ref: str, recipe: str) -> bool:
        row = self.rows.resolve(ref)
        return self.recipes.set_enabled(row.id, recipe, enabled=False, reason="disabled")

    # ---- internals ------------------------------------------------------------------------
    def _usable(self, ref: str, system: str, where: str) -> ConnectionView:
        view = self.connections.get(ref)
        if view.system != system:
            raise InvalidInput(f"{view.id} is a {view.system} connection", where=where)
        if not view.has_secret:
            raise InvalidInput(f"{view.id} has no credential (status {view.status})", where=where)
        return view
