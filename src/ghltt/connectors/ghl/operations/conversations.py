"""Conversations and their messages (apps/conversations.json, Version 2021-04-15). Sending an
SMS, an email and an internal comment are one route with a fixed ``type`` each."""

from __future__ import annotations

from pydantic import Field

from ghltt.connectors.ghl.models import GhlModel, InputModel, Timestamp
from ghltt.connectors.ghl.operation import CALENDARS_VERSION, declare
from ghltt.connectors.ghl.operations import _sample as s

__all__ = ["OPERATIONS"]

_V = CALENDARS_VERSION
_R, _W = "conversations.readonly", "conversations.write"
_MR, _MW = "conversations/message.readonly", "conversations/message.write"


class Conversation(GhlModel):
    id: str
    contact_id: str | None = None
    location_id: str | None = None
    assigned_to: str | None = None
    unread_count: int | None = None
    starred: bool | None = None
    inbox: bool | None = None
    last_message_body: str | None = None
    last_message_type: str | None = None


class ConversationPage(GhlModel):
    conversations: list[Conversation] = Field(default_factory=list)
    total: int | None = None


class ConversationSaved(GhlModel):
    success: bool | None = None
    conversation: Conversation | None = None


class Message(GhlModel):
    id: str
    type: int | None = None
    message_type: str | None = None
    conversation_id: str | None = None
    contact_id: str | None = None
    body: str | None = None
    direction: str | None = None
    status: str | None = None
    date_added: Timestamp | None = None


class MessagePage(GhlModel):
    last_message_id: str | None = None
    next_page: bool | None = None
    messages: list[Message] = Field(default_factory=list)


class Sent(GhlModel):
    conversation_id: str | None = None
    message_id: str | None = None
    email_message_id: str | None = None
    msg: str | None = None
    status: str | None = None


class Received(GhlModel):
    success: bool | None = None
    conversation_id: str | None = None
    message_id: str | None = None


class SearchQuery(InputModel):
    contact_id: str | None = None
    assigned_to: str | None = None
    query: str | None = None
    status: str | None = None
    limit: int | None = None


class ConversationCreate(InputModel):
    contact_id: str


class ConversationEdit(InputModel):
    unread_count: int | None = None
    starred: bool | None = None


class MessagesQuery(InputModel):
    limit: int | None = None
    type: str | None = None
    last_message_id: str | None = None


class SmsInput(InputModel):
    contact_id: str
    message: str
    attachments: list[str] | None = None


class EmailInput(InputModel):
    contact_id: str
    subject: str
    html: str | None = None
    message: str | None = None
    email_from: str | None = None
    email_cc: list[str] | None = None
    email_bcc: list[str] | None = None
    attachments: list[str] | None = None


class CommentInput(InputModel):
    contact_id: str
    message: str


class InboundInput(InputModel):
    conversation_id: str
    type: str
    message: str | None = None
    conversation_provider_id: str | None = None


class StatusInput(InputModel):
    status: str


_CONV = {"conversationId": s.CONVERSATION}

OPERATIONS = (
    declare(
        "conversations.search",
        "GET",
        "/conversations/search",
        _R,
        version=_V,
        input=SearchQuery,
        output=ConversationPage,
        location=True,
        summary="Search conversations by contact, assignee, text or status",
        example={"contactId": s.CONTACT},
    ),
    declare(
        "conversations.get",
        "GET",
        "/conversations/{conversationId}",
        _R,
        version=_V,
        output=Conversation,
        summary="Read one conversation",
        example=_CONV,
    ),
    declare(
        "conversations.create",
        "POST",
        "/conversations/",
        _W,
        idem=False,
        version=_V,
        input=ConversationCreate,
        output=ConversationSaved,
        location=True,
        summary="Open a conversation with a contact",
        example={"contactId": s.OTHER_CONTACT},
    ),
    declare(
        "conversations.update",
        "PUT",
        "/conversations/{conversationId}",
        _W,
        version=_V,
        input=ConversationEdit,
        output=ConversationSaved,
        location=True,
        summary="Star a conversation or set its unread count",
        example={**_CONV, "unreadCount": 0, "starred": True},
    ),
    declare(
        "conversations.delete",
        "DELETE",
        "/conversations/{conversationId}",
        _W,
        version=_V,
        output=bool,
        summary="Delete a conversation",
        example=_CONV,
    ),
    declare(
        "conversations.messages",
        "GET",
        "/conversations/{conversationId}/messages",
        _MR,
        version=_V,
        input=MessagesQuery,
        output=MessagePage,
        summary="List a conversation's messages, newest first",
        example={**_CONV, "limit": 20},
    ),
    declare(
        "messages.get",
        "GET",
        "/conversations/messages/{id}",
        _MR,
        version=_V,
        output=Message,
        summary="Read one message",
        example={"id": s.MESSAGE},
    ),
    declare(
        "messages.send_sms",
        "POST",
        "/conversations/messages",
        _MW,
        idem=False,
        version=_V,
        input=SmsInput,
        output=Sent,
        defaults={"type": "SMS"},
        summary="Send an SMS to a contact",
        example={"contactId": s.CONTACT, "message": "Your visit is confirmed for 10:00."},
    ),
    declare(
        "messages.send_email",
        "POST",
        "/conversations/messages",
        _MW,
        idem=False,
        version=_V,
        input=EmailInput,
        output=Sent,
        defaults={"type": "Email"},
        summary="Send an email to a contact",
        example={
            "contactId": s.CONTACT,
            "subject": "Your hours this month",
            "html": "<p>You used 12.5 of 20 hours.</p>",
        },
    ),
    declare(
        "messages.add_internal_comment",
        "POST",
        "/conversations/messages",
        _MW,
        idem=False,
        version=_V,
        input=CommentInput,
        output=Sent,
        defaults={"type": "InternalComment"},
        summary="Add an internal comment to a contact's conversation (not sent to them)",
        example={"contactId": s.CONTACT, "message": "Budget at 80%: check before booking."},
    ),
    declare(
        "messages.add_inbound",
        "POST",
        "/conversations/messages/inbound",
        _MW,
        idem=False,
        version=_V,
        input=InboundInput,
        output=Received,
        summary="Record a message the contact sent through another channel",
        example={
            "conversationId": s.CONVERSATION,
            "type": "SMS",
            "message": "Thanks, see you then!",
        },
    ),
    declare(
        "messages.update_status",
        "PUT",
        "/conversations/messages/{messageId}/status",
        _MW,
        version=_V,
        input=StatusInput,
        output=Sent,
        summary="Set the delivery status of a message",
        example={"messageId": s.MESSAGE, "status": "read"},
    ),
)
