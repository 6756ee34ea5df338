"""What happens around a contact: tasks, notes and calendar appointments."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from ghltt.connectors.ghl._core import GhlCore, succeeded
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
        body = await self._core.call("tasks.list", path={"contactId": contact_id})
        return [Task.model_validate(t) for t in body.get("tasks", [])]

    async def iterate(self, contact_id: str) -> AsyncIterator[Task]:
        for task in await self.list_for(contact_id):
            yield task

    async def get(self, contact_id: str, task_id: str) -> Task:
        body = await self._core.call("tasks.get", path={"contactId": contact_id, "taskId": task_id})
        return Task.model_validate(body["task"])

    async def create(self, contact_id: str, task: TaskInput | Mapping[str, Any]) -> Task:
        """``title``, ``dueDate`` and ``completed`` are required by GHL."""
        payload = {"completed": False, **_body(task)}
        body = await self._core.call("tasks.create", path={"contactId": contact_id}, json=payload)
        return Task.model_validate(body["task"])

    async def update(
        self, contact_id: str, task_id: str, changes: TaskInput | Mapping[str, Any]
    ) -> Task:
        body = await self._core.call(
            "tasks.update", path={"contactId": contact_id, "taskId": task_id}, json=_body(changes)
        )
        return Task.model_validate(body["task"])

    async def set_completed(self, contact_id: str, task_id: str, completed: bool = True) -> Task:
        body = await self._core.call(
            "tasks.set_completed",
            path={"contactId": contact_id, "taskId": task_id},
            json={"completed": completed},
        )
        return Task.model_validate(body["task"])

    async def delete(self, contact_id: str, task_id: str) -> bool:
        body = await self._core.call(
            "tasks.delete", path={"contactId": contact_id, "taskId": task_id}
        )
        return succeeded(body)


class NotesApi:
    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def list_for(self, contact_id: str) -> list[Note]:
        """All of a contact's notes (one unpaged answer)."""
        body = await self._core.call("notes.list", path={"contactId": contact_id})
        return [Note.model_validate(n) for n in body.get("notes", [])]

    async def iterate(self, contact_id: str) -> AsyncIterator[Note]:
        for note in await self.list_for(contact_id):
            yield note

    async def get(self, contact_id: str, note_id: str) -> Note:
        body = await self._core.call("notes.get", path={"contactId": contact_id, "noteId": note_id})
        return Note.model_validate(body["note"])

    async def create(self, contact_id: str, note: NoteInput | Mapping[str, Any]) -> Note:
        body = await self._core.call(
            "notes.create", path={"contactId": contact_id}, json=_body(note)
        )
        return Note.model_validate(body["note"])

    async def update(
        self, contact_id: str, note_id: str, changes: NoteInput | Mapping[str, Any]
    ) -> Note:
        body = await self._core.call(
            "notes.update", path={"contactId": contact_id, "noteId": note_id}, json=_body(changes)
        )
        return Note.model_validate(body["note"])

    async def delete(self, contact_id: str, note_id: str) -> bool:
        body = await self._core.call(
            "notes.delete", path={"contactId": contact_id, "noteId": note_id}
        )
        return succeeded(body)


def _epoch_ms(value: datetime | int) -> str:
    return str(value if isinstance(value, int) else int(value.timestamp() * 1000))


class AppointmentsApi:
    """Calendar events (``Version: 2021-04-15``)."""

    def __init__(self, core: GhlCore) -> None:
        self._core = core

    async def create(self, appointment: AppointmentInput | Mapping[str, Any]) -> Appointment:
        """``calendarId``, ``contactId`` and ``startTime`` (ISO with offset) are required."""
        payload = {"locationId": self._core.location_id, **_body(appointment)}
        body = await self._core.call("appointments.create", json=payload)
        return Appointment.model_validate(body.get("event", body))

    async def get(self, event_id: str) -> Appointment:
        body = await self._core.call("appointments.get", path={"eventId": event_id})
        return Appointment.model_validate(body.get("event", body))

    async def update(
        self, event_id: str, changes: AppointmentInput | Mapping[str, Any]
    ) -> Appointment:
        payload = _body(changes)
        payload.pop("locationId", None)
        body = await self._core.call(
            "appointments.update", path={"eventId": event_id}, json=payload
        )
        return Appointment.model_validate(body.get("event", body))

    async def delete(self, event_id: str) -> bool:
        # The spec requires a JSON body (an empty object) on this DELETE.
        body = await self._core.call("appointments.delete", path={"eventId": event_id}, json={})
        return succeeded(body)

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
