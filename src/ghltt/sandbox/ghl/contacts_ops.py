"""Contact rules shared by create, update and upsert: normalisation, duplicates, change events."""

from __future__ import annotations

import copy
import re
from typing import Any

from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.auth import TokenInfo
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.instance import GhlInstance
from ghltt.sandbox.ghl.state import Location, Record
from ghltt.sandbox.ghl.timeutil import iso_ms, parse_date_of_birth

_STRINGS = {
    f: "str?"
    for f in (
        "firstName", "lastName", "name", "phone", "address1", "city", "state", "postalCode",
        "website", "timezone", "source", "country", "companyName", "assignedTo", "gender",
    )
}  # fmt: skip
UPDATE_FIELDS: dict[str, str] = {
    **_STRINGS,
    "email": "email?",
    "dnd": "bool",
    "dndSettings": "any",
    "inboundDndSettings": "any",
    "tags": "strs",
    "customFields": "any",
    "dateOfBirth": "any",
}
CREATE_FIELDS: dict[str, str] = {**UPDATE_FIELDS, "locationId": "str"}
UPSERT_FIELDS: dict[str, str] = {**CREATE_FIELDS, "createNewIfDuplicateAllowed": "bool"}

_DIGITS = re.compile(r"\D")


def normalize_phone(phone: str) -> str:
    """E.164-ish, as GHL stores phones: +1 for bare 10-digit US numbers."""
    text = phone.strip()
    digits = _DIGITS.sub("", text)
    if not digits:
        return text
    if text.startswith("+"):
        return f"+{digits}"
    if len(digits) == 10:
        return f"+1{digits}"
    return f"+{digits}"


