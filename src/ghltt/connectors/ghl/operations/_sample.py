"""Ids of the sandbox's sample account that the examples name. They are the simulator's
``SAMPLE_IDS`` (the connector may not import the sandbox); the contract test checks that the
two agree and that every example runs."""

from __future__ import annotations

CONTACT = "sampleContactAva0001"
OTHER_CONTACT = "sampleContactLiam002"  # has no conversation yet
TASK = "sampleTask0000000001"
NOTE = "sampleNote0000000001"
BUSINESS = "5a3b1e000000000000000b01"
USER = "sampleUserDana000001"
CALENDAR = "sampleCalendar000001"
CALENDAR_GROUP = "sampleCalGroup000001"
APPOINTMENT = "sampleAppointment001"
APPOINTMENT_NOTE = "sampleApptNote000001"
BLOCKED_SLOT = "sampleBlockedSlot001"
CAMPAIGN = "sampleCampaign000001"
WORKFLOW = "sampleWorkflow000001"
PIPELINE = "samplePipeline000001"
STAGE = "5a3b1e00-0000-4000-8000-000000000001"
WON_STAGE = "5a3b1e00-0000-4000-8000-000000000004"
OPPORTUNITY = "sampleOpportunity001"
LOST_REASON = "sampleLostReason0001"
CUSTOM_VALUE = "sampleCustomValue001"
LOCATION_TAG = "sampleLocationTag001"
CONVERSATION = "sampleConversation01"
MESSAGE = "sampleMessage0000001"
FORM = "sampleForm0000000001"
SURVEY = "sampleSurvey00000001"
OBJECT_KEY = "custom_objects.pets"
RECORD = "5a3b1e000000000000000d01"
ASSOCIATION = "5a3b1e000000000000000e01"
ASSOCIATION_KEY = "pet_owner"
RELATION = "5a3b1e000000000000000f01"
PRODUCT = "5a3b1e000000000000001001"
PRICE = "5a3b1e000000000000001101"
COMPANY = "sampleAgency00000001"
LOCATION = "sampleLocation000001"

# 2026-03-02 to 2026-03-04 (UTC), epoch milliseconds: a window for calendar reads.
WINDOW_START = 1772409600000
WINDOW_END = 1772582400000

AS_DICT = {
    "company": COMPANY,
    "location": LOCATION,
    "contact": CONTACT,
    "otherContact": OTHER_CONTACT,
    "task": TASK,
    "note": NOTE,
    "business": BUSINESS,
    "user": USER,
    "calendar": CALENDAR,
    "calendarGroup": CALENDAR_GROUP,
    "appointment": APPOINTMENT,
    "appointmentNote": APPOINTMENT_NOTE,
    "blockedSlot": BLOCKED_SLOT,
    "campaign": CAMPAIGN,
    "workflow": WORKFLOW,
    "pipeline": PIPELINE,
    "stage": STAGE,
    "wonStage": WON_STAGE,
    "opportunity": OPPORTUNITY,
    "lostReason": LOST_REASON,
    "customValue": CUSTOM_VALUE,
    "locationTag": LOCATION_TAG,
    "conversation": CONVERSATION,
    "message": MESSAGE,
    "form": FORM,
    "survey": SURVEY,
    "objectKey": OBJECT_KEY,
    "record": RECORD,
    "association": ASSOCIATION,
    "associationKey": ASSOCIATION_KEY,
    "relation": RELATION,
    "product": PRODUCT,
    "price": PRICE,
}
