"""Tasks: CRUD, assignees, third-party ids, and the timer (track / stop)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, tzinfo
from typing import Any

from ghltt.connectors.trackingtime._resource import (
    Resource,
    ref_list,
    snapshot_tracker,
    third_party_fields,
)
from ghltt.connectors.trackingtime.changes import Changes, SnapshotCursor
from ghltt.connectors.trackingtime.models import Task, TimeEntry
from ghltt.connectors.trackingtime.pagination import paginate
from ghltt.connectors.trackingtime.timefmt import to_tt

__all__ = ["Tasks"]


class Tasks(Resource):
    def iterate(
        self,
        *,
        filter: str | None = None,
        page_size: int = 500,
        include_custom_fields: bool | None = None,
        **params: Any,
    ) -> AsyncIterator[Task]:
        """Every task, through ``/tasks/paginated`` (TT's default page is 500)."""

        async def page(number: int, size: int) -> list[Task]:
            query = {"filter": filter, "include_custom_fields": include_custom_fields, **params}
            query |= {"page": number, "page_size": size}
            return await self._many(Task, "tasks.list", params=query)

        return paginate(page, page_size=page_size, key=lambda task: task.id)

    async def list(self, **kwargs: Any) -> list[Task]:
        return [task async for task in self.iterate(**kwargs)]

    async def get(self, task_id: int, **params: Any) -> Task:
        return await self._one(Task, "tasks.get", ids={"id": task_id}, params=params)

    async def add(
        self,
        name: str,
        *,
        project_id: int | None = None,
        project_name: str | None = None,
        assignees: Iterable[int] | None = None,
        third_party_id: str | None = None,
        third_party_service: str | None = None,
        **fields: Any,
    ) -> Task:
        body = {
            "name": name,
            "project_id": project_id,
            "project_name": project_name,
            "users": ref_list(assignees),
            **fields,
        }
        extra = third_party_fields("TASK", third_party_id, third_party_service)
        if extra:
            body["custom_fields"] = [*body.get("custom_fields", ()), *extra]
        return await self._one(Task, "tasks.add", body=body)

    async def update(self, task_id: int, **fields: Any) -> Task:
        return await self._one(Task, "tasks.update", ids={"id": task_id}, body=fields)

    async def set_assignees(self, task_id: int, user_ids: Iterable[int]) -> Task:
        """Replace the assignees; an empty list removes them all."""
        return await self.update(task_id, users=ref_list(user_ids) or [])

    async def assignees(self, task_id: int) -> builtins.list[int]:
        """Ids of the users the task is assigned to (the task's ``users[]``)."""
        task = await self.get(task_id)
        return [int(u["id"]) for u in task.users or () if u.get("id") is not None]

    async def find_by_third_party_id(self, value: str) -> Task | None:
        """The task whose ``TASK_THIRD_PARTY_ID`` custom field holds ``value``, if any."""
        async for task in self.iterate(filter="ALL", include_custom_fields=True):
            if task.custom_field_value("TASK_THIRD_PARTY_ID") == value:
                return task
        return None

    async def set_third_party_id(
        self, task_id: int, value: str, *, service: str | None = None
    ) -> Task:
        fields = third_party_fields("TASK", value, service)
        return await self.update(task_id, custom_fields=fields)

    async def close(self, task_id: int) -> Task:
        """Complete the task (stops its timer, closes its subtasks)."""
        return await self._one(Task, "tasks.close", ids={"id": task_id})

    async def open(self, task_id: int) -> Task:
        return await self._one(Task, "tasks.open", ids={"id": task_id})

    async def delete(
        self, task_id: int, *, delete_all: bool | None = None, missing_ok: bool = False
    ) -> None:
        """``delete_all=False`` keeps the task's time entries."""
        params = {"delete_all": delete_all}
        await self._done("tasks.delete", ids={"id": task_id}, missing_ok=missing_ok, params=params)

    async def track(
        self,
        task_id: int,
        *,
        at: datetime | None = None,
        zone: str | tzinfo | None = None,
        stop_running_task: bool | None = None,
        notes: str | None = None,
        **fields: Any,
    ) -> TimeEntry:
        """Start the user's timer on the task; returns the running time entry.

        Raises ``TimerAlreadyRunning`` when a timer runs and ``stop_running_task`` is not set.
        Never retried once sent: a second start would be a second entry.
        """
        date, offset = to_tt(self._moment(at), zone or self._zone)
        body = {
            "date": date,
            "timezone": offset,
            "stop_running_task": stop_running_task,
            "notes": notes,
            **fields,
        }
        return await self._one(TimeEntry, "tasks.track", ids={"id": task_id}, body=body)

    async def stop(
        self, task_id: int, *, at: datetime | None = None, zone: str | tzinfo | None = None
    ) -> TimeEntry:
        """Stop the timer; returns the finished time entry."""
        date, offset = to_tt(self._moment(at), zone or self._zone)
        body = {"date": date, "timezone": offset}
        return await self._one(TimeEntry, "tasks.stop", ids={"id": task_id}, body=body)

    async def changes(
        self, cursor: SnapshotCursor | None = None, *, filter: str = "ALL"
    ) -> Changes[Task]:
        """Created, updated and deleted tasks since ``cursor``, from a full paged read."""
        records = await self.list(filter=filter)
        tracker = snapshot_tracker(Task)
        return tracker.diff(records, cursor or SnapshotCursor(), complete=filter == "ALL")

    def _moment(self, at: datetime | None) -> datetime:
        return at if at is not None else self._clock.now()
