"""The GHL triggers: one per documented webhook event, each with its payload schema and
detection. Each one the simulator sends is fired by the change that causes it, its payload
matches the trigger's schema, and it reaches a recipe as an event of the trigger's kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import jsonschema_rs
import pytest
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth, event_from_payload, kind_for
from ghltt.connectors.ghl.operations import _sample as s
from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient
from ghltt.engine.catalog import call_action
from ghltt.engine.catalog.ghl_triggers import GHL_EVENT_TYPES, GHL_TRIGGERS
from ghltt.engine.context import BridgeContext, Repositories
from ghltt.engine.recipes import load_recipe_text
from ghltt.sandbox.ghl import GhlSimulator, GhlSimulatorConfig
from ghltt.store import open_database, upgrade
from tests.engine.catalog import CATALOG

pytestmark = pytest.mark.anyio

BY_TYPE = {GHL_EVENT_TYPES[t.name]: t for t in GHL_TRIGGERS}
# INSTALL fires at the end of the OAuth flow (tests/sandbox/ghl/test_oauth.py); every other
# event fires here, on the change that causes it.
FIRED_ELSEWHERE = {"INSTALL"}
_MOVE = {"id": s.OPPORTUNITY}
# The action (and input) whose change sends each event.
FIRED_BY: dict[str, tuple[str, dict[str, Any]]] = {
    "ContactCreate": ("ghl.contacts.create", {"firstName": "Nora", "email": "nora@example.com"}),
    "ContactUpdate": ("ghl.contacts.update", {"contactId": s.CONTACT, "city": "Salem"}),
    "ContactDelete": ("ghl.contacts.delete", {"contactId": s.CONTACT}),
    "ContactTagUpdate": ("ghl.tags.add", {"contactId": s.CONTACT, "tags": ["new-tag"]}),
    "ContactDndUpdate": ("ghl.contacts.update", {"contactId": s.CONTACT, "dnd": True}),
    "TaskCreate": ("ghl.tasks.create", {"contactId": s.CONTACT, "title": "Call",
                                        "dueDate": "2026-03-10T15:00:00Z", "completed": False}),
    "TaskComplete": ("ghl.tasks.set_completed",
                     {"contactId": s.CONTACT, "taskId": s.TASK, "completed": True}),
    "TaskDelete": ("ghl.tasks.delete", {"contactId": s.CONTACT, "taskId": s.TASK}),
    "NoteCreate": ("ghl.notes.create", {"contactId": s.CONTACT, "body": "Hi"}),
    "NoteUpdate": ("ghl.notes.update", {"contactId": s.CONTACT, "noteId": s.NOTE, "body": "Yo"}),
    "NoteDelete": ("ghl.notes.delete", {"contactId": s.CONTACT, "noteId": s.NOTE}),
    "AppointmentCreate": ("ghl.appointments.create", {
        "calendarId": s.CALENDAR, "contactId": s.CONTACT, "startTime": "2026-03-03T15:00:00Z"}),
    "AppointmentUpdate": ("ghl.appointments.update",
                          {"eventId": s.APPOINTMENT, "title": "Moved"}),
    "AppointmentDelete": ("ghl.appointments.delete", {"eventId": s.APPOINTMENT}),
    "OpportunityCreate": ("ghl.opportunities.create", {
        "pipelineId": s.PIPELINE, "name": "Deal", "status": "open", "contactId": s.CONTACT}),
    "OpportunityUpdate": ("ghl.opportunities.update", {**_MOVE, "name": "Renamed"}),
    "OpportunityDelete": ("ghl.opportunities.delete", _MOVE),
    "OpportunityStageUpdate": ("ghl.opportunities.update",
                               {**_MOVE, "pipelineStageId": s.WON_STAGE}),
    "OpportunityStatusUpdate": ("ghl.opportunities.set_status", {**_MOVE, "status": "won"}),
    "OpportunityMonetaryValueUpdate": ("ghl.opportunities.update",
                                       {**_MOVE, "monetaryValue": 9000}),
    "OpportunityAssignedToUpdate": ("ghl.opportunities.update",
                                    {**_MOVE, "assignedTo": "someoneElse000000001"}),
    "OutboundMessage": ("ghl.messages.send_sms", {"contactId": s.CONTACT, "message": "Hi"}),
    "InboundMessage": ("ghl.messages.add_inbound",
                       {"conversationId": s.CONVERSATION, "type": "SMS", "message": "Hello"}),
    "ConversationUnreadUpdate": ("ghl.conversations.update",
                                 {"conversationId": s.CONVERSATION, "unreadCount": 0}),
    "LCEmailStats": ("ghl.messages.send_email",
                     {"contactId": s.CONTACT, "subject": "Hours", "html": "<p>12 h</p>"}),
    "CampaignStatusUpdate": ("ghl.campaigns.add",
                             {"contactId": s.CONTACT, "campaignId": s.CAMPAIGN}),
    "UserCreate": ("ghl.users.create", {
        "companyId": s.COMPANY, "firstName": "Iris", "lastName": "Vale",
        "email": "iris@sandbox.example", "password": "Sandbox-2026!", "type": "account",
        "role": "user", "locationIds": [s.LOCATION]}),
    "ObjectSchemaCreate": ("ghl.objects.create", {
        "key": "custom_objects.cars", "labels": {"singular": "Car", "plural": "Cars"},
        "primaryDisplayPropertyDetails": {"key": "custom_objects.cars.name", "name": "Name",
                                          "dataType": "TEXT"}}),
    "ObjectSchemaUpdate": ("ghl.objects.update",
                           {"key": s.OBJECT_KEY, "searchableProperties": []}),
    "RecordCreate": ("ghl.object_records.create",
                     {"schemaKey": s.OBJECT_KEY, "properties": {"name": "Milo"}}),
    "RecordUpdate": ("ghl.object_records.update",
                     {"schemaKey": s.OBJECT_KEY, "id": s.RECORD, "properties": {"age": 3}}),
    "RecordDelete": ("ghl.object_records.delete", {"schemaKey": s.OBJECT_KEY, "id": s.RECORD}),
    "AssociationCreate": ("ghl.associations.create", {
        "key": "pet_vet", "firstObjectKey": s.OBJECT_KEY, "firstObjectLabel": "Pet",
        "secondObjectKey": "contact", "secondObjectLabel": "Vet"}),
    "AssociationUpdate": ("ghl.associations.update", {
        "associationId": s.ASSOCIATION, "firstObjectLabel": "Pet", "secondObjectLabel": "Human"}),
    "AssociationDelete": ("ghl.associations.delete", {"associationId": s.ASSOCIATION}),
    "RelationCreate": ("ghl.relations.create", {
        "associationId": s.ASSOCIATION, "firstRecordId": s.RECORD,
        "secondRecordId": s.OTHER_CONTACT}),
    "RelationDelete": ("ghl.relations.delete", {"relationId": s.RELATION}),
    "ProductCreate": ("ghl.products.create", {"name": "Hour", "productType": "SERVICE"}),
    "ProductUpdate": ("ghl.products.update",
                      {"productId": s.PRODUCT, "name": "Hour", "productType": "SERVICE"}),
    "ProductDelete": ("ghl.products.delete", {"productId": s.PRODUCT}),
    "PriceCreate": ("ghl.prices.create", {"productId": s.PRODUCT, "name": "Rush",
                                          "type": "one_time", "currency": "USD", "amount": 9}),
    "PriceUpdate": ("ghl.prices.update", {"productId": s.PRODUCT, "priceId": s.PRICE,
                                          "name": "Std", "type": "one_time", "currency": "USD",
                                          "amount": 8}),
    "PriceDelete": ("ghl.prices.delete", {"productId": s.PRODUCT, "priceId": s.PRICE}),
}  # fmt: skip


# Invoices and orders change on GHL's pages (their APIs are not simulated): the simulator's
# admin endpoints play each change, in this order, on one invoice and one order.
FIRED_ON_GHL_PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "InvoiceCreate": ("invoices", {"contactId": s.CONTACT, "name": "March",
                                   "items": [{"name": "Design", "amount": 100, "qty": 3}]}),
    "InvoiceUpdate": ("invoices/{invoice}", {"change": "update", "name": "March hours"}),
    "InvoiceSent": ("invoices/{invoice}", {"change": "send"}),
    "InvoicePartiallyPaid": ("invoices/{invoice}", {"change": "pay", "amount": 120}),
    "InvoicePaid": ("invoices/{invoice}", {"change": "pay"}),
    "InvoiceVoid": ("invoices/{other}", {"change": "void"}),
    "InvoiceDelete": ("invoices/{other}", {"change": "delete"}),
    "OrderCreate": ("orders", {"contactId": s.CONTACT,
                               "items": [{"name": "Audit", "amount": 49.5, "qty": 2}]}),
    "OrderStatusUpdate": ("orders/{order}", {"status": "completed"}),
}  # fmt: skip


@pytest.fixture
def sim() -> GhlSimulator:
    return GhlSimulator(GhlSimulatorConfig(seed=5))


@pytest.fixture
async def ctx(sim: GhlSimulator, tmp_path: Path) -> AsyncIterator[BridgeContext]:
    engine: sa.Engine = open_database(f"sqlite:///{tmp_path / 'ghltt.db'}")
    upgrade(engine)
    ghl = GhlClient(
        auth=StaticTokenAuth(sim.sample.location_api_key),
        location_id=sim.sample_location_id,
        base_url="https://services.leadconnectorhq.com",
        transport=httpx2.ASGITransport(app=sim.app),
    )
    tt = TrackingTimeClient(AppPassword("unused"), account_id=1, base_url="http://127.0.0.1:9")
    context = BridgeContext(
        bridge_id="b1", mode="live", ghl=ghl, tt=tt, repos=Repositories.of(engine),
        now=datetime.now(UTC),
    )  # fmt: skip
    yield context
    await context.aclose()
    engine.dispose()


def test_one_webhook_trigger_per_documented_event() -> None:
    assert len(GHL_TRIGGERS) == 58 == len({t.name for t in GHL_TRIGGERS})
    for trigger in GHL_TRIGGERS:
        assert trigger.detection == ("webhook",)
        assert trigger.name == f"ghl.{kind_for(GHL_EVENT_TYPES[trigger.name])}"
        assert trigger.payload_schema["type"] == "object" and trigger.description
        jsonschema_rs.meta.validate(trigger.payload_schema)  # a valid JSON Schema
    assert set(FIRED_BY) | FIRED_ELSEWHERE | set(FIRED_ON_GHL_PAGES) | {
        "UNINSTALL",
        "PLAN_CHANGE",
        "ProviderOutboundMessage",
        "LocationCreate",
        "LocationUpdate",
    } == set(BY_TYPE)


def test_a_recipe_may_start_on_every_trigger() -> None:
    events = ", ".join(t.name for t in GHL_TRIGGERS)
    text = f"""\
