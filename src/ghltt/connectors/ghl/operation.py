"""What one GHL operation is, as data (``Operation``), and ``declare``, the one way to write it.

``catalog.py`` holds the contacts, businesses, custom fields, users, calendar events and OAuth
operations; ``operations/`` the rest, one module per API area. ``summary`` is the one line the
catalog shows; ``example`` is an input that works as written against a fresh sandbox (the
sample account's ``SAMPLE_IDS``), and the contract test runs every one of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

__all__ = ["API_VERSION", "CALENDARS_VERSION", "READS_BY_POST", "Operation", "declare"]

API_VERSION = "2021-07-28"
CALENDARS_VERSION = "2021-04-15"  # calendars.json and conversations.json declare this one

# POSTs that only read (searches): safe to repeat, and run in shadow mode.
READS_BY_POST = frozenset(
    {
        "contacts.search",
        "users.filter_by_email",
        "opportunities.search_advanced",
        "location_tasks.search",
        "object_records.search",
        "calendar_groups.validate_slug",
    }
)


def _frozen(values: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    scopes: tuple[str, ...]
    idempotent: bool
    version: str | None = API_VERSION
    deprecated: bool = False
    form: bool = False  # application/x-www-form-urlencoded body (OAuth endpoints)
    input: type[BaseModel] | None = None  # the JSON body's fields (None: no body described)
    output: Any = None  # what the answer is read as: a model, ``list[model]``, ``bool``
    unwrap: str | None = None  # the key the answer sits under
    location: bool = False  # the client adds ``locationId`` (query for GET, else body)
    empty_body: bool = False  # the spec wants a JSON body even when it is empty
    defaults: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    summary: str = ""
    example: Mapping[str, Any] | None = None  # None: none declared (the contract test fails)
    location_as: str = "locationId"  # how this operation spells the location it adds
    query: tuple[str, ...] = ()  # values sent in the query string even when there is a body

    @property
    def path_params(self) -> tuple[str, ...]:
        """The ``{name}`` placeholders of the path, in order."""
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def resource(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def writes(self) -> bool:
        return self.method != "GET" and self.name not in READS_BY_POST

    def url(self, **params: str) -> str:
        """The path with each ``{name}`` filled in, percent-encoded (ids never add segments)."""
        path = self.path
        for key, value in params.items():
            path = path.replace("{" + key + "}", quote(str(value), safe=""))
        if "{" in path:
            raise ValueError(f"{self.name}: missing path parameter in {path}")
        return path


def declare(
    name: str,
    method: str,
    path: str,
    scopes: str | tuple[str, ...],
    *,
    idem: bool | None = None,
    version: str | None = API_VERSION,
    deprecated: bool = False,
    form: bool = False,
    input: type[BaseModel] | None = None,
    output: Any = None,
    unwrap: str | None = None,
    location: bool = False,
    empty_body: bool = False,
    defaults: Mapping[str, Any] | None = None,
    summary: str = "",
    example: Mapping[str, Any] | None = None,
    location_as: str = "locationId",
    query: tuple[str, ...] = (),
) -> Operation:
    """One operation; ``idem`` defaults to what the method promises (GET, PUT and DELETE are
    idempotent) and ``location_as`` implies ``location``."""
    idempotent = idem if idem is not None else method in ("GET", "PUT", "DELETE")
    return Operation(
        name=name,
        method=method,
        path=path,
        scopes=(scopes,) if isinstance(scopes, str) else scopes,
        idempotent=idempotent,
        version=version,
        deprecated=deprecated,
        form=form,
        input=input,
        output=output,
        unwrap=unwrap,
        location=location or location_as != "locationId",
        empty_body=empty_body,
        defaults=_frozen(defaults),
        summary=summary,
        example=None if example is None else _frozen(example),
        location_as=location_as,
        query=query,
    )
