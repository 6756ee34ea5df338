"""The sample account's breadth records: a pipeline with opportunities, lost reasons, custom
values, location tags, a conversation, forms and surveys with submissions, a calendar group,
a blocked slot and an appointment note, and a custom object with a record, an association and
a relation. The first record of each kind has its ``SAMPLE_IDS`` id."""

from __future__ import annotations

from datetime import datetime, timedelta

from ghltt.sandbox.ghl.ids import IdFactory
from ghltt.sandbox.ghl.sample_ids import SAMPLE_IDS as S
from ghltt.sandbox.ghl.state import Record, SimState
from ghltt.sandbox.ghl.timeutil import iso_ms

# "Delivered" is where the deals template moves a won opportunity once its project closes.
_STAGES = ("New lead", "Qualified", "Proposal sent", "Won", "Delivered")
_FIXED = {0: S["stage"], 3: S["wonStage"], 4: S["deliveredStage"]}
_VALUES = (("Support Email", "help@sandbox.example"), ("Office Hours", "Mon-Fri 9-17"))


def _put(state: SimState, table: str, record: Record) -> None:
    state.tables[table][record["id"]] = record


def seed_breadth(
    state: SimState, ids: IdFactory, location_id: str, contacts: list[Record], base: datetime
) -> None:
    stamp = iso_ms(base)
    common = {"locationId": location_id, "dateAdded": stamp, "dateUpdated": stamp}
    stages = [
        {
            "id": _FIXED[i] if i in _FIXED else ids.uuid(),
            "name": name,
            "position": i,
        }
        for i, name in enumerate(_STAGES)
    ]
    _put(
        state,
        "pipelines",
        {
            "id": S["pipeline"],
            "name": "Sales",
            "stages": stages,
            "showInFunnel": True,
            "showInPieChart": True,
            **common,
        },
    )
    _put(state, "lostReasons", {"id": S["lostReason"], "name": "Too expensive", **common})
    for index, contact in enumerate(contacts[:4]):
        when = iso_ms(base + timedelta(days=index))
        _put(
            state,
            "opportunities",
            {
                "id": S["opportunity"] if index == 0 else ids.alnum(),
                "name": f"{contact['firstName']} {contact['lastName']} retainer",
                "pipelineId": S["pipeline"],
                "pipelineStageId": stages[index % 3]["id"],
                "status": "open",
                "monetaryValue": 1200 + 300 * index,
                "contactId": contact["id"],
                "assignedTo": contact.get("assignedTo"),
                "source": "sandbox seed",
                "followers": [],
                **common,
                "dateAdded": when,
                "dateUpdated": when,
            },
        )
    for index, (name, value) in enumerate(_VALUES):
        record = {"id": S["customValue"] if index == 0 else ids.alnum(), "name": name,
                  "value": value, **common}  # fmt: skip
        _put(state, "customValues", record)
    tags = sorted({t for c in contacts for t in c.get("tags", [])})
    for index, tag in enumerate(tags):
        _put(
            state,
            "locationTags",
            {"id": S["locationTag"] if index == 0 else ids.alnum(), "name": tag, **common},
        )
    first = contacts[0]
    _put(
        state,
        "conversations",
        {
            "id": S["conversation"],
            "contactId": first["id"],
            "deleted": False,
            "inbox": True,
            "type": "TYPE_PHONE",
            "unreadCount": 1,
            "starred": False,
            "fullName": "Ava Thompson",
            "contactName": "Ava Thompson",
            "email": first.get("email"),
            "phone": first.get("phone"),
            "assignedTo": first.get("assignedTo"),
            "lastMessageBody": "Can we move my visit?",
            "lastMessageType": "TYPE_SMS",
            "lastMessageDirection": "inbound",
            "lastMessageDate": stamp,
            **common,
        },
    )
    _put(
        state,
        "messages",
        {
            "id": S["message"],
            "type": 1,
            "messageType": "TYPE_SMS",
            "locationId": location_id,
            "contactId": first["id"],
            "conversationId": S["conversation"],
            "dateAdded": stamp,
            "body": "Can we move my visit?",
            "direction": "inbound",
            "status": "delivered",
            "contentType": "text/plain",
            "attachments": [],
            "source": "app",
        },
    )
    for kind in ("form", "survey"):
        parent = S[kind]
        _put(state, f"{kind}s", {"id": parent, "name": f"Intake {kind}", **common})
        for index, contact in enumerate(contacts[:3]):
            _put(
                state,
                f"{kind}Submissions",
                {
                    "id": S[f"{kind}Submission"] if index == 0 else ids.alnum(),
                    f"{kind}Id": parent,
                    "contactId": contact["id"],
                    "name": f"{contact['firstName']} {contact['lastName']}",
                    "email": contact.get("email"),
                    "createdAt": stamp,
                    "locationId": location_id,
                    "others": {"project": f"Project {contact['lastName']}", "hours": 4 + index},
                },
            )
    _put(
        state,
        "calendarGroups",
        {
            "id": S["calendarGroup"],
            "name": "Consultations",
            "description": "All consultation calendars",
            "slug": "consultations",
            "isActive": True,
            **common,
        },
    )
    start = base + timedelta(days=75, hours=3)
    _put(
        state,
        "blockedSlots",
        {
            "id": S["blockedSlot"],
            "title": "Team lunch",
            "calendarId": S["calendar"],
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(hours=1)).isoformat(),
            **common,
        },
    )
    _put(
        state,
        "appointmentNotes",
        {
            "id": S["appointmentNote"],
            "body": "Bring the X-rays.",
            "contactId": first["id"],
            "_parent": S["appointment"],
            **common,
        },
    )
    _put(
        state,
        "objects",
        {
            "id": S["object"],
            "key": S["objectKey"],
            "standard": False,
            "labels": {"singular": "Pet", "plural": "Pets"},
            "description": "Patients' pets",
            "primaryDisplayProperty": "custom_objects.pets.name",
            "searchableProperties": [],
            **common,
        },
    )
    _put(
        state,
        "objectRecords",
        {
            "id": S["record"],
            "objectKey": S["objectKey"],
            "objectId": S["object"],
            "_parent": S["objectKey"],
            "properties": {"name": "Rex", "species": "dog"},
            "owner": [],
            "followers": [],
            **common,
        },
    )
    _put(
        state,
        "associations",
        {
            "id": S["association"],
            "key": S["associationKey"],
            "associationType": "USER_DEFINED",
            "firstObjectKey": S["objectKey"],
            "firstObjectLabel": "Pet",
            "secondObjectKey": "contact",
            "secondObjectLabel": "Owner",
            **common,
        },
    )
    _put(
        state,
        "relations",
        {
            "id": S["relation"],
            "associationId": S["association"],
            "firstRecordId": S["record"],
            "firstObjectKey": S["objectKey"],
            "secondRecordId": first["id"],
            "secondObjectKey": "contact",
            **common,
        },
    )
    _put(state, "products", {
        "id": S["product"], "name": "Consulting hour", "productType": "SERVICE",
        "description": "One hour of consulting", "availableInStore": False, "variants": [],
        "medias": [], **common,
    })  # fmt: skip
    _put(state, "prices", {
        "id": S["price"], "name": "Standard rate", "type": "one_time", "currency": "USD",
        "amount": 150, "product": S["product"], "_parent": S["product"], **common,
    })  # fmt: skip
