"""Webhook subscriptions: which URL TT calls for which events (deliveries are ``webhooks``)."""

from __future__ import annotations

from collections.abc import Iterable

from ghltt.connectors.trackingtime._resource import Resource, as_list, decode
from ghltt.connectors.trackingtime.models import Webhook, WebhookCreated

__all__ = ["Webhooks"]


class Webhooks(Resource):
    async def list(self, *, filter: str | None = None) -> list[Webhook]:
        # n8n reads ``webhooks.data[]`` where the docs say ``data[]``: accept both.
        envelope = await self._api.call("webhooks.list", params={"filter": filter})
        items = as_list(envelope.get("data"), "webhooks")
        if not items and isinstance(envelope.get("webhooks"), dict):
            items = as_list(envelope["webhooks"], "data")
        hooks: list[Webhook] = decode(list[Webhook], items, "webhooks.list")
        return hooks

    async def get(self, webhook_id: int) -> Webhook:
        return await self._one(Webhook, "webhooks.get", ids={"id": webhook_id})

    async def add(
        self, url: str, events: Iterable[str], *, grouped: bool | None = None
    ) -> WebhookCreated:
        """Subscribe ``url``; keep the returned ``secret``: deliveries carry it."""
        body = {"url": url, "events": ",".join(events), "grouped": grouped}
        return await self._one(WebhookCreated, "webhooks.add", body=body)

    async def delete(self, webhook_id: int, *, missing_ok: bool = False) -> None:
        await self._done("webhooks.delete", ids={"id": webhook_id}, missing_ok=missing_ok)

    async def enable(self, webhook_id: int) -> Webhook:
        return await self._one(Webhook, "webhooks.enable", ids={"id": webhook_id})

    async def disable(self, webhook_id: int) -> Webhook:
        return await self._one(Webhook, "webhooks.disable", ids={"id": webhook_id})

    async def reset_token(self, webhook_id: int) -> str:
        """A new verification token; the old one stops working."""
        data = await self._data("webhooks.reset_token", ids={"id": webhook_id})
        token = data.get("token") or data.get("secret") if isinstance(data, dict) else data
        if not isinstance(token, str) or not token:
            raise ValueError("TrackingTime answered reset_token without a token")
        return token
