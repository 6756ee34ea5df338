"""DTO checks with class-validator wording, collected into one 422 like NestJS does."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ghltt.sandbox.ghl.errors import unprocessable
from ghltt.sandbox.ghl.timeutil import parse_iso

# A field kind: "str", "str?" (nullable), "bool", "num", "strs" (string array), "obj", "obj?",
# "email?", "iso", "array" (any array), "any", or "enum:a,b,c".
Fields = Mapping[str, str]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DND_STATUS = ("active", "inactive", "permanent")
_DND_CHANNELS = ("Call", "Email", "SMS", "WhatsApp", "GMB", "FB")


def _kind_messages(name: str, kind: str, value: Any) -> list[str]:
    nullable = kind.endswith("?")
    base = kind.rstrip("?")
    if value is None:
        return [] if nullable or base == "any" else _type_message(name, base)
    if base == "str" and not isinstance(value, str):
        return [f"{name} must be a string"]
    if base == "email":
        if not isinstance(value, str):
            return [f"{name} must be a string"]
        if value and not _EMAIL.match(value):
            return [f"{name} must be an email"]
    if base == "bool" and not isinstance(value, bool):
        return [f"{name} must be a boolean value"]
    if base == "num" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return [f"{name} must be a number conforming to the specified constraints"]
    if base == "strs":
        if not isinstance(value, list):
            return [f"{name} must be an array", f"each value in {name} must be a string"]
        if not all(isinstance(item, str) for item in value):
            return [f"each value in {name} must be a string"]
    if base == "array" and not isinstance(value, list):
        return [f"{name} must be an array"]
    if base == "obj" and not isinstance(value, dict):
        return [f"{name} must be an object"]
    if base == "iso" and (not isinstance(value, str) or parse_iso(value) is None):
        return [f"{name} must be a valid ISO 8601 date string"]
    if base.startswith("enum:"):
        allowed = base[5:].split(",")
        if value not in allowed:
            return [f"{name} must be one of the following values: {', '.join(allowed)}"]
    return []


def _type_message(name: str, base: str) -> list[str]:
    return {
        "str": [f"{name} must be a string"],
        "email": [f"{name} must be a string"],
        "bool": [f"{name} must be a boolean value"],
        "num": [f"{name} must be a number conforming to the specified constraints"],
        "strs": [f"{name} must be an array"],
        "array": [f"{name} must be an array"],
        "obj": [f"{name} must be an object"],
        "iso": [f"{name} must be a valid ISO 8601 date string"],
    }.get(base, [])


def check(body: Any, fields: Fields, required: Sequence[str] = ()) -> dict[str, Any]:
    """The known fields of ``body`` (unknown ones are stripped, as the whitelist pipe does)."""
    data: dict[str, Any] = body if isinstance(body, dict) else {}
    messages: list[str] = []
    for name, kind in fields.items():
        if name in required and (data.get(name) is None or data.get(name) == ""):
            base = kind.rstrip("?")
            messages.extend(_type_message(name, base) if data.get(name) is None else [])
            messages.append(f"{name} should not be empty")
            continue
        if name in data:
            messages.extend(_kind_messages(name, kind, data[name]))
    if messages:
        raise unprocessable(messages)
    return {name: data[name] for name in fields if name in data}


def check_dnd_settings(value: Any, name: str = "dndSettings") -> list[str]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f"{name} must be an object"]
    messages: list[str] = []
    for channel, setting in value.items():
        if channel not in _DND_CHANNELS:
            messages.append(f"property {name}.{channel} should not exist")
            continue
        if not isinstance(setting, dict):
            messages.append(f"{name}.{channel} must be an object")
            continue
        if setting.get("status") not in _DND_STATUS:
            messages.append(
                f"{name}.{channel}.status must be one of the following values: "
                + ", ".join(_DND_STATUS)
            )
        for key in ("message", "code"):
            if key in setting and not isinstance(setting[key], str):
                messages.append(f"{name}.{channel}.{key} must be a string")
    return messages


def check_custom_fields(value: Any, name: str = "customFields") -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [f"{name} must be an array"]
    messages: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            messages.append(f"{name}.{index} must be an object")
            continue
        for key in ("id", "key"):
            if key in item and not isinstance(item[key], str):
                messages.append(f"{name}.{index}.{key} must be a string")
    return messages


def raise_if(messages: list[str]) -> None:
    if messages:
        raise unprocessable(messages)
