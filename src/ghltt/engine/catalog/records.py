"""Remote records as the plain JSON mappings read: wire names, a few shapes made flat.

Every action answers in these terms (``as_record``), so sync and automation steps read the
same dicts whichever connector model an operation declares as its output.

GHL models dump under their camelCase wire names. TT answers differ by endpoint (a customer's
contact is an object in newer answers; a task names its project as ``project``), so the fields
the sync objects speak of (``contact_name``, ``project_name``...) are added from them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ghltt.connectors.trackingtime.models import TimeEntry, TtModel

# TT list answers abbreviate (``n``, ``p``, ``s``...); templates may read either spelling.
_SHORT = {
    "notes": "n",
    "project": "p",
    "start": "s",
    "end": "e",
    "duration": "d",
    "project_id": "pid",
    "customer_id": "cid",
    "task_id": "tid",
    "user_id": "uid",
}


def ghl_record(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True)


def tt_record(model: BaseModel, object_type: str | None = None) -> dict[str, Any]:
    data = model.model_dump(mode="json", by_alias=True)
    contact = data.get("contact")
    if isinstance(contact, dict):
        data.setdefault("contact_name", contact.get("name"))
        data.setdefault("contact_email", contact.get("email"))
    elif isinstance(contact, str) and contact:
        data.setdefault("contact_name", contact)
    if isinstance(data.get("project"), str):
        data.setdefault("project_name", data["project"])
    if isinstance(data.get("customer"), str):
        data.setdefault("customer_name", data["customer"])
    if object_type == "event":
        for full, short in _SHORT.items():
            data.setdefault(short, data.get(full))
    return data


def as_record(answer: Any) -> Any:
    """An operation's decoded answer as plain JSON: models as records, lists item by item;
    anything else (GHL's success flag) as it is."""
    if isinstance(answer, list):
        return [as_record(item) for item in answer]
    if isinstance(answer, TtModel):
        return tt_record(answer, "event" if isinstance(answer, TimeEntry) else None)
    if isinstance(answer, BaseModel):
        return ghl_record(answer)
    return answer
