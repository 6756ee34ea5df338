"""The TrackingTime webhooks of a bridge: subscribed once per bridge, their tokens in the vault.

Registration lists what TrackingTime already has first, so running it twice (or after a crash
between "added" and "saved") never subscribes the same URL twice. A subscription made with
fewer events (by an older ghltt) is replaced: TrackingTime cannot change a webhook's events.
"""

from __future__ import annotations

from typing import Any

from ghltt.bridges.clients import Clients
from ghltt.core import InvalidInput
from ghltt.store.bridges import BridgeRepository
from ghltt.store.connections import ConnectionView
from ghltt.vault import TT

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


class TtWebhooks:
    def __init__(self, rows: BridgeRepository, clients: Clients, public_url: str) -> None:
        self.rows = rows
        self.clients = clients
        self.vault = clients.connections.vault
        self.public_url = public_url.rstrip("/")

    def url(self, bridge_id: str) -> str:
        return f"{self.public_url}/hooks/tt/{bridge_id}"

    def tokens(self, bridge_id: str) -> list[str]:
        """The verification tokens of a bridge's webhooks, for the intake's verifier."""
        refs = [r for r in self.rows.webhook_secret_refs(bridge_id, TT).values() if r]
        return [str(self.vault.get(r).payload["token"]) for r in refs]

    async def register(self, ref: str, *, renew: bool = False) -> str:
        """Make sure the bridge's webhook is subscribed in TT; the id of the one kept.

        ``renew``: subscribe anew and drop what was there, as after a credential changed (a
        subscription belongs to the credential that made it).
        """
        row = self.rows.resolve(ref)
        url = self.url(row.id)
        async with self.clients.tt(row.tt_connection_id) as tt:
            remote = [h for h in await tt.webhooks.list() if h.url == url]
            remote.sort(key=lambda hook: bool(missing_events(hook)))  # complete ones first
            stored = self.rows.webhook_secret_refs(row.id, TT)
            if renew or not remote or missing_events(remote[0]):
                # Subscribed by an older ghltt to fewer events, or under another credential.
                # TT cannot change a webhook: subscribe anew, then drop the old one (added
                # first, so no delivery falls between; one sent to both is two inbox events,
                # and runs are idempotent).
                created = await tt.webhooks.add(url, TT_WEBHOOK_EVENTS)
                if not created.secret:
                    raise InvalidInput("TrackingTime added the webhook without a token", where=url)
                self.save(row.id, str(created.id), url, created.secret)
                for old in remote:
                    await tt.webhooks.delete(old.id, missing_ok=True)
                kept = str(created.id)
            else:
                keep, extra = remote[0], remote[1:]
                if not (str(keep.id) in stored and stored[str(keep.id)]):
                    # Subscribed earlier but its token was never saved: renew the token.
                    token = await tt.webhooks.reset_token(keep.id)
                    self.save(row.id, str(keep.id), url, token)
                for duplicate in extra:
                    await tt.webhooks.delete(duplicate.id, missing_ok=True)
                kept = str(keep.id)
        for remote_id in set(stored) - {kept}:
            self.forget(row.id, remote_id)
        return kept

    async def unregister(self, ref: str) -> list[str]:
        row = self.rows.resolve(ref)
        url = self.url(row.id)
        notes: list[str] = []
        if row.tt_connection_id is not None:
            connection = self.clients.connections.repo.view(row.tt_connection_id)
            if connection.has_secret:
                async with self.clients.tt(connection.id) as tt:
                    for hook in await tt.webhooks.list():
                        if hook.url == url:
                            await tt.webhooks.delete(hook.id, missing_ok=True)
                            notes.append(f"deleted TrackingTime webhook {hook.id}")
            else:
                notes.append("the TT connection has no credential: delete its webhook in TT")
        for remote_id in self.rows.webhook_secret_refs(row.id, TT):
            self.forget(row.id, remote_id)
        return notes

    async def on_revoke(self, connection: ConnectionView) -> list[str]:
        """The vault's revoke hook: a TT connection's webhooks go before its credential."""
        if connection.system != TT or not connection.has_secret:
            return []
        notes: list[str] = []
        for bridge_id in self.rows.ids_of_tt_connection(connection.id):
            notes.extend(await self.unregister(bridge_id))
        return notes

    async def on_fixed(self, connection: ConnectionView) -> list[str]:
        """The vault's hook once a TT connection works again (rotated, reconnected): its
        bridges' webhooks are subscribed anew under the new credential."""
        if connection.system != TT:
            return []
        notes: list[str] = []
        for bridge_id in self.rows.ids_of_tt_connection(connection.id):
            kept = await self.register(bridge_id, renew=True)
            name = self.rows.resolve(bridge_id).name
            notes.append(f"re-registered the TrackingTime webhook of bridge {name} ({kept})")
        return notes

    def save(self, bridge_id: str, remote_id: str, url: str, token: str) -> None:
        self.forget(bridge_id, remote_id)
        secret_ref = self.vault.put("tt.webhook", {"token": token}, owner=bridge_id)
        self.rows.add_webhook(
            bridge_id,
            system=TT,
            remote_id=remote_id,
            url=url,
            events=list(TT_WEBHOOK_EVENTS),
            secret_ref=secret_ref,
        )

    def forget(self, bridge_id: str, remote_id: str) -> None:
        ref = self.rows.remove_webhook(bridge_id, remote_id)
        if ref:
            self.vault.delete(ref)


def missing_events(hook: Any) -> set[str]:
    """The events ghltt needs that a remote webhook is not subscribed to; none when TT does
    not say which it is subscribed to."""
    events = getattr(hook, "events", None)
    if not events:
        return set()
    names = events.split(",") if isinstance(events, str) else events
    return set(TT_WEBHOOK_EVENTS) - {str(name).strip() for name in names}
