"""Inputs (queries and bulk bodies) and answers of the contacts, businesses, users and
calendar-event operations that ``catalog.py`` declares beyond single-record reads and writes."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ghltt.connectors.ghl.models import Appointment, Contact, GhlModel, InputModel, User

__all__ = [
    "BulkBusiness",
    "BulkTags",
    "BusinessPage",
    "ContactPage",
    "ContactsQuery",
    "DuplicateAnswer",
    "DuplicateQuery",
    "EventsAnswer",
    "EventsQuery",
    "Paging",
    "SearchBody",
    "UserCreate",
    "UserEdit",
    "UserPage",
    "UsersByEmail",
    "UsersQuery",
    "WorkflowStart",
]


class Paging(InputModel):
    limit: int | None = None
    skip: int | None = None
    query: str | None = None


class ContactsQuery(InputModel):
    limit: int | None = None
    query: str | None = None
    start_after_id: str | None = None
    start_after: int | None = None


class ContactPage(GhlModel):
    contacts: list[Contact] = Field(default_factory=list)
    total: int | None = None
    count: int | None = None


class SearchBody(InputModel):
    """POST /contacts/search: the live API needs ``pageLimit`` (the spec's body is empty)."""

    page_limit: int = 20
    query: str | None = None
    filters: list[dict[str, Any]] | None = None
    sort: list[dict[str, Any]] | None = None
    search_after: list[Any] | None = None


class DuplicateQuery(InputModel):
    email: str | None = None
    number: str | None = None


class DuplicateAnswer(GhlModel):
    contact: Contact | None = None


class BulkBusiness(InputModel):
    ids: list[str]
    business_id: str | None


class BulkTags(InputModel):
    contacts: list[str]
    tags: list[str]
    remove_all_tags: bool | None = None


class WorkflowStart(InputModel):
    event_start_time: str | None = None


class BusinessPage(GhlModel):
    businesses: list[dict[str, Any]] = Field(default_factory=list)


class UsersQuery(InputModel):
    company_id: str
    query: str | None = None
    location_id: str | None = None
    skip: int | None = None
    limit: int | None = None


class UsersByEmail(InputModel):
    company_id: str
    emails: list[str]


class UserPage(GhlModel):
    users: list[User] = Field(default_factory=list)
    count: int | None = None


class UserEdit(InputModel):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    role: str | None = None
    type: str | None = None
    location_ids: list[str] | None = None


class UserCreate(UserEdit):
    company_id: str
    first_name: str
    last_name: str
    email: str
    password: str
    type: str
    role: str
    location_ids: list[str]


class EventsQuery(InputModel):
    start_time: int
    end_time: int
    calendar_id: str | None = None
    user_id: str | None = None
    group_id: str | None = None


class EventsAnswer(GhlModel):
    events: list[Appointment] = Field(default_factory=list)
