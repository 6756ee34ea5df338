"""How records look on the wire: GET shapes omit unset fields, list items spell them null,
webhook payloads are flat (reference §2.2, §2.8, §9.5)."""

from __future__ import annotations

from typing import Any

from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import iso_epoch_ms

_CONTACT_ORDER = (
    "id", "locationId", "firstName", "lastName", "email", "emailLowerCase", "timezone",
    "companyName", "phone", "dnd", "dndSettings", "type", "source", "assignedTo", "address1",
    "city", "state", "country", "postalCode", "website", "tags", "dateOfBirth", "dateAdded",
    "dateUpdated", "firstNameLowerCase", "fullNameLowerCase", "lastNameLowerCase", "customFields",
    "businessId", "attributionSource", "lastAttributionSource", "additionalEmails",
    "additionalPhones", "followers", "createdBy", "gender",
)  # fmt: skip

_WEBHOOK_CONTACT = (
    "id", "address1", "city", "companyName", "country", "source", "dateAdded", "dateOfBirth",
    "dnd", "email", "name", "firstName", "lastName", "phone", "postalCode", "state", "tags",
    "website", "attachments", "assignedTo", "customFields",
)  # fmt: skip

_LIST_NULLABLE = (
    "companyName", "email", "phone", "source", "assignedTo", "city", "state", "postalCode",
    "address1", "dateOfBirth", "businessId", "country", "website", "timezone",
)  # fmt: skip


def public(record: Record) -> Record:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def full_name(contact: Record) -> str:
    parts = [contact.get("firstName") or "", contact.get("lastName") or ""]
    return " ".join(p for p in parts if p).strip()


def _derived(contact: Record) -> Record:
    email = contact.get("email")
    first, last = contact.get("firstName"), contact.get("lastName")
    name = full_name(contact)
    return {
        "emailLowerCase": email.lower() if email else None,
        "firstNameLowerCase": first.lower() if first else None,
        "lastNameLowerCase": last.lower() if last else None,
        "fullNameLowerCase": name.lower() if name else None,
    }


def contact(record: Record) -> Record:
    """GET /contacts/{id} shape: spec order, unset fields omitted."""
    merged = {**public(record), **_derived(record)}
    out: Record = {}
    for key in _CONTACT_ORDER:
        value = merged.get(key)
        if value is not None:
            out[key] = value
    out.setdefault("tags", [])
    out.setdefault("customFields", [])
    return out


def created_contact(record: Record) -> Record:
    """POST /contacts/ shape (CreateContactSchema adds a few flags)."""
    out = contact(record)
    out["deleted"] = False
    out.setdefault("dnd", False)
    return out


def contact_list_item(record: Record) -> Record:
    """GET /contacts/ item: empty fields are null and names come lower-cased with *Raw twins
    (recorded real responses, reference §2.8)."""
    first, last = record.get("firstName"), record.get("lastName")
    item: Record = {
        "id": record["id"],
        "locationId": record["locationId"],
        "contactName": full_name(record).lower() or None,
        "firstName": first.lower() if first else None,
        "lastName": last.lower() if last else None,
        "firstNameRaw": first,
        "lastNameRaw": last,
    }
    for key in _LIST_NULLABLE:
        item[key] = record.get(key)
    item.update(
        {
            "dnd": bool(record.get("dnd", False)),
            "dndSettings": record.get("dndSettings") or {},
            "type": record.get("type", "lead"),
            "dateAdded": record["dateAdded"],
            "dateUpdated": record["dateUpdated"],
            "tags": list(record.get("tags", [])),
            "followers": list(record.get("followers", [])),
            "additionalEmails": list(record.get("additionalEmails", [])),
            "attributions": _attributions(record),
            "customFields": list(record.get("customFields", [])),
        }
    )
    return item


def _attributions(record: Record) -> list[Record]:
    source = record.get("attributionSource")
    if not source or "url" not in source:
        return []
    return [{**source, "isFirst": True}]


