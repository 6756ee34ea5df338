"""What happens around a contact: tasks, notes and calendar appointments."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, cast

from ghltt.connectors.ghl._core import GhlCore
from ghltt.connectors.ghl.models import (
    Appointment,
    AppointmentInput,
    InputModel,
    Note,
    NoteInput,
    Task,
    TaskInput,
)

__all__ = ["AppointmentsApi", "NotesApi", "TasksApi"]


def _body(data: InputModel | Mapping[str, Any]) -> dict[str, Any]:
    return data.to_body() if isinstance(data, InputModel) else dict(data)


class TasksApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def list_for(self, contact_id: str) -> list[Task]:
        """All of a contact's tasks (GHL returns them in one answer, unpaged)."""
        return cast(list[Task], await self._core.invoke("tasks.list", {"contactId": contact_id}))

    async def iterate(self, contact_id: str) -> AsyncIterator[Task]:
        for task in await self.list_for(contact_id):
            yield task

    async def get(self, contact_id: str, task_id: str) -> Task:
        values = {"contactId": contact_id, "taskId": task_id}
        return cast(Task, await self._core.invoke("tasks.get", values))

    async def create(self, contact_id: str, task: TaskInput | Mapping[str, Any]) -> Task:
        """``title`` and ``dueDate`` are required by GHL; ``completed`` is False unless given."""
        values = {**_body(task), "contactId": contact_id}
        return cast(Task, await self._core.invoke("tasks.create", values))

    async def update(
        self, contact_id: str, task_id: str, changes: TaskInput | Mapping[str, Any]
    ) -> Task:
        values = {**_body(changes), "contactId": contact_id, "taskId": task_id}
        return cast(Task, await self._core.invoke("tasks.update", values))

    async def set_completed(self, contact_id: str, task_id: str, completed: bool = True) -> Task:
        values = {"contactId": contact_id, "taskId": task_id, "completed": completed}
        return cast(Task, await self._core.invoke("tasks.set_completed", values))

    async def delete(self, contact_id: str, task_id: str) -> bool:
        values = {"contactId": contact_id, "taskId": task_id}
        return cast(bool, await self._core.invoke("tasks.delete", values))


class NotesApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def list_for(self, contact_id: str) -> list[Note]:
        """All of a contact's notes (one unpaged answer)."""
        return cast(list[Note], await self._core.invoke("notes.list", {"contactId": contact_id}))

    async def iterate(self, contact_id: str) -> AsyncIterator[Note]:
        for note in await self.list_for(contact_id):
            yield note

    async def get(self, contact_id: str, note_id: str) -> Note:
        values = {"contactId": contact_id, "noteId": note_id}
        return cast(Note, await self._core.invoke("notes.get", values))

    async def create(self, contact_id: str, note: NoteInput | Mapping[str, Any]) -> Note:
        values = {**_body(note), "contactId": contact_id}
        return cast(Note, await self._core.invoke("notes.create", values))

    async def update(
        self, contact_id: str, note_id: str, changes: NoteInput | Mapping[str, Any]
    ) -> Note:
        values = {**_body(changes), "contactId": contact_id, "noteId": note_id}
        return cast(Note, await self._core.invoke("notes.update", values))

    async def delete(self, contact_id: str, note_id: str) -> bool:
        values = {"contactId": contact_id, "noteId": note_id}
        return cast(bool, await self._core.invoke("notes.delete", values))


def _epoch_ms(value: datetime | int) -> str:
    return str(value if isinstance(value, int) else int(value.timestamp() * 1000))


class AppointmentsApi:
    """Calendar events (``Version: 2021-04-15``)."""

    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def create(self, appointment: AppointmentInput | Mapping[str, Any]) -> Appointment:
        """``calendarId``, ``contactId`` and ``startTime`` (ISO with offset) are required."""
        return cast(Appointment, await self._core.invoke("appointments.create", _body(appointment)))

    async def get(self, event_id: str) -> Appointment:
        return cast(Appointment, await self._core.invoke("appointments.get", {"eventId": event_id}))

    async def update(
        self, event_id: str, changes: AppointmentInput | Mapping[str, Any]
    ) -> Appointment:
        payload = _body(changes)
        payload.pop("locationId", None)
        values = {**payload, "eventId": event_id}
        return cast(Appointment, await self._core.invoke("appointments.update", values))

    async def delete(self, event_id: str) -> bool:
        values = {"eventId": event_id}
        return cast(bool, await self._core.invoke("appointments.delete", values))

    async def list_events(
        self,
        *,
        start: datetime | int,
        end: datetime | int,
        calendar_id: str | None = None,
        user_id: str | None = None,
        group_id: str | None = None,
    ) -> list[Appointment]:
        """Events between ``start`` and ``end``; GHL needs one of calendar, user or group."""
        if not (calendar_id or user_id or group_id):
            raise ValueError("list_events needs calendar_id, user_id or group_id")
        params = {
            "locationId": self._core.location_id,
            "startTime": _epoch_ms(start),
            "endTime": _epoch_ms(end),
            "calendarId": calendar_id,
            "userId": user_id,
            "groupId": group_id,
        }
        body = await self._core.call("calendars.events", params=params)
        return [Appointment.model_validate(e) for e in body.get("events", [])]
