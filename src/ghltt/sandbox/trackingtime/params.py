"""Request parameters as TrackingTime reads them: query, then form, then JSON body (later wins).

Arrays and objects may arrive as JSON strings (query, form) or as native JSON (body).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qsl

from ghltt.sandbox.trackingtime.envelope import ValidationError
from ghltt.sandbox.trackingtime.timefmt import TimeFormatError, parse_date, parse_local

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def merge_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Raise ``ValidationError`` (in-band 500) for a body that says JSON but is not."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if not body.strip():
        return params
    if ctype == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif ctype.endswith("json") or (not ctype and body.lstrip()[:1] in (b"{", b"[")):
        try:
            decoded = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError("Malformed JSON in the request body") from exc
        if not isinstance(decoded, dict):
            raise ValidationError("The request body must be a JSON object")
        params.update(decoded)
    return params


class Params:
    """Typed reads of the merged parameters; every failure is an in-band 500."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def __contains__(self, name: str) -> bool:
        return name in self.values and self.values[name] is not None

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None or not value.strip():
            raise ValidationError(f"The parameter '{name}' is required")
        return value.strip()

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "" or value == "null":
            return default
        if isinstance(value, bool):
            raise ValidationError(f"The parameter '{name}' must be a number")
        try:
            return int(value)
        except (TypeError, ValueError):
            try:
                as_float = float(value)
            except (TypeError, ValueError):
                raise ValidationError(f"The parameter '{name}' must be a number") from None
            if as_float.is_integer():
                return int(as_float)
            raise ValidationError(f"The parameter '{name}' must be a number") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise ValidationError(f"The parameter '{name}' is required")
        return value

    def number(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value is None or value == "" or value == "null":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"The parameter '{name}' must be a number") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError(f"The parameter '{name}' must be true or false")

    def json_list(self, name: str) -> list[Any] | None:
        """A JSON array given natively or as a string; ``None`` when absent."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            if not value.strip():
                return []
            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError(f"The parameter '{name}' must be a JSON array") from None
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            raise ValidationError(f"The parameter '{name}' must be a JSON array")
        return value

    def json_value(self, name: str) -> str | None:
        """The free-form ``json`` field is stored as a string holding JSON."""
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def datetime(self, name: str, zone: tzinfo) -> datetime | None:
        value = self.text(name)
        if value is None or not value.strip():
            return None
        try:
            return parse_local(value, zone)
        except TimeFormatError as exc:
            raise ValidationError(str(exc)) from None

    def date(self, name: str) -> date | None:
        value = self.text(name)
        if value is None or not value.strip() or value == "null":
            return None
        try:
            return parse_date(value)
        except TimeFormatError as exc:
            raise ValidationError(str(exc)) from None
