"""In-memory records of the simulated account. Records are plain dicts in the API's own spelling;
keys starting with ``_`` are internal and never serialised."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]


@dataclass
class LocationSettings:
    allow_duplicate_contact: bool = False
    duplicate_priority: tuple[str, ...] = ("email", "phone")


@dataclass
class Location:
    id: str
    company_id: str
    name: str
    timezone: str = "America/New_York"
    settings: LocationSettings = field(default_factory=LocationSettings)

    def as_dict(self) -> Record:
        return {
            "id": self.id,
            "companyId": self.company_id,
            "name": self.name,
            "timezone": self.timezone,
            "settings": {
                "allowDuplicateContact": self.settings.allow_duplicate_contact,
                "duplicatePriority": list(self.settings.duplicate_priority),
            },
        }


@dataclass
class SimState:
    """Everything the simulator holds about companies, locations and their records."""

    companies: dict[str, Record] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    users: dict[str, Record] = field(default_factory=dict)
    contacts: dict[str, Record] = field(default_factory=dict)
    deleted_contacts: set[str] = field(default_factory=set)
    tasks: dict[str, Record] = field(default_factory=dict)
    notes: dict[str, Record] = field(default_factory=dict)
    businesses: dict[str, Record] = field(default_factory=dict)
    custom_fields: dict[str, Record] = field(default_factory=dict)
    calendars: dict[str, Record] = field(default_factory=dict)
    appointments: dict[str, Record] = field(default_factory=dict)
    campaigns: dict[str, Record] = field(default_factory=dict)
    workflows: dict[str, Record] = field(default_factory=dict)
    # The breadth resources (``collections.Kind``), by table name.
    tables: defaultdict[str, dict[str, Record]] = field(default_factory=lambda: defaultdict(dict))

    def contacts_of(self, location_id: str) -> list[Record]:
        return [c for c in self.contacts.values() if c["locationId"] == location_id]

    def tasks_of(self, contact_id: str) -> list[Record]:
        return [t for t in self.tasks.values() if t["contactId"] == contact_id]

    def notes_of(self, contact_id: str) -> list[Record]:
        return [n for n in self.notes.values() if n["contactId"] == contact_id]

    def custom_field_by_key(self, location_id: str, key: str) -> Record | None:
        wanted = key if key.startswith("contact.") else f"contact.{key}"
        for cf in self.custom_fields.values():
            if cf["locationId"] == location_id and cf["fieldKey"] == wanted:
                return cf
        return None

    def snapshot(self) -> Record:
        """A JSON-able deep copy, internal keys included, for the admin state endpoint."""
        return copy.deepcopy(
            {
                "companies": self.companies,
                "locations": {k: v.as_dict() for k, v in self.locations.items()},
                "users": self.users,
                "contacts": self.contacts,
                "deletedContacts": sorted(self.deleted_contacts),
                "tasks": self.tasks,
                "notes": self.notes,
                "businesses": self.businesses,
                "customFields": self.custom_fields,
                "calendars": self.calendars,
                "appointments": self.appointments,
                "campaigns": self.campaigns,
                "workflows": self.workflows,
                **{name: dict(rows) for name, rows in sorted(self.tables.items())},
            }
        )

    def counts(self) -> dict[str, int]:
        return {
            "locations": len(self.locations),
            "users": len(self.users),
            "contacts": len(self.contacts),
            "tasks": len(self.tasks),
            "notes": len(self.notes),
            "businesses": len(self.businesses),
            "customFields": len(self.custom_fields),
            "calendars": len(self.calendars),
            "appointments": len(self.appointments),
            **{name: len(rows) for name, rows in sorted(self.tables.items())},
        }
