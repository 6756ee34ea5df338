"""Users and the caller's own identity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from ghltt.connectors.trackingtime._resource import WholeList
from ghltt.connectors.trackingtime.models import Project, Task, Trackables, User
from ghltt.connectors.trackingtime.pagination import paginate

__all__ = ["Users"]


class Users(WholeList[User]):
    model = User
    prefix = "users"

    async def get(self, user_id: int, **params: Any) -> User:
        return await self._one(User, "users.get", ids={"id": user_id}, params=params)

    async def add(
        self,
        name: str,
        role: str,
        *,
        surname: str | None = None,
        email: str | None = None,
        **fields: Any,
    ) -> User:
        body = {"name": name, "role": role, "surname": surname, "email": email, **fields}
        return await self._one(User, "users.add", body=body)

    async def update(self, user_id: int, **fields: Any) -> User:
        return await self._one(User, "users.update", ids={"id": user_id}, body=fields)

    async def close(self, user_id: int) -> User:
        """Archive the user (this also stops their running timer)."""
        return await self._one(User, "users.close", ids={"id": user_id})

    async def open(self, user_id: int) -> User:
        return await self._one(User, "users.open", ids={"id": user_id})

    def assigned_tasks(
        self,
        user_id: int,
        *,
        filter: str | None = None,
        page_size: int = 100,
        sort_by: str | None = None,
        order: str | None = None,
    ) -> AsyncIterator[Task]:
        """Every task assigned to the user, page by page (TT's default page is 100)."""

        async def page(number: int, size: int) -> list[Task]:
            params: dict[str, Any] = {"filter": filter, "sort_by": sort_by, "order": order}
            params |= {"page": number, "page_size": size}
            return await self._many(
                Task, "users.assigned_tasks", ids={"id": user_id}, params=params
            )

        return paginate(page, page_size=page_size, key=lambda task: task.id)

    async def trackables(
        self,
        user_id: int,
        *,
        project_id: int | None = None,
        include_tasks: bool | None = None,
        only_favorites: bool | None = None,
    ) -> Trackables:
        params = {
            "project_id": project_id,
            "include_tasks": include_tasks,
            "only_favorites": only_favorites,
        }
        return await self._one(Trackables, "users.trackables", ids={"id": user_id}, params=params)

    async def projects(self, user_id: int) -> list[Project]:
        """The user's projects (TT wraps this list as ``{"projects": [...]}``)."""
        return await self._many(Project, "users.projects", key="projects", ids={"id": user_id})

    async def tracking(self, user_id: int) -> list[Task]:
        """Tasks running now for the user, in any account; empty when idle."""
        return await self._many(Task, "users.tracking", ids={"id": user_id})
