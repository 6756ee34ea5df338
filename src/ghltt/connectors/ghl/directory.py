"""Location-level lookups: businesses, custom fields, users."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, cast

from ghltt.connectors.ghl._core import GhlCore
from ghltt.connectors.ghl.models import (
    Business,
    BusinessInput,
    CustomField,
    CustomFieldInput,
    CustomFieldsByObject,
    InputModel,
    LocationCustomField,
    LocationCustomFieldInput,
    User,
)

__all__ = ["BusinessesApi", "CustomFieldsApi", "UsersApi"]


def _body(data: InputModel | Mapping[str, Any]) -> dict[str, Any]:
    return data.to_body() if isinstance(data, InputModel) else dict(data)


def _business(body: Mapping[str, Any]) -> Business:
    # Create and update answer under the misspelled key ``buiseness``.
    found = body.get("business", body.get("buiseness"))
    return Business.model_validate(found)


class BusinessesApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def list_page(self, *, limit: int = 100, skip: int = 0) -> list[Business]:
        params = {"locationId": self._core.location_id, "limit": limit, "skip": skip}
        body = await self._core.call("businesses.list", params=params)
        return [Business.model_validate(b) for b in body.get("businesses", [])]

    async def iterate(self, *, page_size: int = 100) -> AsyncIterator[Business]:
        """Every business once, paging with ``skip`` until a short page."""
        skip, seen = 0, set[str]()
        while True:
            page = await self.list_page(limit=page_size, skip=skip)
            for business in page:
                if business.id not in seen:
                    seen.add(business.id)
                    yield business
            if len(page) < page_size:
                return
            skip += len(page)

    async def get(self, business_id: str) -> Business:
        values = {"businessId": business_id}
        return cast(Business, await self._core.invoke("businesses.get", values))

    async def create(self, business: BusinessInput | Mapping[str, Any]) -> Business:
        payload = {"locationId": self._core.location_id, **_body(business)}
        return _business(await self._core.call("businesses.create", json=payload))

    async def update(
        self, business_id: str, changes: BusinessInput | Mapping[str, Any]
    ) -> Business:
        payload = _body(changes)
        payload.pop("locationId", None)
        return _business(
            await self._core.call(
                "businesses.update", path={"businessId": business_id}, json=payload
            )
        )

    async def delete(self, business_id: str) -> bool:
        values = {"businessId": business_id}
        return cast(bool, await self._core.invoke("businesses.delete", values))


class CustomFieldsApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def get(self, field_id: str) -> CustomField:
        return cast(CustomField, await self._core.invoke("custom_fields.get", {"id": field_id}))

    async def list_by_object(self, object_key: str = "contact") -> CustomFieldsByObject:
        values = {"objectKey": object_key}
        found = await self._core.invoke("custom_fields.list_by_object", values)
        return cast(CustomFieldsByObject, found)

    async def get_by_key(self, field_key: str, object_key: str = "contact") -> CustomField | None:
        """The field whose key is ``field_key``; ``contact.x`` and ``x`` name the same field."""
        wanted = {field_key, field_key.removeprefix(f"{object_key}.")}
        wanted.add(f"{object_key}.{field_key.removeprefix(f'{object_key}.')}")
        for field in (await self.list_by_object(object_key)).fields:
            if field.field_key in wanted:
                return field
        return None

    async def create(self, field: CustomFieldInput | Mapping[str, Any]) -> CustomField:
        return cast(CustomField, await self._core.invoke("custom_fields.create", _body(field)))

    async def update(
        self, field_id: str, changes: CustomFieldInput | Mapping[str, Any]
    ) -> CustomField:
        payload = {"locationId": self._core.location_id, **_body(changes)}
        body = await self._core.call("custom_fields.update", path={"id": field_id}, json=payload)
        return CustomField.model_validate(body["field"])

    async def delete(self, field_id: str) -> bool:
        return cast(bool, await self._core.invoke("custom_fields.delete", {"id": field_id}))

    async def of_location(self) -> list[LocationCustomField]:
        """The location's contact fields (the location API; v2's lists the same fields)."""
        found = await self._core.invoke("location_custom_fields.list", {})
        return cast(list[LocationCustomField], found)

    async def create_for_location(
        self, field: LocationCustomFieldInput | Mapping[str, Any]
    ) -> LocationCustomField:
        """Add a contact field to the location; GHL derives its key from the name."""
        found = await self._core.invoke("location_custom_fields.create", _body(field))
        return cast(LocationCustomField, found)


class UsersApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def list_for_location(self) -> list[User]:
        return cast(list[User], await self._core.invoke("users.list", {}))

    async def get(self, user_id: str) -> User:
        return cast(User, await self._core.invoke("users.get", {"userId": user_id}))

    async def search(
        self, *, company_id: str, query: str | None = None, limit: int = 25, skip: int = 0
    ) -> list[User]:
        params = {
            "companyId": company_id,
            "locationId": self._core.location_id,
            "query": query,
            "limit": limit,
            "skip": skip,
        }
        body = await self._core.call("users.search", params=params)
        return [User.model_validate(u) for u in body.get("users", [])]

    async def filter_by_email(self, *, company_id: str, emails: Sequence[str]) -> list[User]:
        payload = {"companyId": company_id, "emails": ",".join(emails), "projection": "all"}
        body = await self._core.call("users.filter_by_email", json=payload)
        return [User.model_validate(u) for u in body.get("users", [])]
