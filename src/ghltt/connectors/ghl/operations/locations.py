"""The location itself, its custom values and tags, and the search over its tasks
(apps/locations.json). The location in the path is the client's own."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ghltt.connectors.ghl.models import GhlModel, InputModel, Task
from ghltt.connectors.ghl.operation import declare
from ghltt.connectors.ghl.operations import _sample as s

__all__ = ["OPERATIONS"]

_L = "/locations/{locationId}"
_CVR, _CVW = "locations/customValues.readonly", "locations/customValues.write"
_TR, _TW = "locations/tags.readonly", "locations/tags.write"


class Location(GhlModel):
    id: str
    name: str | None = None
    company_id: str | None = None
    timezone: str | None = None


class Timezones(GhlModel):
    time_zones: list[str] = Field(default_factory=list)


class CustomValue(GhlModel):
    id: str
    name: str | None = None
    value: str | None = None
    field_key: str | None = None


class CustomValueInput(InputModel):
    name: str
    value: str


class LocationTag(GhlModel):
    id: str
    name: str | None = None


class TagInput(InputModel):
    name: str


class TaskSearch(InputModel):
    contact_id: list[str] | None = None
    assigned_to: list[str] | None = None
    completed: bool | None = None
    query: str | None = None
    business_id: str | None = None
    limit: int | None = None
    skip: int | None = None


class LocationTask(Task):
    location_id: str | None = None


_VALUE: dict[str, Any] = {"output": CustomValue, "unwrap": "customValue"}
_TAG: dict[str, Any] = {"output": LocationTag, "unwrap": "tag"}
_CV = {"id": s.CUSTOM_VALUE}
_T = {"tagId": s.LOCATION_TAG}

OPERATIONS = (
    declare(
        "locations.get",
        "GET",
        _L,
        "locations.readonly",
        output=Location,
        unwrap="location",
        summary="Read the connected location",
        example={},
    ),
    declare(
        "locations.timezones",
        "GET",
        f"{_L}/timezones",
        "locations.readonly",
        output=Timezones,
        summary="The time zones a location may use",
        example={},
    ),
    declare(
        "custom_values.list",
        "GET",
        f"{_L}/customValues",
        _CVR,
        output=list[CustomValue],
        unwrap="customValues",
        summary="List the location's custom values",
        example={},
    ),
    declare(
        "custom_values.get",
        "GET",
        f"{_L}/customValues/{{id}}",
        _CVR,
        **_VALUE,
        summary="Read one custom value",
        example=_CV,
    ),
    declare(
        "custom_values.create",
        "POST",
        f"{_L}/customValues",
        _CVW,
        idem=False,
        input=CustomValueInput,
        **_VALUE,
        summary="Create a custom value",
        example={"name": "Booking Link", "value": "https://book.example/ava"},
    ),
    declare(
        "custom_values.update",
        "PUT",
        f"{_L}/customValues/{{id}}",
        _CVW,
        input=CustomValueInput,
        **_VALUE,
        summary="Change a custom value",
        example={**_CV, "name": "Support Email", "value": "care@sandbox.example"},
    ),
    declare(
        "custom_values.delete",
        "DELETE",
        f"{_L}/customValues/{{id}}",
        _CVW,
        output=bool,
        summary="Delete a custom value",
        example=_CV,
    ),
    declare(
        "location_tags.list",
        "GET",
        f"{_L}/tags",
        _TR,
        output=list[LocationTag],
        unwrap="tags",
        summary="List the location's tags",
        example={},
    ),
    declare(
        "location_tags.get",
        "GET",
        f"{_L}/tags/{{tagId}}",
        _TR,
        **_TAG,
        summary="Read one location tag",
        example=_T,
    ),
    declare(
        "location_tags.create",
        "POST",
        f"{_L}/tags",
        _TW,
        idem=False,
        input=TagInput,
        **_TAG,
        summary="Create a location tag",
        example={"name": "tt-synced"},
    ),
    declare(
        "location_tags.update",
        "PUT",
        f"{_L}/tags/{{tagId}}",
        _TW,
        input=TagInput,
        **_TAG,
        summary="Rename a location tag",
        example={**_T, "name": "clients"},
    ),
    declare(
        "location_tags.delete",
        "DELETE",
        f"{_L}/tags/{{tagId}}",
        _TW,
        output=bool,
        summary="Delete a location tag",
        example=_T,
    ),
    declare(
        "location_tasks.search",
        "POST",
        f"{_L}/tasks/search",
        "locations/tasks.readonly",
        input=TaskSearch,
        output=list[LocationTask],
        unwrap="tasks",
        idem=True,
        summary="Search the tasks of every contact of the location",
        example={"completed": False, "limit": 10},
    ),
)
