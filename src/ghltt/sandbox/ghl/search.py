"""POST /contacts/search: filters, groups, sort, page and searchAfter (reference §2.7)."""

from __future__ import annotations

from collections.abc import Callable
from operator import ge, gt, le, lt
from typing import Any

from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import iso_epoch_ms
from ghltt.sandbox.ghl.views import full_name, sort_value

FIELDS = frozenset(
    {
        "id", "firstName", "lastName", "firstNameLowerCase", "lastNameLowerCase",
        "fullNameLowerCase", "email", "phone", "tags", "companyName", "address1", "address",
        "city", "state", "country", "postalCode", "source", "type", "assignedTo", "businessId",
        "dateAdded", "dateUpdated", "dateOfBirth", "dnd", "website", "timezone", "followers",
        "dndSettings.Email.status", "dndSettings.SMS.status", "dndSettings.Call.status",
        "dndSettings.WhatsApp.status", "dndSettings.GMB.status", "dndSettings.FB.status",
        "inboundDndSettings.all.status",
    }
)  # fmt: skip
SORT_FIELDS = frozenset(
    {"dateAdded", "dateUpdated", "firstNameLowerCase", "lastNameLowerCase", "fullNameLowerCase",
     "email", "companyName", "businessName"}
)  # fmt: skip
OPERATORS = frozenset({"eq", "not_eq", "contains", "not_contains", "exists", "not_exists", "range"})
_DATES = {"dateAdded", "dateUpdated", "dateOfBirth"}
_RANGE: dict[str, Callable[[Any, Any], bool]] = {
    "gte": ge, "gt": gt, "lte": le, "lt": lt,
}  # fmt: skip


def _value(record: Record, field: str) -> Any:
    if field in ("firstNameLowerCase", "lastNameLowerCase"):
        raw = record.get(field.replace("LowerCase", ""))
        return raw.lower() if raw else None
    if field == "fullNameLowerCase":
        return full_name(record).lower() or None
    if field == "address":
        return record.get("address1")
    if field.startswith("customFields."):
        wanted = field.split(".", 1)[1]
        for cf in record.get("customFields", []):
            if cf["id"] == wanted:
                return cf["value"]
        return None
    if "." in field:
        node: Any = record
        for part in field.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node
    return record.get(field)


def _comparable(field: str, value: Any) -> Any:
    if field in _DATES and isinstance(value, str):
        parsed = iso_epoch_ms(value)
        return value if parsed is None else parsed
    return value.lower() if isinstance(value, str) else value


def _match_one(record: Record, spec: dict[str, Any]) -> bool:
    field, operator, wanted = spec.get("field"), spec.get("operator"), spec.get("value")
    if not isinstance(field, str) or (
        field not in FIELDS and not field.startswith("customFields.")
    ):
        raise ApiError(400, f"Invalid field {field}")
    if operator not in OPERATORS:
        raise ApiError(400, f"Invalid operator {operator} for field {field}")
    actual = _value(record, field)
    present = actual not in (None, "", [])
    if operator == "exists":
        return present
    if operator == "not_exists":
        return not present
    if operator == "range":
        if not isinstance(wanted, dict):
            raise ApiError(400, f"Invalid value for range filter on {field}")
        have = _comparable(field, actual)
        if have is None:
            return False
        try:
            return all(
                _RANGE[k](have, _comparable(field, v)) for k, v in wanted.items() if k in _RANGE
            )
        except TypeError:
            return False
    values = [_comparable(field, v) for v in (wanted if isinstance(wanted, list) else [wanted])]
    items = actual if isinstance(actual, list) else [actual]
    items = [_comparable(field, v) for v in items]
    if operator in ("eq", "not_eq"):
        hit = any(v in items for v in values)
        return hit if operator == "eq" else not hit
    hit = any(
        isinstance(item, str) and isinstance(v, str) and v in item for v in values for item in items
    )
    return hit if operator == "contains" else not hit


def matches(record: Record, filters: list[Any], *, group: str = "AND") -> bool:
    results = []
    for spec in filters:
        if not isinstance(spec, dict):
            raise ApiError(400, "filters must contain objects")
        if "group" in spec:
            inner = spec.get("filters") or []
            if not isinstance(inner, list):
                raise ApiError(400, "group filters must be an array")
            results.append(matches(record, inner, group=str(spec["group"]).upper()))
        else:
            results.append(_match_one(record, spec))
    if not results:
        return True
    return any(results) if group == "OR" else all(results)


def free_text(record: Record, query: str) -> bool:
    needle = query.strip().lower()
    if not needle:
        return True
    haystack = [
        full_name(record), record.get("email"), record.get("phone"), record.get("companyName"),
        *record.get("tags", []),
    ]  # fmt: skip
    return any(needle in str(v).lower() for v in haystack if v)


def sort_key(field: str) -> Any:
    def key(record: Record) -> tuple[Any, str]:
        return (_sortable(record, field), record["id"])

    return key


def _sortable(record: Record, field: str) -> Any:
    if field in ("firstNameLowerCase", "lastNameLowerCase", "fullNameLowerCase"):
        value = _value(record, field)
        return value or ""
    return sort_value(record, field)
