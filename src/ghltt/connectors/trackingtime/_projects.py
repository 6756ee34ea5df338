"""Projects and their task lists."""

from __future__ import annotations

from typing import Any

from ghltt.connectors.trackingtime._resource import Archivable, Resource, third_party_fields
from ghltt.connectors.trackingtime.models import CompactUser, Project, TaskList

__all__ = ["Projects", "TaskLists"]


class Projects(Archivable[Project]):
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