def normalize_tags(sim: GhlInstance, tags: list[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        clean = tag.strip().lower() if sim.config.lowercase_tags else tag.strip()
        if clean and clean not in out:
            out.append(clean)
    return out


def validate_extras(fields: Record) -> None:
    messages = validation.check_dnd_settings(fields.get("dndSettings"))
    inbound = fields.get("inboundDndSettings")
    if inbound is not None:
        if not isinstance(inbound, dict):
            messages.append("inboundDndSettings must be an object")
        elif "all" in inbound and (
            not isinstance(inbound["all"], dict)
            or inbound["all"].get("status") not in ("active", "inactive")
        ):
            messages.append(
                "inboundDndSettings.all.status must be one of the following values: "
                "active, inactive"
            )
    messages.extend(validation.check_custom_fields(fields.get("customFields")))
    dob = fields.get("dateOfBirth")
    if dob is not None and (not isinstance(dob, str) or parse_date_of_birth(dob) is None):
        messages.append("dateOfBirth must be a valid date")
    validation.raise_if(messages)


def _custom_fields(
    sim: GhlInstance, location_id: str, items: list[Any], current: list[Record]
) -> list[Record]:
    """Merge ``[{id|key, field_value}]`` into ``[{id, value}]``; unknown fields are ignored."""
    merged = {cf["id"]: cf["value"] for cf in current}
    for item in items:
        definition = None
        if isinstance(item.get("id"), str):
            found = sim.state.custom_fields.get(item["id"])
            definition = found if found and found["locationId"] == location_id else None
        if definition is None and isinstance(item.get("key"), str):
            definition = sim.state.custom_field_by_key(location_id, item["key"])
        if definition is None:
            continue
        value = item.get("field_value", item.get("value"))
        if value is None or value == "":
            merged.pop(definition["id"], None)
        else:
            merged[definition["id"]] = value
    return [{"id": k, "value": v} for k, v in merged.items()]


def apply_fields(sim: GhlInstance, record: Record, fields: Record) -> None:
    """Write validated DTO fields onto a stored contact."""
    location_id = record["locationId"]
    for key, value in fields.items():
        if key in ("locationId", "createNewIfDuplicateAllowed", "inboundDndSettings"):
            continue
        if key == "name":
            if value and "firstName" not in fields and "lastName" not in fields:
                first, _, last = str(value).strip().partition(" ")
                record["firstName"], record["lastName"] = first or None, last or None
            continue
        if key == "email":
            record["email"] = value.strip() if value else None
        elif key == "phone":
            record["phone"] = normalize_phone(value) if value else None
        elif key == "tags":
            record["tags"] = normalize_tags(sim, value)
        elif key == "customFields":
            record["customFields"] = _custom_fields(
                sim, location_id, value or [], record.get("customFields", [])
            )
        elif key == "dateOfBirth":
            parsed = parse_date_of_birth(value) if value else None
            record["dateOfBirth"] = iso_ms(parsed) if parsed else None
        elif key == "dndSettings":
            record["dndSettings"] = {**record.get("dndSettings", {}), **(value or {})}
        elif key == "dnd":
            record["dnd"] = bool(value)
        else:
            record[key] = value if value != "" else None


def find_duplicate(
    sim: GhlInstance,
    location: Location,
    email: str | None,
    phone: str | None,
    *,
    exclude: str | None = None,
) -> tuple[Record, str] | None:
    """The first contact matching email or phone, in the location's priority order."""
    wanted = {
        "email": email.strip().lower() if email else None,
        "phone": normalize_phone(phone) if phone else None,
    }
    for field in location.settings.duplicate_priority:
        value = wanted.get(field)
        if not value:
            continue
        for record in sim.state.contacts_of(location.id):
            if record["id"] == exclude:
                continue
            stored = record.get(field)
            if stored and (stored.lower() if field == "email" else stored) == value:
                return record, field
    return None


def duplicate_error(record: Record, field: str) -> ApiError:
    return ApiError(
        400,
        "This location does not allow duplicated contacts.",
        error=None,
        meta={
            "contactId": record["id"],
            "contactName": views.full_name(record),
            "matchingField": field,
        },
    )


def new_contact(sim: GhlInstance, location: Location, token: TokenInfo) -> Record:
    now = iso_ms(sim.clock.now())
    channel = {"pit": "PRIVATE_INTEGRATION", "api_key": "API", "oauth": "OAUTH"}[token.kind]
    return {
        "id": sim.ids.alnum(),
        "locationId": location.id,
        "dateAdded": now,
        "dateUpdated": now,
        "type": "lead",
        "dnd": False,
        "tags": [],
        "customFields": [],
        "followers": [],
        "additionalEmails": [],
        "createdBy": {
            "source": "INTEGRATION",
            "channel": channel,
            "sourceId": token.client_id or token.app_key[:24],
            "timestamp": now,
        },
        "_campaigns": [],
        "_workflows": [],
    }


def create(sim: GhlInstance, location: Location, token: TokenInfo, fields: Record) -> Record:
    record = new_contact(sim, location, token)
    apply_fields(sim, record, fields)
    sim.state.contacts[record["id"]] = record
    sim.emit("ContactCreate", location.id, views.contact_webhook(record))
    return record


def update(sim: GhlInstance, record: Record, fields: Record) -> Record:
    before = copy.deepcopy(record)
    apply_fields(sim, record, fields)
    record["dateUpdated"] = iso_ms(sim.clock.now())
    emit_changes(sim, before, record)
    return record


def emit_changes(sim: GhlInstance, before: Record, after: Record) -> None:
    location_id = after["locationId"]
    sim.emit("ContactUpdate", location_id, views.contact_webhook(after))
    if before.get("tags", []) != after.get("tags", []):
        sim.emit("ContactTagUpdate", location_id, views.contact_webhook(after))
    if before.get("dnd") != after.get("dnd") or before.get("dndSettings") != after.get(
        "dndSettings"
    ):
        sim.emit("ContactDndUpdate", location_id, views.contact_webhook(after, with_dnd=True))


def delete(sim: GhlInstance, record: Record) -> None:
    contact_id = record["id"]
    del sim.state.contacts[contact_id]
    sim.state.deleted_contacts.add(contact_id)
    for store in (sim.state.tasks, sim.state.notes):
        for key in [k for k, v in store.items() if v["contactId"] == contact_id]:
            del store[key]
    sim.emit("ContactDelete", record["locationId"], views.contact_webhook(record, with_dnd=True))