version: 2
name: every-ghl-event
kind: automation
description: d
trigger: {{events: [{events}]}}
steps:
  - id: read
    action: ghl.contacts.get
    input: {{contactId: event.contactId}}
"""
    assert load_recipe_text(text, CATALOG).name == "every-ghl-event"


@pytest.mark.parametrize("trigger", GHL_TRIGGERS, ids=lambda t: t.name)
def test_the_documented_example_is_an_event_of_the_trigger_kind(trigger: Any) -> None:
    assert trigger.example is not None
    payload = {**trigger.example, "type": GHL_EVENT_TYPES[trigger.name]}
    event = event_from_payload(payload, b"{}", bridge="b1")
    assert f"ghl.{event.kind}" == trigger.name


def _fired(sim: GhlSimulator, event_type: str) -> dict[str, Any]:
    found = [e for e in sim.emitted_events if e["type"] == event_type]
    assert found, f"no {event_type} among {[e['type'] for e in sim.emitted_events]}"
    return found[-1]


def _check(payload: dict[str, Any]) -> None:
    trigger = BY_TYPE[payload["type"]]
    jsonschema_rs.validate(trigger.payload_schema, payload)
    event = event_from_payload(payload, b"{}", bridge="b1")
    assert f"ghl.{event.kind}" == trigger.name


@pytest.mark.parametrize("event_type", sorted(FIRED_BY))
async def test_the_simulator_fires_it_on_the_change(
    ctx: BridgeContext, sim: GhlSimulator, event_type: str
) -> None:
    action, values = FIRED_BY[event_type]
    await call_action(ctx, action, values)
    _check(_fired(sim, event_type))


async def test_the_other_events_fire_on_their_changes(
    ctx: BridgeContext, sim: GhlSimulator
) -> None:
    await ctx.ghl.invoke(
        "messages.send_sms", {"contactId": s.CONTACT, "message": "Hi", "type": "Custom"}
    )
    _check(_fired(sim, "ProviderOutboundMessage"))
    agency = {"Authorization": f"Bearer {sim.sample.agency_token}", "Version": "2021-07-28"}
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=sim.app), base_url="http://ghl.test"
    ) as http:
        made = await http.post(
            "/locations/", json={"name": "Branch", "companyId": s.COMPANY}, headers=agency
        )
        assert made.status_code == 200, made.text
        changed = await http.put(
            f"/locations/{s.LOCATION}", json={"companyId": s.COMPANY, "name": "HQ"}, headers=agency
        )
        assert changed.status_code == 200, changed.text
    _check(_fired(sim, "LocationCreate"))
    _check(_fired(sim, "LocationUpdate"))
    client = sim.sample.oauth_client_id
    sim.oauth.installs.add((client, s.LOCATION))
    sim.oauth.change_plan(client, s.LOCATION, "plan-pro")
    _check(_fired(sim, "PLAN_CHANGE"))
    sim.oauth.uninstall(client, s.LOCATION)
    _check(_fired(sim, "UNINSTALL"))


async def test_invoice_and_order_events_fire_on_their_changes(sim: GhlSimulator) -> None:
    made: dict[str, str] = {}
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=sim.app), base_url="http://ghl.test"
    ) as admin:
        other = await admin.post("/_admin/invoices", json=FIRED_ON_GHL_PAGES["InvoiceCreate"][1])
        made["other"] = other.json()["_id"]
        for event_type, (path, body) in FIRED_ON_GHL_PAGES.items():
            answer = await admin.post(f"/_admin/{path.format(**made)}", json=body)
            assert answer.status_code == 200, answer.text
            made.setdefault(path.split("/")[0].removesuffix("s"), answer.json()["_id"])
            fired = _fired(sim, event_type)
            assert fired["_id"] == answer.json()["_id"]
            _check(fired)
        paid = [e for e in sim.emitted_events if e["type"].startswith("InvoiceP")]
        assert [(e["amountPaid"], e["amountDue"], e["status"]) for e in paid] == [
            (120, 180, "partially_paid"),
            (300, 0, "paid"),
        ]
        refused = await admin.post(f"/_admin/invoices/{made['invoice']}", json={"change": "pay"})
        assert refused.status_code == 400 and "amount must be above 0" in refused.text
