"""Bridges: one GHL connection paired with one TT connection, and the TT webhooks they need.

Webhook registration lists what TrackingTime already has first, so running it twice (or after
a crash between "added" and "saved") never subscribes the same URL twice. A subscription made
with fewer events (by an older ghltt) is replaced: TrackingTime cannot change a webhook's events.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import anyio
import sqlalchemy as sa
import structlog

from ghltt.core import InvalidInput, NotFound, utcnow
from ghltt.store.tables import bridge_webhooks, bridges
from ghltt.vault import recipes, scopes
from ghltt.vault.connections import ConnectionService
from ghltt.vault.recipes import RecipeState
from ghltt.vault.records import GHL, TT, ConnectionView

log = structlog.get_logger(__name__)

MODES = ("sandbox", "shadow", "live")
# Every TT event a template listens to. The intake keeps TT's names as event kinds
# (``task.closed`` → ``tt.task.closed``): the tasks template takes ``tt.task.*`` (closing and
# reopening are completion in GHL), milestones ``tt.project.closed``. Without the close/open
# events those changes would arrive only with the next reconciliation poll, as ``*.updated``.
TT_WEBHOOK_EVENTS: tuple[str, ...] = (
    "event.created",
    "event.updated",
    "event.deleted",
    "task.created",
    "task.updated",
    "task.deleted",
    "task.closed",
    "task.opened",
    "project.created",
    "project.updated",
    "project.deleted",
    "project.closed",
    "project.opened",
)


@dataclass(frozen=True)
class BridgeView:
    id: str
    name: str
    mode: str
    ghl_connection_id: str | None
    tt_connection_id: str | None
    webhooks: list[dict[str, Any]]
    recipes: list[RecipeState]

    def public(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["recipes"] = [r.public() for r in self.recipes]
        return out


class BridgeService:
    def __init__(self, connections: ConnectionService, public_url: str) -> None:
        self.connections = connections
        self.engine = connections.engine
        self.vault = connections.vault
        self.public_url = public_url.rstrip("/")
        connections.revoke_hooks.append(self._on_revoke)

    def hook_url(self, bridge_id: str) -> str:
        return f"{self.public_url}/hooks/tt/{bridge_id}"

    def intake_urls(self, ref: str) -> dict[str, str]:
        """Where each sender posts: GHL's app webhook, TT's, and a GHL workflow's action.

        The workflow URL carries the bridge's own secret (GHL workflow webhooks can be
        neither signed nor given headers); it is made on first use and kept in the vault.
        """
        row = self.resolve(ref)
        settings = dict(row.settings or {})
        ref_id = settings.get("workflow_secret_ref")
        record = self.vault.find(str(ref_id)) if ref_id else None
        if record is None:
            ref_id = self.vault.put(
                "workflow_hook", {"secret": secrets.token_urlsafe(32)}, owner=row.id
            )
            settings["workflow_secret_ref"] = ref_id
            with self.engine.begin() as conn:
                conn.execute(
                    bridges.update()
                    .where(bridges.c.id == row.id)
                    .values(settings=settings, updated_at=utcnow())
                )
            record = self.vault.get(str(ref_id))
        workflow = f"{self.public_url}/hooks/ghl-workflow/{row.id}"
        return {
            "ghl_app_webhooks": f"{self.public_url}/webhooks",
            "tt_webhooks": self.hook_url(row.id),
            "ghl_workflow_webhook": f"{workflow}?secret={record.payload['secret']}",
        }

    # ---- reading --------------------------------------------------------------------------
    def resolve(self, ref: str) -> sa.Row[Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(bridges).where((bridges.c.id == ref) | (bridges.c.name == ref))
            ).first()
        if row is None:
            raise NotFound(f"no bridge {ref!r} ('ghltt bridges list' shows them)")
        return row

    def show(self, ref: str) -> BridgeView:
        row = self.resolve(ref)
        with self.engine.connect() as conn:
            hooks = conn.execute(
                sa.select(bridge_webhooks).where(bridge_webhooks.c.bridge_id == row.id)
            ).all()
        return BridgeView(
            id=row.id,
            name=row.name,
            mode=row.mode,
            ghl_connection_id=row.ghl_connection_id,
            tt_connection_id=row.tt_connection_id,
            webhooks=[
                {"system": h.system, "remote_id": h.remote_id, "url": h.url, "events": h.events}
                for h in hooks
            ],
            recipes=recipes.of_bridge(self.engine, row.id),
        )

    def all(self) -> list[BridgeView]:
        with self.engine.connect() as conn:
            ids: list[str] = list(
                conn.execute(sa.select(bridges.c.id).order_by(bridges.c.name)).scalars()
            )
        return [self.show(i) for i in ids]

    def webhook_tokens(self, bridge_id: str) -> list[str]:
        """The TT verification tokens of a bridge's webhooks, for the intake's verifier."""
        stmt = sa.select(bridge_webhooks.c.secret_ref).where(
            bridge_webhooks.c.bridge_id == bridge_id, bridge_webhooks.c.system == TT
        )
        with self.engine.connect() as conn:
            raw: list[Any] = list(conn.execute(stmt).scalars().all())
        refs = [str(r) for r in raw if r]
        return [str(self.vault.get(r).payload["token"]) for r in refs]

    # ---- changing -------------------------------------------------------------------------
    async def add(
        self, *, name: str, ghl_connection: str, tt_connection: str, mode: str = "sandbox"
    ) -> BridgeView:
        if mode not in MODES:
            raise InvalidInput(f"must be one of {', '.join(MODES)}", where="mode")
        if not name.strip() or len(name) > 200:
            raise InvalidInput("a bridge needs a name of 1 to 200 characters", where="name")
        ghl = self._usable(ghl_connection, GHL, "ghl connection")
        tt = self._usable(tt_connection, TT, "tt connection")
        bridge_id = "br_" + secrets.token_hex(6)
        now = utcnow()

        def insert() -> None:
            with self.engine.begin() as conn:
                if conn.execute(sa.select(bridges.c.id).where(bridges.c.name == name)).first():
                    raise InvalidInput(f"a bridge named {name!r} exists", where="name")
                conn.execute(
                    bridges.insert().values(
                        id=bridge_id,
                        name=name,
                        mode=mode,
                        ghl_connection_id=ghl.id,
                        tt_connection_id=tt.id,
                        settings={},
                        created_at=now,
                        updated_at=now,
                    )
                )

        await anyio.to_thread.run_sync(insert)
        await self.register_webhooks(bridge_id)
        log.info("bridge added", bridge=bridge_id)
        return self.show(bridge_id)

    async def remove(self, ref: str) -> list[str]:
        row = self.resolve(ref)
        notes = await self.unregister_webhooks(row.id)
        with self.engine.begin() as conn:
            conn.execute(bridges.delete().where(bridges.c.id == row.id))
        log.info("bridge removed", bridge=row.id)
        return notes

    def set_mode(self, ref: str, mode: str) -> BridgeView:
        """sandbox, shadow (plan and record, write nothing) or live; nothing else changes."""
        if mode not in MODES:
            raise InvalidInput(f"must be one of {', '.join(MODES)}", where="mode")
        row = self.resolve(ref)
        with self.engine.begin() as conn:
            conn.execute(
                bridges.update()
                .where(bridges.c.id == row.id)
                .values(mode=mode, updated_at=utcnow())
            )
        log.info("bridge mode changed", bridge=row.id, mode=mode)
        return self.show(row.id)

    def enable_recipe(self, ref: str, recipe: str, required: list[str]) -> list[str]:
        """Enable a recipe whose actions need ``required`` GHL scopes; returns warnings."""
        row = self.resolve(ref)
        if row.ghl_connection_id is None:
            raise InvalidInput("the bridge has no GHL connection", where=row.name)
        connection = self.connections.repo.view(row.ghl_connection_id)
        granted = connection.scopes
        check = scopes.compare(granted, required)
        check.require(where=f"recipe {recipe} on bridge {row.name}")
        recipes.upsert(self.engine, row.id, recipe, enabled=True, scopes=required)
        return check.warnings()

    def disable_recipe(self, ref: str, recipe: str) -> bool:
        row = self.resolve(ref)
        return recipes.set_enabled(self.engine, row.id, recipe, enabled=False, reason="disabled")

    # ---- TrackingTime webhooks -----------------------------------------------------------
    async def register_webhooks(self, bridge_id: str) -> None:
        row = self.resolve(bridge_id)
        url = self.hook_url(row.id)
        async with self.connections.tt_client(row.tt_connection_id) as tt:
            remote = [h for h in await tt.webhooks.list() if h.url == url]
            remote.sort(key=lambda hook: bool(_missing_events(hook)))  # complete ones first
            stored = self._stored_hooks(row.id)
            if remote and _missing_events(remote[0]):
                # Subscribed by an older ghltt to fewer events. TT cannot change a webhook's
                # events: subscribe anew, then drop the old one (added first, so no delivery
                # falls between; one sent to both is two inbox events, and runs are idempotent).
                created = await tt.webhooks.add(url, TT_WEBHOOK_EVENTS)
                if not created.secret:
                    raise InvalidInput("TrackingTime added the webhook without a token", where=url)
                self._save_hook(row.id, str(created.id), url, created.secret)
                for old in remote:
                    await tt.webhooks.delete(old.id, missing_ok=True)
                kept = str(created.id)
            elif remote:
                keep, extra = remote[0], remote[1:]
                if not (str(keep.id) in stored and stored[str(keep.id)]):
                    # Subscribed earlier but its token was never saved: renew the token.
                    token = await tt.webhooks.reset_token(keep.id)
                    self._save_hook(row.id, str(keep.id), url, token)
                for duplicate in extra:
                    await tt.webhooks.delete(duplicate.id, missing_ok=True)
                kept = str(keep.id)
            else:
                created = await tt.webhooks.add(url, TT_WEBHOOK_EVENTS)
                if not created.secret:
                    raise InvalidInput("TrackingTime added the webhook without a token", where=url)
                self._save_hook(row.id, str(created.id), url, created.secret)
                kept = str(created.id)
        for remote_id in set(stored) - {kept}:
            self._forget_hook(row.id, remote_id)

    async def unregister_webhooks(self, bridge_id: str) -> list[str]:
        row = self.resolve(bridge_id)
        url = self.hook_url(row.id)
        notes: list[str] = []
        if row.tt_connection_id is not None:
            connection = self.connections.repo.view(row.tt_connection_id)
            if connection.has_secret:
                async with self.connections.tt_client(connection.id) as tt:
                    for hook in await tt.webhooks.list():
                        if hook.url == url:
                            await tt.webhooks.delete(hook.id, missing_ok=True)
                            notes.append(f"deleted TrackingTime webhook {hook.id}")
            else:
                notes.append("the TT connection has no credential: delete its webhook in TT")
        for remote_id in self._stored_hooks(row.id):
            self._forget_hook(row.id, remote_id)
        return notes

    async def _on_revoke(self, connection: ConnectionView) -> list[str]:
        if connection.system != TT or not connection.has_secret:
            return []
        with self.engine.connect() as conn:
            stmt = sa.select(bridges.c.id).where(bridges.c.tt_connection_id == connection.id)
            found: list[Any] = list(conn.execute(stmt).scalars().all())
        ids = [str(i) for i in found]
        notes: list[str] = []
        for bridge_id in ids:
            notes.extend(await self.unregister_webhooks(bridge_id))
        return notes

    # ---- internals ------------------------------------------------------------------------
    def _usable(self, ref: str, system: str, where: str) -> ConnectionView:
        view = self.connections.get(ref)
        if view.system != system:
            raise InvalidInput(f"{view.id} is a {view.system} connection", where=where)
        if not view.has_secret:
            raise InvalidInput(f"{view.id} has no credential (status {view.status})", where=where)
        return view

    def _stored_hooks(self, bridge_id: str) -> dict[str, str | None]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(bridge_webhooks.c.remote_id, bridge_webhooks.c.secret_ref).where(
                    bridge_webhooks.c.bridge_id == bridge_id, bridge_webhooks.c.system == TT
                )
            ).all()
        return {r.remote_id: r.secret_ref for r in rows}

    def _save_hook(self, bridge_id: str, remote_id: str, url: str, token: str) -> None:
        self._forget_hook(bridge_id, remote_id)
        secret_ref = self.vault.put("tt.webhook", {"token": token}, owner=bridge_id)
        with self.engine.begin() as conn:
            conn.execute(
                bridge_webhooks.insert().values(
                    bridge_id=bridge_id,
                    system=TT,
                    remote_id=remote_id,
                    url=url,
                    events=list(TT_WEBHOOK_EVENTS),
                    secret_ref=secret_ref,
                    created_at=utcnow(),
                )
            )

    def _forget_hook(self, bridge_id: str, remote_id: str) -> None:
        key = (bridge_webhooks.c.bridge_id == bridge_id) & (
            bridge_webhooks.c.remote_id == remote_id
        )
        with self.engine.begin() as conn:
            ref = conn.execute(sa.select(bridge_webhooks.c.secret_ref).where(key)).scalar()
            conn.execute(bridge_webhooks.delete().where(key))
        if ref:
            self.vault.delete(ref)


def _missing_events(hook: Any) -> set[str]:
    """The events ghltt needs that a remote webhook is not subscribed to; none when TT does
    not say which it is subscribed to."""
    events = getattr(hook, "events", None)
    if not events:
        return set()
    names = events.split(",") if isinstance(events, str) else events
    return set(TT_WEBHOOK_EVENTS) - {str(name).strip() for name in names}
