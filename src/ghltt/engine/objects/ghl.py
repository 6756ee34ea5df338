"""GoHighLevel's synced object types (fields from the API v2 DTOs)."""

from __future__ import annotations

from ghltt.connectors.ghl import models
from ghltt.engine.objects.model import ObjectType, wire_fields, words

_CONTACT = (
    "firstName lastName name email phone address1 city state postalCode country website "
    "timezone companyName dateOfBirth source tags assignedTo dnd gender"
)

CONTACT = ObjectType(
    "ghl",
    "contact",
    "ghl.contacts.get",
    "ghl.contacts.upsert",
    "ghl.contacts.update",
    "ghl.contacts.delete",
    id_key="contactId",
    writes_answer_record=True,
    deletes=("webhook",),
    fields=words(_CONTACT),
    custom_fields=True,
    readable=wire_fields(models.Contact),
)
TASK = ObjectType(
    "ghl",
    "task",
    "ghl.tasks.get",
    "ghl.tasks.create",
    "ghl.tasks.update",
    "ghl.tasks.delete",
    id_key="taskId",
    parent="ghl.contact",
    parent_key="contactId",
    writes_answer_record=True,
    deletes=("webhook", "parent_list"),
    fields=words("title body dueDate completed assignedTo"),
    readable=wire_fields(models.Task),
)
NOTE = ObjectType(
    "ghl",
    "note",
    "ghl.notes.get",
    "ghl.notes.create",
    "ghl.notes.update",
    "ghl.notes.delete",
    id_key="noteId",
    parent="ghl.contact",
    parent_key="contactId",
    writes_answer_record=True,
    deletes=("webhook", "parent_list"),
    fields=words("body userId title color pinned"),
    readable=wire_fields(models.Note),
)
# An appointment names its contact as a field of its own, not in its address.
APPOINTMENT = ObjectType(
    "ghl",
    "appointment",
    "ghl.appointments.get",
    "ghl.appointments.create",
    "ghl.appointments.update",
    "ghl.appointments.delete",
    id_key="eventId",
    parent="ghl.contact",
    deletes=("webhook",),
    fields=words(
        "calendarId locationId contactId startTime endTime title appointmentStatus "
        "assignedUserId description address"
    ),
    readable=wire_fields(models.Appointment),
)

TYPES = (CONTACT, TASK, NOTE, APPOINTMENT)
