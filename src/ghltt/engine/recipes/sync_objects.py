"""The object types a sync recipe may pair, the actions the runner uses on each, and the
fields a mapping may write (from docs: GHL API v2 DTOs and TT v4 add/update parameters).

``state`` fields are not sent in an update: the runner turns them into the archive / unarchive
actions (TT has no ``is_archived`` parameter, only close/open).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SyncObject:
    system: str  # "ghl" or "tt"
    name: str
    get: str
    create: str
    update: str
    delete: str | None
    archive: str | None = None
    unarchive: str | None = None
    parent: str | None = None  # the object type a record lives under (GHL task → contact)
    fields: frozenset[str] = frozenset()
    state: frozenset[str] = frozenset()
    custom_fields: bool = False

    @property
    def type(self) -> str:
        return f"{self.system}.{self.name}"

    @property
    def writable(self) -> frozenset[str]:
        return self.fields | self.state

    def actions(self) -> tuple[str, ...]:
        found = (self.get, self.create, self.update, self.delete, self.archive, self.unarchive)
        return tuple(a for a in found if a)


def _f(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GHL_CONTACT = (
    "firstName lastName name email phone address1 city state postalCode country website "
    "timezone companyName dateOfBirth source tags assignedTo dnd gender"
)
_TT_TASK = (
    "name description project_id project_name due_date estimated_time users type list_id "
    "list_position is_billable priority json service_name"
)
_TT_EVENT = (
    "start end duration timezone user_id task_id task_name project_id project_name notes "
    "event_type is_billed"
)
_TT_PROJECT = (
    "name customer_id customer_name service_name is_public estimated_time notes color "
    "delivery_date is_billable hourly_rate fixed_rate"
)

OBJECTS: dict[str, SyncObject] = {
    o.type: o
    for o in (
        SyncObject(
            "ghl",
            "contact",
            "ghl.contacts.get",
            "ghl.contacts.upsert",
            "ghl.contacts.update",
            "ghl.contacts.delete",
            fields=_f(_GHL_CONTACT),
            custom_fields=True,
        ),
        SyncObject(
            "ghl",
            "task",
            "ghl.tasks.get",
            "ghl.tasks.create",
            "ghl.tasks.update",
            "ghl.tasks.delete",
            parent="ghl.contact",
            fields=_f("title body dueDate completed assignedTo"),
        ),
        SyncObject(
            "ghl",
            "note",
            "ghl.notes.get",
            "ghl.notes.create",
            "ghl.notes.update",
            "ghl.notes.delete",
            parent="ghl.contact",
            fields=_f("body userId title color pinned"),
        ),
        SyncObject(
            "ghl",
            "appointment",
            "ghl.appointments.get",
            "ghl.appointments.create",
            "ghl.appointments.update",
            "ghl.appointments.delete",
            parent="ghl.contact",
            fields=_f(
                "calendarId locationId contactId startTime endTime title appointmentStatus "
                "assignedUserId description address"
            ),
        ),
        SyncObject(
            "tt",
            "customer",
            "tt.customers.get",
            "tt.customers.add",
            "tt.customers.update",
            "tt.customers.delete",
            "tt.customers.close",
            "tt.customers.open",
            fields=_f("name notes contact_name contact_email"),
            state=_f("is_archived"),
            custom_fields=True,
        ),
        SyncObject(
            "tt",
            "project",
            "tt.projects.get",
            "tt.projects.add",
            "tt.projects.update",
            "tt.projects.delete",
            "tt.projects.close",
            "tt.projects.open",
            fields=_f(_TT_PROJECT),
            state=_f("is_archived"),
            custom_fields=True,
        ),
        SyncObject(
            "tt",
            "task",
            "tt.tasks.get",
            "tt.tasks.add",
            "tt.tasks.update",
            "tt.tasks.delete",
            "tt.tasks.close",
            "tt.tasks.open",
            parent="tt.project",
            fields=_f(_TT_TASK),
            state=_f("is_archived"),
            custom_fields=True,
        ),
        SyncObject(
            "tt",
            "event",
            "tt.events.get",
            "tt.events.add",
            "tt.events.update",
            "tt.events.delete",
            parent="tt.project",
            fields=_f(_TT_EVENT),
            custom_fields=True,
        ),
        SyncObject(
            "tt",
            "user",
            "tt.users.get",
            "tt.users.add",
            "tt.users.update",
            None,
            "tt.users.close",
            "tt.users.open",
            fields=_f("name surname email role hourly_rate hourly_cost"),
            state=_f("is_archived"),
            custom_fields=True,
        ),
    )
}


def names(system: str) -> list[str]:
    return sorted(o.name for o in OBJECTS.values() if o.system == system)
