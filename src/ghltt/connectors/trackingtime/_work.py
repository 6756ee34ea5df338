"""Customers, services, projects and their task lists."""

from __future__ import annotations

from typing import Any

from ghltt.connectors.trackingtime._base import M, Resource, WholeList
from ghltt.connectors.trackingtime.models import CompactUser, Customer, Project, Service, TaskList

__all__ = ["Customers", "Projects", "Services", "TaskLists", "third_party_fields"]


def third_party_fields(kind: str, value: str | None, service: str | None) -> list[dict[str, str]]:
    """``custom_fields`` entries that store a third-party id by the system slugs.

    ``kind`` is ``EVENT``, ``TASK``, ``PROJECT`` or ``CUSTOMER``; the id is what keeps a retried
    add from writing twice (find by it first).
    """
    fields: list[dict[str, str]] = []
    if value is not None:
        fields.append({"slug": f"{kind}_THIRD_PARTY_ID", "value": value})
    if service is not None:
        fields.append({"slug": f"{kind}_THIRD_PARTY_SERVICE", "value": service})
    return fields


class _Archivable(WholeList[M]):
    """close/open/delete by id, shared by customers, services and projects."""

    kind: str = ""

    async def find_by_third_party_id(self, value: str) -> M | None:
        """The record whose ``<KIND>_THIRD_PARTY_ID`` custom field holds ``value``, if any."""
        records = await self.list(filter="ALL", include_custom_fields=True)
        slug = f"{self.kind}_THIRD_PARTY_ID"
        return next((r for r in records if r.custom_field_value(slug) == value), None)

    async def close(self, record_id: int) -> M:
        return await self._one(self.model, f"{self.prefix}.close", ids={"id": record_id})

    async def open(self, record_id: int) -> M:
        return await self._one(self.model, f"{self.prefix}.open", ids={"id": record_id})

    async def delete(self, record_id: int, *, missing_ok: bool = False, **params: Any) -> None:
        await self._done(
            f"{self.prefix}.delete", ids={"id": record_id}, missing_ok=missing_ok, params=params
        )

    async def get(self, record_id: int, **params: Any) -> M:
        name = f"{self.prefix}.get"
        return await self._one(self.model, name, ids={"id": record_id}, params=params)

    async def update(self, record_id: int, **fields: Any) -> M:
        name = f"{self.prefix}.update"
        return await self._one(self.model, name, ids={"id": record_id}, body=fields)


class Customers(_Archivable[Customer]):
    model = Customer
    prefix = "customers"
    kind = "CUSTOMER"

    async def add(
        self,
        name: str,
        *,
        notes: str | None = None,
        third_party_id: str | None = None,
        third_party_service: str | None = None,
        **fields: Any,
    ) -> Customer:
        extra = third_party_fields("CUSTOMER", third_party_id, third_party_service)
        body = {"name": name, "notes": notes, **fields}
        if extra:
            body["custom_fields"] = [*body.get("custom_fields", ()), *extra]
        return await self._one(Customer, "customers.add", body=body)


class Services(_Archivable[Service]):
    model = Service
    prefix = "services"

    async def add(self, name: str, **fields: Any) -> Service:
        return await self._one(Service, "services.add", body={"name": name, **fields})


class Projects(_Archivable[Project]):
    model = Project
    prefix = "projects"
    kind = "PROJECT"

    async def add(
        self,
        name: str,
        *,
        customer_id: int | None = None,
        customer_name: str | None = None,
        third_party_id: str | None = None,
        third_party_service: str | None = None,
        **fields: Any,
    ) -> Project:
        """``customer_name`` is found case-insensitively, or created."""
        body = {"name": name, "customer_id": customer_id, "customer_name": customer_name, **fields}
        extra = third_party_fields("PROJECT", third_party_id, third_party_service)
        if extra:
            body["custom_fields"] = [*body.get("custom_fields", ()), *extra]
        return await self._one(Project, "projects.add", body=body)

    async def delete(
        self,
        record_id: int,
        *,
        missing_ok: bool = False,
        delete_all: bool | None = None,
        **params: Any,
    ) -> None:
        """``delete_all=False`` keeps the project's tasks and time entries (TT's default: True)."""
        await super().delete(record_id, missing_ok=missing_ok, delete_all=delete_all, **params)

    async def users(self, project_id: int) -> list[CompactUser]:
        """Users with at least one task in the project."""
        return await self._many(CompactUser, "projects.users", ids={"id": project_id})


class TaskLists(Resource):
    async def list(self, project_id: int) -> list[TaskList]:
        return await self._many(TaskList, "task_lists.list", ids={"id": project_id})

    async def add(self, project_id: int, name: str, *, index: int | None = None) -> TaskList:
        body = {"name": name, "index": index, "project_id": project_id}
        return await self._one(TaskList, "task_lists.add", ids={"id": project_id}, body=body)
