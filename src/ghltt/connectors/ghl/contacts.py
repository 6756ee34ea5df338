"""Contacts and what hangs off a contact by membership: tags, followers, campaigns, workflows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Literal, cast

from ghltt.connectors.ghl._core import GhlCore, succeeded
from ghltt.connectors.ghl.models import (
    Appointment,
    BulkTagsResult,
    Contact,
    ContactInput,
    ContactListPage,
    ContactSearchPage,
    FollowersResult,
    TagsResult,
    UpsertResult,
)
from ghltt.connectors.ghl.pagination import Page, paginate

__all__ = ["CampaignsApi", "ContactsApi", "FollowersApi", "TagsApi", "WorkflowsApi"]

ContactData = ContactInput | Mapping[str, Any]
ListCursor = tuple[int, str]
SearchCursor = tuple[Any, ...]


def _body(data: ContactData) -> dict[str, Any]:
    return data.to_body() if isinstance(data, ContactInput) else dict(data)


class ContactsApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def get(self, contact_id: str) -> Contact:
        return cast(Contact, await self._core.invoke("contacts.get", {"contactId": contact_id}))

    async def create(self, contact: ContactData) -> Contact:
        """Not retried after a 5xx (not idempotent); prefer ``upsert`` for sync writes.

        Raises ``DuplicateContact`` (with ``contact_id``) when the location forbids duplicates.
        """
        return cast(Contact, await self._core.invoke("contacts.create", _body(contact)))

    async def update(self, contact_id: str, changes: ContactData) -> Contact:
        """PUT: only the fields given change, except ``tags``, which replaces the whole list."""
        payload = _body(changes)
        payload.pop("locationId", None)
        values = {**payload, "contactId": contact_id}
        return cast(Contact, await self._core.invoke("contacts.update", values))

    async def delete(self, contact_id: str) -> bool:
        return cast(bool, await self._core.invoke("contacts.delete", {"contactId": contact_id}))

    async def upsert(self, contact: ContactData) -> UpsertResult:
        """Create or update by the location's duplicate rule (email/phone): safe to retry."""
        return cast(UpsertResult, await self._core.invoke("contacts.upsert", _body(contact)))

    async def search_page(self, body: Mapping[str, Any]) -> ContactSearchPage:
        """One raw ``POST /contacts/search`` (``locationId`` added when missing)."""
        payload = {"locationId": self._core.location_id, **body}
        return ContactSearchPage.model_validate(
            await self._core.call("contacts.search", json=payload)
        )

    def search(
        self,
        *,
        filters: Sequence[Mapping[str, Any]] = (),
        query: str | None = None,
        sort: Sequence[Mapping[str, Any]] = (),
        page_limit: int = 100,
    ) -> AsyncIterator[Contact]:
        """Every matching contact once, paging with ``searchAfter`` (no 10,000-record cap)."""
        base: dict[str, Any] = {"pageLimit": page_limit, "filters": list(filters)}
        if query:
            base["query"] = query
        if sort:
            base["sort"] = list(sort)

        async def fetch(cursor: SearchCursor | None) -> Page[Contact, SearchCursor]:
            page = await self.search_page(
                {**base, **({"searchAfter": list(cursor)} if cursor else {})}
            )
            last = page.contacts[-1].search_after if page.contacts else None
            full = len(page.contacts) >= page_limit
            return page.contacts, (tuple(last) if last and full else None)

        return paginate(fetch, key=lambda c: c.id)

    async def list_page(
        self,
        *,
        limit: int = 100,
        start_after: int | None = None,
        start_after_id: str | None = None,
        query: str | None = None,
    ) -> ContactListPage:
        """One page of the deprecated ``GET /contacts/`` (limit ≤ 100)."""
        params = {
            "locationId": self._core.location_id,
            "limit": limit,
            "startAfter": start_after,
            "startAfterId": start_after_id,
            "query": query,
        }
        return ContactListPage.model_validate(await self._core.call("contacts.list", params=params))

    def list_all(self, *, query: str | None = None, limit: int = 100) -> AsyncIterator[Contact]:
        """Every contact once via the deprecated list (``startAfter`` + ``startAfterId``)."""
        state = {"yielded": 0}

        async def fetch(cursor: ListCursor | None) -> Page[Contact, ListCursor]:
            after, after_id = cursor if cursor else (None, None)
            page = await self.list_page(
                limit=limit, start_after=after, start_after_id=after_id, query=query
            )
            state["yielded"] += len(page.contacts)
            meta = page.meta
            if meta is None or meta.start_after is None or not meta.start_after_id:
                return page.contacts, None
            if meta.total is not None and state["yielded"] >= meta.total:
                return page.contacts, None
            return page.contacts, (meta.start_after, meta.start_after_id)

        return paginate(fetch, key=lambda c: c.id)

    async def find_duplicate(
        self, *, email: str | None = None, phone: str | None = None
    ) -> Contact | None:
        """The contact the location's duplicate rule would match, if any."""
        params = {"locationId": self._core.location_id, "email": email, "number": phone}
        body = await self._core.call("contacts.find_duplicate", params=params)
        found = body.get("contact")
        return Contact.model_validate(found) if found else None

    async def list_by_business(
        self, business_id: str, *, limit: int = 25, skip: int = 0, query: str | None = None
    ) -> list[Contact]:
        params = {
            "locationId": self._core.location_id,
            "limit": limit,
            "skip": skip,
            "query": query,
        }
        body = await self._core.call(
            "contacts.list_by_business", path={"businessId": business_id}, params=params
        )
        return [Contact.model_validate(c) for c in body.get("contacts", [])]

    async def set_business(self, contact_ids: Sequence[str], business_id: str | None) -> list[str]:
        """Link contacts to a business (None unlinks); returns the ids GHL reports."""
        payload = {
            "locationId": self._core.location_id,
            "ids": list(contact_ids),
            "businessId": business_id,
        }
        body = await self._core.call("contacts.set_business", json=payload)
        return [str(i) for i in body.get("ids", [])]

    async def appointments(self, contact_id: str) -> list[Appointment]:
        values = {"contactId": contact_id}
        return cast(list[Appointment], await self._core.invoke("contacts.appointments", values))


class TagsApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def add(self, contact_id: str, tags: Sequence[str]) -> TagsResult:
        values = {"contactId": contact_id, "tags": list(tags)}
        return cast(TagsResult, await self._core.invoke("tags.add", values))

    async def remove(self, contact_id: str, tags: Sequence[str]) -> TagsResult:
        values = {"contactId": contact_id, "tags": list(tags)}
        return cast(TagsResult, await self._core.invoke("tags.remove", values))

    async def bulk(
        self,
        change: Literal["add", "remove"],
        contact_ids: Sequence[str],
        tags: Sequence[str],
        *,
        remove_all: bool = False,
    ) -> BulkTagsResult:
        payload: dict[str, Any] = {
            "locationId": self._core.location_id,
            "contacts": list(contact_ids),
            "tags": list(tags),
        }
        if change == "remove" and remove_all:
            payload["removeAllTags"] = True
        body = await self._core.call("tags.bulk_update", path={"type": change}, json=payload)
        return BulkTagsResult.model_validate(body)


class FollowersApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def add(self, contact_id: str, user_ids: Sequence[str]) -> FollowersResult:
        values = {"contactId": contact_id, "followers": list(user_ids)}
        return cast(FollowersResult, await self._core.invoke("followers.add", values))

    async def remove(self, contact_id: str, user_ids: Sequence[str]) -> FollowersResult:
        values = {"contactId": contact_id, "followers": list(user_ids)}
        return cast(FollowersResult, await self._core.invoke("followers.remove", values))


class CampaignsApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def add(self, contact_id: str, campaign_id: str) -> bool:
        path = {"contactId": contact_id, "campaignId": campaign_id}
        return succeeded(await self._core.call("campaigns.add", path=path, json={}))

    async def remove(self, contact_id: str, campaign_id: str) -> bool:
        path = {"contactId": contact_id, "campaignId": campaign_id}
        return succeeded(await self._core.call("campaigns.remove", path=path))

    async def remove_all(self, contact_id: str) -> bool:
        path = {"contactId": contact_id}
        return succeeded(await self._core.call("campaigns.remove_all", path=path))


class WorkflowsApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def add(
        self, contact_id: str, workflow_id: str, *, event_start_time: str | None = None
    ) -> bool:
        path = {"contactId": contact_id, "workflowId": workflow_id}
        payload = {"eventStartTime": event_start_time} if event_start_time else {}
        return succeeded(await self._core.call("workflows.add", path=path, json=payload))

    async def remove(self, contact_id: str, workflow_id: str) -> bool:
        path = {"contactId": contact_id, "workflowId": workflow_id}
        return succeeded(await self._core.call("workflows.remove", path=path, json={}))
