"""Pydantic models of what GHL v2 sends and accepts.

Attributes are snake_case; the wire names (camelCase, including GHL's own spellings such as
``succeded``) are aliases. Unknown fields are kept (``extra="allow"``): the live API sends more
than its spec, and a sync must not drop what it does not understand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "Appointment",
    "AppointmentInput",
    "BulkTagsResult",
    "Business",
    "BusinessInput",
    "Contact",
    "ContactInput",
    "ContactListMeta",
    "ContactListPage",
    "ContactSearchPage",
    "CustomField",
    "CustomFieldInput",
    "CustomFieldValue",
    "CustomFieldsByObject",
    "FollowersInput",
    "FollowersResult",
    "GhlModel",
    "InputModel",
    "LocationCustomField",
    "LocationCustomFieldInput",
    "Note",
    "NoteCreate",
    "NoteInput",
    "TagsInput",
    "TagsResult",
    "Task",
    "TaskCompleted",
    "TaskCreate",
    "TaskInput",
    "Timestamp",
    "UpsertResult",
    "User",
]

# GHL mixes ISO-8601 and "YYYY-MM-DD HH:mm:ss"; keep the text when it is not a datetime.
Timestamp = Annotated[datetime | str, Field(union_mode="left_to_right")]


class GhlModel(BaseModel):
    """Lenient: unknown fields kept, wire names accepted, nothing required beyond ``id``s."""

    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class InputModel(GhlModel):
    """A request body. Only the fields you set are sent (an explicit None clears a field)."""

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class CustomFieldValue(GhlModel):
    id: str | None = None
    key: str | None = None
    value: Any = None
    field_value: Any = Field(default=None, alias="field_value")  # GHL's input spelling


class Contact(GhlModel):
    id: str
    location_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company_name: str | None = None
    type: str | None = None
    source: str | None = None
    assigned_to: str | None = None
    address1: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    postal_code: str | None = None
    website: str | None = None
    timezone: str | None = None
    date_of_birth: Timestamp | None = None
    dnd: bool | None = None
    dnd_settings: dict[str, Any] | None = None
    tags: list[str] = Field(default_factory=list)
    custom_fields: list[CustomFieldValue] = Field(default_factory=list)
    business_id: str | None = None
    followers: list[str] | None = None
    date_added: Timestamp | None = None
    date_updated: Timestamp | None = None
    search_after: list[Any] | None = None


class ContactInput(InputModel):
    """Body of create, update and upsert (``location_id`` is filled in by the client)."""

    location_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    company_name: str | None = None
    address1: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    postal_code: str | None = None
    website: str | None = None
    timezone: str | None = None
    date_of_birth: str | None = None
    gender: str | None = None
    dnd: bool | None = None
    dnd_settings: dict[str, Any] | None = None
    tags: list[str] | None = None
    custom_fields: list[dict[str, Any]] | None = None
    source: str | None = None
    assigned_to: str | None = None
    create_new_if_duplicate_allowed: bool | None = None


class UpsertResult(GhlModel):
    new: bool
    contact: Contact
    trace_id: str | None = None


class ContactListMeta(GhlModel):
    total: int | None = None
    next_page_url: str | None = None
    start_after_id: str | None = None
    start_after: int | None = None
    current_page: int | None = None
    next_page: int | None = None
    prev_page: int | None = None


class ContactListPage(GhlModel):
    contacts: list[Contact] = Field(default_factory=list)
    count: int | None = None
    meta: ContactListMeta | None = None


class ContactSearchPage(GhlModel):
    contacts: list[Contact] = Field(default_factory=list)
    total: int | None = None
    trace_id: str | None = None


class TagsInput(InputModel):
    tags: list[str]


class TagsResult(GhlModel):
    tags: list[str] = Field(default_factory=list)
    tags_added: list[str] | None = None
    tags_removed: list[str] | None = None


class BulkTagsResult(GhlModel):
    succeded: bool | None = None
    error_count: int | None = None
    responses: list[dict[str, Any]] = Field(default_factory=list)


class FollowersInput(InputModel):
    followers: list[str]


class FollowersResult(GhlModel):
    followers: list[str] = Field(default_factory=list)
    followers_added: list[str] | None = None
    followers_removed: list[str] | None = None


class Task(GhlModel):
    id: str
    title: str | None = None
    body: str | None = None
    assigned_to: str | None = None
    due_date: Timestamp | None = None
    completed: bool | None = None
    contact_id: str | None = None
    business_id: str | None = None


class TaskInput(InputModel):
    """Body of an update: only what is given changes."""

    title: str | None = None
    body: str | None = None
    due_date: str | None = None
    completed: bool | None = None
    assigned_to: str | None = None


class TaskCreate(TaskInput):
    """Body of a create: GHL requires the title, the due date and whether it is done."""

    title: str
    due_date: str
    completed: bool


class TaskCompleted(InputModel):
    completed: bool


class Note(GhlModel):
    id: str
    body: str | None = None
    user_id: str | None = None
    contact_id: str | None = None
    title: str | None = None
    color: str | None = None
    pinned: bool | None = None
    business_id: str | None = None
    date_added: Timestamp | None = None


class NoteInput(InputModel):
    body: str | None = None
    user_id: str | None = None
    title: str | None = None
    color: str | None = None
    pinned: bool | None = None


class NoteCreate(NoteInput):
    body: str


class Appointment(GhlModel):
    """A calendar event: flat on create/update, under ``event`` on get, in ``events`` lists."""

    id: str
    calendar_id: str | None = None
    location_id: str | None = None
    contact_id: str | None = None
    title: str | None = None
    status: str | None = None
    appointment_status: str | None = None
    assigned_user_id: str | None = None
    group_id: str | None = None
    users: list[str] | None = None
    notes: str | None = None
    description: str | None = None
    address: str | None = None
    start_time: Timestamp | None = None
    end_time: Timestamp | None = None
    date_added: Timestamp | None = None
    date_updated: Timestamp | None = None
    is_recurring: bool | None = None
    rrule: str | None = None


class AppointmentInput(InputModel):
    calendar_id: str | None = None
    location_id: str | None = None
    contact_id: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    title: str | None = None
    appointment_status: str | None = None
    assigned_user_id: str | None = None
    description: str | None = None
    address: str | None = None
    meeting_location_type: str | None = None
    ignore_date_range: bool | None = None
    ignore_free_slot_validation: bool | None = None
    to_notify: bool | None = None
    rrule: str | None = None


class Business(GhlModel):
    id: str
    name: str | None = None
    location_id: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    description: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class BusinessInput(InputModel):
    name: str | None = None
    location_id: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    description: str | None = None


class CustomField(GhlModel):
    id: str
    name: str | None = None
    field_key: str | None = None
    data_type: str | None = None
    object_key: str | None = None
    location_id: str | None = None
    parent_id: str | None = None
    placeholder: str | None = None
    options: list[Any] | None = None
    date_added: Timestamp | None = None
    date_updated: Timestamp | None = None


class CustomFieldInput(InputModel):
    location_id: str | None = None
    name: str | None = None
    field_key: str | None = None
    data_type: str | None = None
    object_key: str | None = None
    parent_id: str | None = None
    show_in_forms: bool | None = None
    placeholder: str | None = None
    description: str | None = None
    options: list[Any] | None = None


class CustomFieldsByObject(GhlModel):
    fields: list[CustomField] = Field(default_factory=list)
    folders: list[dict[str, Any]] = Field(default_factory=list)


class LocationCustomField(GhlModel):
    """A field of a location's contacts or opportunities (locations.json ``CustomFieldSchema``).
    ``field_key`` is GHL's, derived from the name at creation: ``contact.tt_customer_id``."""

    id: str
    name: str | None = None
    field_key: str | None = None
    data_type: str | None = None
    placeholder: str | None = None
    position: float | None = None
    model: str | None = None
    location_id: str | None = None
    picklist_options: list[Any] | None = None


class LocationCustomFieldInput(InputModel):
    """``CreateCustomFieldsDTO``: ``name`` and ``data_type`` (TEXT, NUMERICAL, DATE...) are
    required; ``model`` is ``contact`` (the default) or ``opportunity``."""

    name: str
    data_type: str
    placeholder: str | None = None
    position: float | None = None
    model: str | None = None


class User(GhlModel):
    id: str
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    roles: dict[str, Any] | None = None
    deleted: bool | None = None
