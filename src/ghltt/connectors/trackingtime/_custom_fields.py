"""Custom fields and the options of enum fields."""

from __future__ import annotations

from typing import Any

from ghltt.connectors.trackingtime._resource import Resource
from ghltt.connectors.trackingtime.models import CustomField, EnumOption

__all__ = ["CustomFields", "EnumOptions"]


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
