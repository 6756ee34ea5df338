"""Tags, bulk tags, bulk business, followers, campaigns and workflows of contacts."""

from __future__ import annotations

import copy
import re
from typing import Any

from starlette.routing import Route

from ghltt.sandbox.ghl import contacts_ops, validation, views
from ghltt.sandbox.ghl.context import Ctx, Result, api
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.state import Record
from ghltt.sandbox.ghl.timeutil import iso_ms

WRITE = "contacts.write"
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def _tag_event(ctx: Ctx, contact: Record) -> None:
    contact["dateUpdated"] = ctx.now()
    ctx.emit("ContactTagUpdate", contact["locationId"], views.contact_webhook(contact))


@api(WRITE)
def add_tags(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    data = validation.check(ctx.body, {"tags": "strs"}, ("tags",))
    wanted = contacts_ops.normalize_tags(ctx.sim, data["tags"])
    added = [t for t in wanted if t not in contact["tags"]]
    if added:
        contact["tags"] = contact["tags"] + added
        _tag_event(ctx, contact)
    # The spec example only echoes; recorded responses list all tags plus the new ones.
    return 201, {"tags": list(contact["tags"]), "tagsAdded": added, "traceId": ctx.trace_id}


@api(WRITE)
def remove_tags(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    data = validation.check(ctx.body, {"tags": "strs"}, ("tags",))
    doomed = set(contacts_ops.normalize_tags(ctx.sim, data["tags"]))
    removed = [t for t in contact["tags"] if t in doomed]
    if removed:
        contact["tags"] = [t for t in contact["tags"] if t not in doomed]
        _tag_event(ctx, contact)
    return 200, {"tags": list(contact["tags"]), "tagsRemoved": removed, "traceId": ctx.trace_id}


_BULK_TAGS = {"contacts": "strs", "tags": "strs", "locationId": "str", "removeAllTags": "bool"}


@api(WRITE)
def bulk_tags(ctx: Ctx) -> Result:
    kind = ctx.params["type"]
    if kind not in ("add", "remove"):
        raise ApiError(400, "type must be one of the following values: add, remove")
    if isinstance(ctx.body, dict) and isinstance(ctx.body.get("locationId"), str):
        ctx.location(ctx.body["locationId"])
    data = validation.check(ctx.body, _BULK_TAGS, ("contacts", "tags", "locationId"))
    location = ctx.location(data["locationId"])
    tags = contacts_ops.normalize_tags(ctx.sim, data["tags"])
    responses: list[dict[str, Any]] = []
    for contact_id in data["contacts"]:
        contact = ctx.sim.state.contacts.get(contact_id)
        if contact is None:
            message = (
                "contact is deleted"
                if contact_id in ctx.sim.state.deleted_contacts
                else "contact id is not a valid firebase id"
            )
            responses.append({"contactId": contact_id, "message": message, "type": "error"})
            continue
        if contact["locationId"] != location.id:
            responses.append(
                {
                    "contactId": contact_id,
                    "message": "contact does not belong to location",
                    "type": "error",
                }
            )
            continue
        old = list(contact["tags"])
        if kind == "add":
            contact["tags"] = old + [t for t in tags if t not in old]
        elif data.get("removeAllTags"):
            contact["tags"] = []
        else:
            contact["tags"] = [t for t in old if t not in tags]
        if contact["tags"] != old:
            _tag_event(ctx, contact)
        responses.append(
            {
                "contactId": contact_id,
                "message": "Tags updated",
                "type": "success",
                "oldTags": old,
                "tagsAdded": [t for t in contact["tags"] if t not in old],
                "tagsRemoved": [t for t in old if t not in contact["tags"]],
            }
        )
    errors = sum(1 for r in responses if r["type"] == "error")
    return 201, {"succeded": errors == 0, "errorCount": errors, "responses": responses}


@api(WRITE)
def bulk_business(ctx: Ctx) -> Result:
    if isinstance(ctx.body, dict) and isinstance(ctx.body.get("locationId"), str):
        ctx.location(ctx.body["locationId"])
    data = validation.check(
        ctx.body, {"locationId": "str", "ids": "strs", "businessId": "str?"}, ("locationId", "ids")
    )
    if not isinstance(ctx.body, dict) or "businessId" not in ctx.body:
        validation.raise_if(["businessId must be a string"])
    location = ctx.location(data["locationId"])
    business_id = data.get("businessId")
    if business_id is not None:
        if not _OBJECT_ID.match(business_id):
            validation.raise_if(["businessId must be a mongodb id"])
        business = ctx.sim.state.businesses.get(business_id)
        if business is None or business["locationId"] != location.id:
            raise ApiError(400, f"Business with id {business_id} not found")
    done: list[str] = []
    for contact_id in data["ids"]:
        contact = ctx.sim.state.contacts.get(contact_id)
        if contact is None or contact["locationId"] != location.id:
            continue
        before = copy.deepcopy(contact)
        contact["businessId"] = business_id
        contact["dateUpdated"] = iso_ms(ctx.sim.clock.now())
        contacts_ops.emit_changes(ctx.sim, before, contact)
        done.append(contact_id)
    return 200, {"success": True, "ids": done}


@api(WRITE)
def add_followers(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    data = validation.check(ctx.body, {"followers": "strs"}, ("followers",))
    current = contact.setdefault("followers", [])
    added = [f for f in dict.fromkeys(data["followers"]) if f not in current]
    if added:
        current.extend(added)
        contacts_ops.emit_changes(ctx.sim, contact, contact)
    return 201, {"followers": list(current), "followersAdded": added}


@api(WRITE)
def remove_followers(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    data = validation.check(ctx.body, {"followers": "strs"}, ("followers",))
    current = contact.setdefault("followers", [])
    removed = [f for f in current if f in data["followers"]]
    if removed:
        contact["followers"] = [f for f in current if f not in removed]
        contacts_ops.emit_changes(ctx.sim, contact, contact)
    return 200, {"followers": list(contact["followers"]), "followersRemoved": removed}


def _campaign(ctx: Ctx, contact: Record) -> Record:
    campaign = ctx.sim.state.campaigns.get(ctx.params["campaignId"])
    if campaign is None or campaign["locationId"] != contact["locationId"]:
        raise ApiError(400, f"Campaign with id {ctx.params['campaignId']} not found")
    return campaign


def _campaign_status(ctx: Ctx, contact: Record, campaign_id: str, status: str) -> None:
    """CampaignStatusUpdate: ``id`` is the contact's enrolment, ``templateId`` the campaign."""
    fields = {"id": f"{campaign_id}-{contact['id']}", "contactId": contact["id"],
              "status": status, "templateId": campaign_id, "dateAdded": ctx.now()}  # fmt: skip
    ctx.emit("CampaignStatusUpdate", contact["locationId"], fields)


@api(WRITE)
def add_to_campaign(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    campaign = _campaign(ctx, contact)
    if campaign["id"] not in contact.setdefault("_campaigns", []):
        contact["_campaigns"].append(campaign["id"])
        _campaign_status(ctx, contact, campaign["id"], "active")
    return 201, {"succeded": True}


@api(WRITE)
def remove_from_campaign(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    campaign = _campaign(ctx, contact)
    if campaign["id"] in contact.get("_campaigns", []):
        _campaign_status(ctx, contact, campaign["id"], "removed")
    contact["_campaigns"] = [c for c in contact.get("_campaigns", []) if c != campaign["id"]]
    return 200, {"succeded": True}


@api(WRITE)
def remove_from_all_campaigns(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    for campaign_id in contact.get("_campaigns", []):
        _campaign_status(ctx, contact, campaign_id, "removed")
    contact["_campaigns"] = []
    return 200, {"succeded": True}


def _workflow(ctx: Ctx, contact: Record) -> Record:
    validation.check(ctx.body, {"eventStartTime": "iso"})
    workflow = ctx.sim.state.workflows.get(ctx.params["workflowId"])
    if workflow is None or workflow["locationId"] != contact["locationId"]:
        raise ApiError(400, f"Workflow with id {ctx.params['workflowId']} not found")
    return workflow


@api(WRITE)
def add_to_workflow(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    workflow = _workflow(ctx, contact)
    if workflow["id"] not in contact.setdefault("_workflows", []):
        contact["_workflows"].append(workflow["id"])
    return 200, {"succeded": True}


@api(WRITE)
def remove_from_workflow(ctx: Ctx) -> Result:
    contact = ctx.contact(ctx.params["contactId"])
    workflow = _workflow(ctx, contact)
    contact["_workflows"] = [w for w in contact.get("_workflows", []) if w != workflow["id"]]
    return 200, {"succeded": True}


routes = [
    Route("/contacts/bulk/tags/update/{type}", bulk_tags, methods=["POST"]),
    Route("/contacts/bulk/business", bulk_business, methods=["POST"]),
    Route("/contacts/{contactId}/tags", add_tags, methods=["POST"]),
    Route("/contacts/{contactId}/tags", remove_tags, methods=["DELETE"]),
    Route("/contacts/{contactId}/followers", add_followers, methods=["POST"]),
    Route("/contacts/{contactId}/followers", remove_followers, methods=["DELETE"]),
    Route(
        "/contacts/{contactId}/campaigns/removeAll", remove_from_all_campaigns, methods=["DELETE"]
    ),
    Route("/contacts/{contactId}/campaigns/{campaignId}", add_to_campaign, methods=["POST"]),
    Route("/contacts/{contactId}/campaigns/{campaignId}", remove_from_campaign, methods=["DELETE"]),
    Route("/contacts/{contactId}/workflow/{workflowId}", add_to_workflow, methods=["POST"]),
    Route("/contacts/{contactId}/workflow/{workflowId}", remove_from_workflow, methods=["DELETE"]),
]
