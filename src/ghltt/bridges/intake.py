"""Where a bridge's senders post, and which way fits its GHL credential.

GHL sends its app webhooks (``/webhooks``, signed) only to Marketplace apps: a connection made
with OAuth gets them. A Private Integration token or an API key gets none, so real time then
comes from GHL workflows whose Webhook action posts to the bridge's workflow URL, one workflow
per trigger (``WORKFLOW_TRIGGERS``; docs/ghl-workflows.md builds them step by step).
TrackingTime's webhook ghltt registers itself, with whichever credential.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ghltt.connectors.ghl import WORKFLOW_TRIGGERS
from ghltt.vault.kinds import OAUTH_KINDS

APP = "app_webhooks"
WORKFLOWS = "workflow_webhooks"


@dataclass(frozen=True)
class WorkflowToBuild:
    name: str
    trigger: str
    custom_data: dict[str, str]

    def public(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class IntakeGuide:
    """What to set up in GHL for this bridge, and what ghltt set up in TT."""

    ghl_auth_kind: str
    ghl_path: str  # APP or WORKFLOWS
    urls: dict[str, str]
    tt_webhooks: int
    workflows: list[WorkflowToBuild] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["workflows"] = [w.public() for w in self.workflows]
        return out


def workflows_to_build() -> list[WorkflowToBuild]:
    """One GHL workflow per trigger, named so a person finds them again in GHL."""
    found = []
    for trigger in WORKFLOW_TRIGGERS:
        custom = {"ghltt_event": trigger.kind}
        if trigger.id_field:
            custom["ghltt_id"] = trigger.id_field
        found.append(WorkflowToBuild(f"ghltt: {trigger.trigger}", trigger.trigger, custom))
    return found


def intake_guide(ghl_auth_kind: str, urls: dict[str, str], tt_webhooks: int) -> IntakeGuide:
    if ghl_auth_kind in OAUTH_KINDS:
        return IntakeGuide(ghl_auth_kind, APP, urls, tt_webhooks)
    return IntakeGuide(ghl_auth_kind, WORKFLOWS, urls, tt_webhooks, workflows_to_build())
