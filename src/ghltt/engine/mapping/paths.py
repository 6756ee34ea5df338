"""Source paths: where a mapped value comes from.

Grammar (documented in docs/recipes.md):

- ``email``, ``contact.address.city``, ``users[0].id``: a path into the source record;
- ``$name.rest``: a context variable the runner provides (``$now``, ``$location_tz``,
  ``$parent.tt.id``), never read from the record;
- ``custom:<key>``: a custom field of the source record, found by its key (resolved to the
  location's id through the context's resolver).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ghltt.engine.mapping.context import MappingContext

_IDENT = r"[A-Za-z_][A-Za-z0-9_\-]*"
_PATH = re.compile(rf"^(\$)?({_IDENT})((?:\.{_IDENT}|\[\d+\])*)$")
_PART = re.compile(rf"\.({_IDENT})|\[(\d+)\]")
_CUSTOM_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
CUSTOM_PREFIX = "custom:"
# Where each system keeps custom values on a record it returns.
_CUSTOM_LISTS = ("customFields", "custom_fields")


def is_custom_key(key: str) -> bool:
    return bool(_CUSTOM_KEY.match(key))


@dataclass(frozen=True, slots=True)
class SourcePath:
    text: str
    parts: tuple[str | int, ...]
    variable: bool = False
    custom_key: str | None = None

    @property
    def reads(self) -> str | None:
        """What this path reads from the record (None for a context variable)."""
        if self.variable:
            return None
        return self.text

    def read(
        self, source: Mapping[str, Any], context: MappingContext, object_type: str | None
    ) -> Any:
        if self.custom_key is not None:
            return read_custom(source, self.custom_key, context, object_type)
        if self.variable:
            return walk(context.variable(str(self.parts[0])), self.parts[1:])
        return walk(source, self.parts)


def parse_path(text: str) -> SourcePath:
    """Parse a source path; raises ValueError with a message fit for a user."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a source path must be a non-empty string")
    text = text.strip()
    if text.startswith(CUSTOM_PREFIX):
        key = text[len(CUSTOM_PREFIX) :]
        if not is_custom_key(key):
            raise ValueError(f"{text!r} is not a custom field key (letters, digits, _ . -)")
        return SourcePath(text, (), custom_key=key)
    match = _PATH.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a path: use names joined by dots, [n] for list items, "
            "a leading $ for a context variable, or custom:<key>"
        )
    parts: list[str | int] = [match.group(2)]
    for name, index in _PART.findall(match.group(3)):
        parts.append(int(index) if index else name)
    return SourcePath(text, tuple(parts), variable=match.group(1) == "$")


def walk(value: Any, parts: tuple[str | int, ...]) -> Any:
    """Follow ``parts``; a missing key, index or a non-container on the way gives None."""
    for part in parts:
        if isinstance(part, int):
            if not isinstance(value, list | tuple) or part >= len(value):
                return None
            value = value[part]
        else:
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        if value is None:
            return None
    return value


def read_custom(
    source: Mapping[str, Any], key: str, context: MappingContext, object_type: str | None
) -> Any:
    """A custom field's value on a record: GHL ``customFields[{id, value}]`` or TT
    ``custom_fields[{id, value}]``, matched by the resolved id (or a key/slug the record
    carries itself)."""
    field_id = context.custom_field_id(object_type, key)
    for name in _CUSTOM_LISTS:
        items = source.get(name)
        if isinstance(items, Mapping):
            # Some payloads send custom fields as a {key or id: value} object.
            for candidate in (key, field_id):
                if candidate is not None and candidate in items:
                    return items[candidate]
            continue
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, Mapping):
                continue
            ids = {str(item.get("id"))} if item.get("id") is not None else set()
            names = {str(item.get(k)) for k in ("key", "fieldKey", "slug") if item.get(k)}
            if (field_id is not None and field_id in ids) or key in names:
                for value_key in ("value", "field_value", "fieldValue"):
                    if value_key in item:
                        return item[value_key]
                return None
    return None
