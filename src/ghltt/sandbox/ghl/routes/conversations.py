"""Conversations and their messages (apps/conversations.json, Version 2021-04-15).

A contact has one conversation; sending a message opens it when there is none. Outbound
messages (SMS, Email, internal comments...) send OutboundMessage, inbound ones InboundMessage,
and a change of the unread count ConversationUnreadUpdate."""

from __future__ import annotations

from starlette.routing import Route

from ghltt.sandbox.ghl import collections as col
from ghltt.sandbox.ghl import validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError, unprocessable
from ghltt.sandbox.ghl.state import Location, Record

READ, WRITE = "conversations.readonly", "conversations.write"
MSG_READ, MSG_WRITE = "conversations/message.readonly", "conversations/message.write"
# What conversations.json enumerates for sending (plus InternalComment, which the live API and
# the SDK accept) and for recording an inbound message.
_TYPES = "SMS,RCS,Email,WhatsApp,IG,FB,Custom,Live_Chat,TIKTOK,InternalComment"
_INBOUND_TYPES = (
    "SMS,RCS,Email,WhatsApp,GMB,IG,FB,Custom,WebChat,Live_Chat,Call,IVR_Call,Campaign_Call,"
    "Campaign_VoiceMail,TIKTOK,ALL_IN_ONE_CHAT,FORM_SUBMISSION"
)
# The numeric ``type`` of a message, per channel (the API answers both spellings).
_TYPE_NUMBER = {"SMS": 1, "Email": 3, "WhatsApp": 19, "IG": 18, "FB": 11, "Custom": 26,
                "Live_Chat": 29, "InternalComment": 31, "GMB": 16, "TIKTOK": 36}  # fmt: skip
_CHANNEL_NUMBER = {"TYPE_PHONE": 1, "TYPE_EMAIL": 2, "TYPE_FB_MESSENGER": 3, "TYPE_REVIEW": 4,
                   "TYPE_GROUP_SMS": 5}  # fmt: skip
_UNREAD_KEYS = ("id", "contactId", "deleted", "inbox", "starred", "unreadCount")
_MESSAGE_HOOK = (
    "attachments", "body", "contactId", "contentType", "conversationId", "dateAdded",
    "direction", "messageType", "source", "status", "userId", "messageId", "subject",
)  # fmt: skip

CONVERSATIONS = col.Kind(
    "conversations", "conversation", "conversations", {}, location="query",
    id_param="conversationId", deleted={"success": True},
)  # fmt: skip


def _conversation(ctx: Ctx, conversation_id: str | None = None) -> Record:
    return col.find(ctx, CONVERSATIONS, conversation_id or ctx.params["conversationId"])


def open_conversation(ctx: Ctx, location: Location, contact: Record) -> Record:
    for record in col.rows(ctx, CONVERSATIONS, location):
        if record["contactId"] == contact["id"]:
            return record
    data = {
        "contactId": contact["id"], "deleted": False, "inbox": True, "type": "TYPE_PHONE",
        "unreadCount": 0, "starred": False, "fullName": views.full_name(contact),
        "contactName": views.full_name(contact), "email": contact.get("email"),
        "phone": contact.get("phone"), "assignedTo": contact.get("assignedTo"),
        "lastMessageDate": ctx.now(),
    }  # fmt: skip
    return col.insert(ctx, CONVERSATIONS, location, data)


def _unread(ctx: Ctx, record: Record) -> None:
    fields = {k: record[k] for k in _UNREAD_KEYS if k in record}
    ctx.emit("ConversationUnreadUpdate", record["locationId"], fields)


def _post(ctx: Ctx, conversation: Record, data: Record, direction: str) -> Record:
    kind = data["type"]
    message: Record = {
        "id": ctx.sim.ids.alnum(),
        "type": _TYPE_NUMBER.get(kind, 1),
        "messageType": f"TYPE_{kind.upper()}",
        "locationId": conversation["locationId"],
        "contactId": conversation["contactId"],
        "conversationId": conversation["id"],
        "dateAdded": ctx.now(),
        "body": data.get("message") or data.get("html") or "",
        "direction": direction,
        "status": "delivered" if direction == "inbound" else "pending",
        "contentType": "text/html" if data.get("html") else "text/plain",
        "attachments": list(data.get("attachments") or []),
        "source": "api",
    }
    if data.get("subject"):
        message["subject"] = data["subject"]
    ctx.sim.state.tables["messages"][message["id"]] = message
    conversation.update(
        lastMessageBody=message["body"], lastMessageType=message["messageType"],
        lastMessageDate=message["dateAdded"], lastMessageDirection=direction,
        dateUpdated=message["dateAdded"],
    )  # fmt: skip
    hook = {k: message[k] for k in _MESSAGE_HOOK if message.get(k) is not None}
    hook["messageType"], hook["messageId"] = kind, message["id"]
    event = "InboundMessage" if direction == "inbound" else "OutboundMessage"
    ctx.emit(event, conversation["locationId"], hook)
    if direction == "inbound":
        conversation["unreadCount"] = int(conversation.get("unreadCount") or 0) + 1
        _unread(ctx, conversation)
    return message


