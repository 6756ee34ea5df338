"""The 58 webhook events GHL documents, as data: for each event ``type``, the one-line summary,
the payload's JSON Schema and an example payload.

``webhook_events.json`` is derived from GHL's own pages (``docs/webhook events/*.md`` of
GoHighLevel/highlevel-api-docs, CC0 1.0, the commit named in tests/fixtures/ghl-official/README):
each page's ``json_schema`` block and its first example, with trailing commas and draft-3
boolean ``required`` flags dropped and INSTALL's ``Date`` typed as a date-time string. Where a
page has no schema block (UserCreate) the schema lists the example's keys; where it has no
example (the three price pages) the example is built from the schema's types.

An event's ``type`` is the page's name except for the four pages whose payloads say otherwise
(INSTALL, UNINSTALL, PLAN_CHANGE, ConversationUnreadUpdate). In every schema ``type`` is that
name, as ghltt's webhook receives it (a ProviderOutboundMessage reaches a provider's own URL
with the channel there instead).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from ghltt.connectors.ghl.webhooks import kind_for

__all__ = ["WebhookEventSpec", "webhook_events"]


@dataclass(frozen=True)
class WebhookEventSpec:
    type: str  # the payload's ``type``
    kind: str  # the event kind recipes name (``contact.created``)
    summary: str
    schema: dict[str, Any]
    example: dict[str, Any]
    doc: str  # GHL's page, as the upstream path


@cache
def webhook_events() -> dict[str, WebhookEventSpec]:
    """Every documented event, by ``type``."""
    raw = json.loads(files("ghltt.connectors.ghl").joinpath("webhook_events.json").read_text())
    return {
        name: WebhookEventSpec(
            name, kind_for(name), entry["summary"], entry["schema"], entry["example"], entry["doc"]
        )
        for name, entry in raw.items()
    }