def sort_value(record: Record, field: str) -> Any:
    value = record.get(field)
    if field in ("dateAdded", "dateUpdated") and isinstance(value, str):
        return iso_epoch_ms(value) or 0
    if isinstance(value, str):
        return value.lower()
    return value if value is not None else ""


def contact_search_item(record: Record, sort_field: str) -> Record:
    """POST /contacts/search item: like GET but no dndSettings (ISS #43), plus the cursor."""
    out = contact(record)
    out.pop("dndSettings", None)
    out["searchAfter"] = [sort_value(record, sort_field), record["id"]]
    return out


def contact_webhook(record: Record, *, with_dnd: bool = False) -> Record:
    """Flat contact fields of Contact* events; unset fields omitted (reference §9.5)."""
    merged = {**public(record), "name": full_name(record) or None, "attachments": []}
    out: Record = {}
    for key in _WEBHOOK_CONTACT:
        value = merged.get(key)
        if value is not None:
            out[key] = value
    if with_dnd and record.get("dndSettings"):
        out["dndSettings"] = record["dndSettings"]
    if record.get("timezone"):
        out["timezone"] = record["timezone"]
    return out


def task(record: Record) -> Record:
    keys = ("id", "title", "body", "assignedTo", "dueDate", "completed", "contactId", "businessId")
    return {k: record[k] for k in keys if record.get(k) is not None}


def task_webhook(record: Record) -> Record:
    keys = ("id", "assignedTo", "body", "contactId", "title", "dateAdded", "dueDate")
    return {k: record[k] for k in keys if record.get(k) is not None}


def note(record: Record) -> Record:
    keys = (
        "id", "body", "userId", "dateAdded", "contactId", "title", "color", "pinned", "businessId",
    )  # fmt: skip
    return {k: record[k] for k in keys if record.get(k) is not None}


def note_webhook(record: Record) -> Record:
    keys = ("id", "body", "contactId", "dateAdded")
    return {k: record[k] for k in keys if record.get(k) is not None}


def appointment_event(record: Record) -> Record:
    """CalendarEventDTO (GET /calendars/events/appointments/{id}, GET /calendars/events)."""
    return public(record)


def appointment_created(record: Record) -> Record:
    """AppointmentSchemaResponse: the flat body of create and edit."""
    keys = (
        "id", "calendarId", "locationId", "contactId", "startTime", "endTime", "title",
        "meetingLocationType", "appointmentStatus", "assignedUserId", "address", "isRecurring",
        "rrule",
    )  # fmt: skip
    return {k: record[k] for k in keys if record.get(k) is not None}


def contact_appointment(record: Record) -> Record:
    """GetEventSchema item of GET /contacts/{id}/appointments."""
    keys = (
        "id", "calendarId", "title", "assignedUserId", "notes", "startTime", "endTime", "address",
        "locationId", "contactId", "groupId", "appointmentStatus", "users", "dateAdded",
        "dateUpdated", "assignedResources",
    )  # fmt: skip
    out = {k: record[k] for k in keys if record.get(k) is not None}
    out["status"] = "booked" if record.get("appointmentStatus") != "cancelled" else "cancelled"
    return out


def appointment_webhook(record: Record) -> Record:
    keys = (
        "id", "address", "title", "calendarId", "contactId", "groupId", "appointmentStatus",
        "assignedUserId", "users", "notes", "source", "startTime", "endTime", "dateAdded",
        "dateUpdated",
    )  # fmt: skip
    return {k: record[k] for k in keys if record.get(k) is not None}


def user(record: Record) -> Record:
    return public(record)


def calendar(record: Record) -> Record:
    """CalendarDTO: team members are objects (``userId``, ``priority``...), stored as ids."""
    out = public(record)
    out["teamMembers"] = [
        {"userId": m, "priority": 0.5, "isPrimary": i == 0}
        for i, m in enumerate(record.get("teamMembers", []))
    ]
    return out
