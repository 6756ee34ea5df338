"""Account set-up resources: custom fields, their enum options, and webhooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ghltt.connectors.trackingtime._base import Resource, as_list, decode
from ghltt.connectors.trackingtime.models import CustomField, EnumOption, Webhook, WebhookCreated

__all__ = ["CustomFields", "EnumOptions", "Webhooks"]


class CustomFields(Resource):
    async def list(self, **params: Any) -> list[CustomField]:
        return await self._many(CustomField, "custom_fields.list", params=params)

    async def by_slug(self, slug: str) -> CustomField | None:
        """The field with this slug (``EVENT_THIRD_PARTY_ID``…), or None."""
        return next((cf for cf in await self.list() if cf.slug == slug), None)

    async def add(
        self, name: str, value_type: str, filter_object_class: str, **fields: Any
    ) -> CustomField:
        """``value_type``: text, number, enum…; ``filter_object_class``: event, task, project…"""
        body = {
            "name": name,
            "value_type": value_type,
            "filter_object_class": filter_object_class,
            **fields,
        }
        return await self._one(CustomField, "custom_fields.add", body=body)

    async def update(self, field_id: int, **fields: Any) -> CustomField:
        return await self._one(
            CustomField, "custom_fields.update", ids={"id": field_id}, body=fields
        )

    async def delete(self, field_id: int, *, missing_ok: bool = False) -> None:
        await self._done("custom_fields.delete", ids={"id": field_id}, missing_ok=missing_ok)


class EnumOptions(Resource):
    async def list(self, field_id: int, *, enabled: bool | None = None) -> list[EnumOption]:
        params = {"enabled": enabled}
        return await self._many(
            EnumOption, "enum_options.list", ids={"id": field_id}, params=params
        )

    async def add(self, field_id: int, name: str, **fields: Any) -> EnumOption:
        body = {"name": name, "custom_field": field_id, **fields}
        return await self._one(EnumOption, "enum_options.add", body=body)

    async def update(self, option_id: int, **fields: Any) -> EnumOption:
        return await self._one(
            EnumOption, "enum_options.update", ids={"id": option_id}, body=fields
        )

    async def delete(self, option_id: int, *, missing_ok: bool = False) -> None:
        await self._done("enum_options.delete", ids={"id": option_id}, missing_ok=missing_ok)


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