@api(READ)
def search(ctx: Ctx) -> Result:
    q = ctx.query
    found = col.rows(ctx, CONVERSATIONS, ctx.location(q.get("locationId")))
    for key in ("contactId", "assignedTo", "id"):
        if q.get(key):
            found = [r for r in found if r.get(key) == q[key]]
    if q.get("query"):
        words = q["query"].lower()
        found = [r for r in found if words in str(r.get("fullName", "")).lower()]
    if q.get("status") == "unread":
        found = [r for r in found if r.get("unreadCount")]
    try:
        limit = int(q.get("limit", "20"))
    except ValueError:
        raise unprocessable(["limit must be a number"]) from None
    return 200, {"conversations": [views.public(r) for r in found[:limit]], "total": len(found)}


@api(READ)
def get(ctx: Ctx) -> Result:
    """Search answers the channel as ``TYPE_PHONE``...; get answers it as a number."""
    record = views.public(_conversation(ctx))
    return 200, {**record, "type": _CHANNEL_NUMBER.get(str(record.get("type")), 1)}


@api(WRITE)
def create(ctx: Ctx) -> Result:
    data = validation.check(
        ctx.body, {"locationId": "str", "contactId": "str"}, ("locationId", "contactId")
    )
    location = ctx.location(data["locationId"])
    contact = ctx.contact(data["contactId"])
    for record in col.rows(ctx, CONVERSATIONS, location):
        if record["contactId"] == contact["id"]:
            raise ApiError(400, "Conversation already exists", error=None)
    record = open_conversation(ctx, location, contact)
    return 201, {"success": True, "conversation": views.public(record)}


@api(WRITE)
def update(ctx: Ctx) -> Result:
    fields = {"locationId": "str", "unreadCount": "num", "starred": "bool", "feedback": "obj"}
    data = validation.check(ctx.body, fields, ("locationId",))
    ctx.location(data.pop("locationId"))
    record = _conversation(ctx)
    unread_before = record.get("unreadCount")
    record.update({k: v for k, v in data.items() if v is not None})
    if "unreadCount" in data and data["unreadCount"] != unread_before:
        _unread(ctx, record)
    return 200, {"success": True, "conversation": views.public(record)}


@api(WRITE)
def remove(ctx: Ctx) -> Result:
    record = _conversation(ctx)
    del ctx.sim.state.tables["conversations"][record["id"]]
    return 200, {"success": True}


@api(MSG_READ)
def messages(ctx: Ctx) -> Result:
    record = _conversation(ctx)
    found = [
        m for m in ctx.sim.state.tables["messages"].values() if m["conversationId"] == record["id"]
    ]
    found.sort(key=lambda m: m["dateAdded"], reverse=True)
    if ctx.query.get("type"):
        wanted = set(ctx.query["type"].split(","))
        found = [m for m in found if m["messageType"] in wanted]
    try:
        limit = int(ctx.query.get("limit", "20"))
    except ValueError:
        raise unprocessable(["limit must be a number"]) from None
    page = found[:limit]
    last = page[-1]["id"] if page else ""
    return 200, {"lastMessageId": last, "nextPage": len(found) > limit, "messages": page}


@api(MSG_READ)
def get_message(ctx: Ctx) -> Result:
    message = ctx.sim.state.tables["messages"].get(ctx.params["id"])
    if message is None:
        raise ApiError(400, "Message not found")
    ctx.own_location(message["locationId"])
    return 200, dict(message)


_SEND = {
    "type": f"enum:{_TYPES}", "contactId": "str", "message": "str?", "html": "str?",
    "subject": "str?", "attachments": "strs", "emailFrom": "str?", "emailCc": "strs",
    "emailBcc": "strs", "appointmentId": "str?", "templateId": "str?", "threadId": "str?",
    "replyMessageId": "str?", "subType": "any", "status": "any",
}  # fmt: skip


def _after_send(ctx: Ctx, contact: Record, message: Record, data: Record) -> None:
    """An email's delivery report (LCEmailStats); a custom channel's hand-off to its provider
    (ProviderOutboundMessage)."""
    location_id = contact["locationId"]
    if data["type"] == "Email":
        report = {"event": "delivered", "id": message["id"], "message": {"headers": {
            "to": contact.get("email"), "subject": data.get("subject"),
            "message-id": message["id"]}}, "recipient": contact.get("email")}  # fmt: skip
        company = ctx.sim.state.locations[location_id].company_id
        ctx.emit("LCEmailStats", location_id, {"companyId": company, "webhookPayload": report})
    elif data["type"] == "Custom":
        fields = {
            "contactId": contact["id"], "messageId": message["id"], "message": message["body"],
            "attachments": message["attachments"], "phone": contact.get("phone"),
        }  # fmt: skip
        ctx.emit("ProviderOutboundMessage", location_id, fields)


@api(MSG_WRITE)
def send(ctx: Ctx) -> Result:
    """The spec also lists ``subType`` and ``status`` as required; the live API does not
    require them, so neither does the simulator (see the schemathesis exceptions)."""
    data = validation.check(ctx.body, _SEND, ("type", "contactId"))
    contact = ctx.contact(data["contactId"])
    if data["type"] in ("SMS", "Email", "InternalComment") and not any(
        data.get(k) for k in ("message", "html", "attachments", "templateId")
    ):
        raise ApiError(400, "message or html is required")
    if data["type"] == "Email" and not data.get("subject"):
        raise ApiError(400, "subject is required for an Email")
    location = ctx.sim.state.locations[contact["locationId"]]
    conversation = open_conversation(ctx, location, contact)
    message = _post(ctx, conversation, data, "outbound")
    _after_send(ctx, contact, message, data)
    out: Record = {"conversationId": conversation["id"], "messageId": message["id"]}
    if data["type"] == "Email":
        out["emailMessageId"] = message["id"]
    return 200, {**out, "msg": "Message queued successfully.", "status": "pending"}


_INBOUND = {
    "type": f"enum:{_INBOUND_TYPES}", "conversationId": "str", "contactId": "str?",
    "conversationProviderId": "str?", "message": "str?", "html": "str?", "subject": "str?",
    "attachments": "strs", "emailFrom": "str?", "altId": "str?",
}  # fmt: skip


@api(MSG_WRITE)
def inbound(ctx: Ctx) -> Result:
    data = validation.check(ctx.body, _INBOUND, ("type", "conversationId"))
    conversation = _conversation(ctx, data["conversationId"])
    message = _post(ctx, conversation, data, "inbound")
    return 200, {
        "success": True, "conversationId": conversation["id"], "messageId": message["id"],
        "message": message["body"], "contactId": conversation["contactId"],
        "dateAdded": message["dateAdded"],
    }  # fmt: skip


@api(MSG_WRITE)
def set_status(ctx: Ctx) -> Result:
    message = ctx.sim.state.tables["messages"].get(ctx.params["messageId"])
    if message is None:
        raise ApiError(400, "Message not found")
    ctx.own_location(message["locationId"])
    data = validation.check(
        ctx.body, {"status": "enum:delivered,failed,pending,read", "error": "obj"}, ("status",)
    )
    message["status"] = data["status"]
    return 200, {
        "conversationId": message["conversationId"], "messageId": message["id"],
        "msg": "Message status updated", "status": data["status"],
    }  # fmt: skip


routes = [
    Route("/conversations/search", search, methods=["GET"]),
    Route("/conversations/", create, methods=["POST"]),
    Route("/conversations", create, methods=["POST"]),
    Route("/conversations/messages", send, methods=["POST"]),
    Route("/conversations/messages/inbound", inbound, methods=["POST"]),
    Route("/conversations/messages/{messageId}/status", set_status, methods=["PUT"]),
    Route("/conversations/messages/{id}", get_message, methods=["GET"]),
    Route("/conversations/{conversationId}/messages", messages, methods=["GET"]),
    Route("/conversations/{conversationId}", get, methods=["GET"]),
    Route("/conversations/{conversationId}", update, methods=["PUT"]),
    Route("/conversations/{conversationId}", remove, methods=["DELETE"]),
]
