"""A realistic sample account: one agency, a main location with users, contacts, tags, custom
fields, businesses, tasks, notes and a calendar with appointments, and a second location."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from ghltt.core.clock import Clock
from ghltt.sandbox.ghl.auth import TokenStore
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.ghl.ids import IdFactory
from ghltt.sandbox.ghl.oauth import OAuthServer
from ghltt.sandbox.ghl.sample_ids import SAMPLE_IDS
from ghltt.sandbox.ghl.scopes import ALL_SCOPES, SYNC_SCOPES
from ghltt.sandbox.ghl.seed_breadth import seed_breadth
from ghltt.sandbox.ghl.state import Location, LocationSettings, Record, SimState
from ghltt.sandbox.ghl.timeutil import iso_ms


class SeedHost(Protocol):
    """What seeding uses of the simulator it fills."""

    config: GhlSimulatorConfig
    clock: Clock
    ids: IdFactory
    state: SimState
    tokens: TokenStore
    oauth: OAuthServer

    def add_user(
        self,
        *,
        first_name: str,
        last_name: str,
        email: str | None,
        phone: str | None,
        role: str,
        user_type: str,
        location_ids: list[str],
        company_id: str,
        emit: bool = True,
    ) -> Record: ...


_PEOPLE = [
    ("Ava", "Thompson", "Brightside Dental", ["vip", "patient"]),
    ("Liam", "Garcia", "Garcia Plumbing", ["lead"]),
    ("Mia", "Chen", "Chen & Co", ["patient", "newsletter"]),
    ("Noah", "Patel", None, ["lead", "referral"]),
    ("Emma", "Rossi", "Rossi Architects", ["client"]),
    ("Lucas", "Müller", None, ["lead"]),
    ("Sofia", "Novak", "Novak Legal", ["client", "vip"]),
    ("Ethan", "Kim", None, []),
    ("Isabella", "Dubois", "Dubois Bakery", ["patient"]),
    ("Mason", "Okafor", None, ["newsletter"]),
    ("Olivia", "Silva", "Silva Studio", ["client"]),
    ("James", "Ivanov", None, ["lead", "cold"]),
    ("Amelia", "Jensen", "Jensen Farms", ["patient", "vip"]),
    ("Benjamin", "Haddad", None, ["referral"]),
    ("Charlotte", "Nakamura", "Nakamura Design", ["client"]),
    ("Elijah", "Kowalski", None, []),
    ("Harper", "Andersson", "Andersson AB", ["lead"]),
    ("Henry", "O'Brien", None, ["patient"]),
    ("Evelyn", "Santos", "Santos Fitness", ["client", "newsletter"]),
    ("Jack", "Fischer", None, ["lead"]),
]

_FIELDS = [
    ("Preferred Tracker Project", "preferred_tracker_project", "TEXT", None),
    ("Budget", "budget", "MONETORY", None),
    ("Lead Source Detail", "lead_source_detail", "SINGLE_OPTIONS", ["Web", "Phone", "Referral"]),
    ("Hours Estimate", "hours_estimate", "NUMERICAL", None),
]


@dataclass
class SeedResult:
    company_id: str
    location_id: str
    other_location_id: str
    location_token: str
    location_api_key: str
    agency_token: str
    other_location_token: str
    oauth_client_id: str
    oauth_client_secret: str
    oauth_redirect_uri: str

    def public(self) -> dict[str, Any]:
        return {
            "companyId": self.company_id,
            "locationId": self.location_id,
            "otherLocationId": self.other_location_id,
            "locationToken": self.location_token,
            "locationApiKey": self.location_api_key,
            "agencyToken": self.agency_token,
            "otherLocationToken": self.other_location_token,
            "oauthClientId": self.oauth_client_id,
            "oauthClientSecret": self.oauth_client_secret,
            "oauthRedirectUri": self.oauth_redirect_uri,
        }


_FIXED_CONTACTS = {0: SAMPLE_IDS["contact"], 1: SAMPLE_IDS["otherContact"]}


def _rekey(table: dict[str, Record], record: Record, new_id: str) -> None:
    del table[record["id"]]
    record["id"] = new_id
    table[new_id] = record


def seed(sim: SeedHost) -> SeedResult:
    ids, state, cfg = sim.ids, sim.state, sim.config
    base = sim.clock.now().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=60)
    ids.alnum()  # drawn before the company id was fixed: later ids stay put
    company_id = SAMPLE_IDS["company"]
    state.companies[company_id] = {"id": company_id, "name": "Sandbox Agency"}
    settings = LocationSettings(cfg.allow_duplicate_contact, tuple(cfg.duplicate_priority))
    ids.alnum()  # the location's id before it was fixed
    main = Location(
        SAMPLE_IDS["location"], company_id, "Sandbox Dental & Co", "America/New_York", settings
    )
    other = Location(ids.alnum(), company_id, "Other Sub-Account", "Europe/Berlin")
    state.locations[main.id] = main
    state.locations[other.id] = other

    users = [
        sim.add_user(first_name=f, last_name=last, email=f"{f.lower()}@sandbox.example",
                     phone=phone, role=role, user_type="account", location_ids=[main.id],
                     company_id=company_id, emit=False)
        for f, last, phone, role in (
            ("Dana", "Whitfield", "+15550100001", "admin"),
            ("Marco", "Bellini", "+15550100002", "user"),
            ("Priya", "Raman", "+15550100003", "user"),
        )
    ]  # fmt: skip
    _rekey(state.users, users[0], SAMPLE_IDS["user"])
    user_ids = [u["id"] for u in users]

    fields = []
    for index, (name, key, data_type, options) in enumerate(_FIELDS):
        field: Record = {
            "id": ids.alnum(),
            "name": name,
            "fieldKey": f"contact.{key}",
            "dataType": data_type,
            "placeholder": "",
            "position": index * 50,
            "locationId": main.id,
            "dateAdded": iso_ms(base),
            "dateUpdated": iso_ms(base),
        }
        if options:
            field["options"] = [{"key": o.lower(), "label": o} for o in options]
        state.custom_fields[field["id"]] = field
        fields.append(field)

    businesses = []
    for index, (name, city) in enumerate(
        (("Brightside Dental", "Boston"), ("Garcia Plumbing", "Austin"), ("Novak Legal", "Denver"))
    ):
        when = iso_ms(base + timedelta(hours=index))
        business: Record = {
            "id": ids.hex24(), "name": name, "locationId": main.id, "city": city,
            "country": "US", "email": f"office@{name.split()[0].lower()}.example",
            "createdBy": {}, "updatedBy": {}, "createdAt": when, "updatedAt": when,
        }  # fmt: skip
        if index == 0:
            business["id"] = SAMPLE_IDS["business"]
        state.businesses[business["id"]] = business
        businesses.append(business)

    contacts = []
    for index, (first, last, company, tags) in enumerate(_PEOPLE):
        added = base + timedelta(days=index * 2, minutes=index * 7)
        slug = first.lower() + "." + last.lower().replace("'", "").replace("ü", "u")
        contact_id = ids.alnum()
        contact: Record = {
            "id": _FIXED_CONTACTS.get(index, contact_id),
            "locationId": main.id,
            "firstName": first,
            "lastName": last,
            "email": f"{slug}@example.com",
            "phone": f"+1555020{index:04d}",
            "companyName": company,
            "country": "US",
            "timezone": main.timezone,
            "source": "sandbox seed",
            "type": "lead" if "client" not in tags else "customer",
            "dnd": index % 9 == 8,
            "dndSettings": {"Email": {"status": "active", "message": "", "code": ""}}
            if index % 9 == 8
            else {},
            "tags": list(tags),
            "customFields": [],
            "followers": [],
            "additionalEmails": [],
            "assignedTo": user_ids[index % len(user_ids)],
            "dateAdded": iso_ms(added),
            "dateUpdated": iso_ms(added + timedelta(days=1)),
            "attributionSource": {
                "url": "https://sandbox.example/landing",
                "sessionSource": "Direct traffic",
                "medium": "form",
                "mediumId": None,
            },
            "_campaigns": [],
            "_workflows": [],
        }
        if index % 3 == 0:
            contact["customFields"] = [
                {"id": fields[0]["id"], "value": f"Project {last}"},
                {"id": fields[2]["id"], "value": "Referral" if "referral" in tags else "Web"},
            ]
        if index < 6:
            contact["businessId"] = businesses[index % len(businesses)]["id"]
        state.contacts[contact["id"]] = contact
        contacts.append(contact)

    for index, contact in enumerate(contacts[:12]):
        due = base + timedelta(days=70 + index)
        task_id = ids.alnum()
        task: Record = {
            "id": SAMPLE_IDS["task"] if index == 0 else task_id,
            "title": f"Follow up with {contact['firstName']}",
            "body": "Call to review the proposal and log the time spent.",
            "assignedTo": contact["assignedTo"],
            "dueDate": iso_ms(due),
            "completed": index % 4 == 3,
            "contactId": contact["id"],
            "dateAdded": iso_ms(base + timedelta(days=index * 2, hours=2)),
            "_locationId": main.id,
        }
        if contact.get("businessId"):
            task["businessId"] = contact["businessId"]
        state.tasks[task["id"]] = task
        if index % 2 == 0:
            note_id = ids.alnum()
            note: Record = {
                "id": SAMPLE_IDS["note"] if index == 0 else note_id,
                "body": f"Spoke with {contact['firstName']} about scope; estimate {index + 2}h.",
                "userId": contact["assignedTo"],
                "dateAdded": iso_ms(base + timedelta(days=index * 2, hours=3)),
                "contactId": contact["id"],
                "_locationId": main.id,
            }
            state.notes[note["id"]] = note

    ids.alnum(), ids.alnum()  # the calendar's ids before they were fixed: later ids stay put
    calendar: Record = {
        "id": SAMPLE_IDS["calendar"],
        "locationId": main.id,
        "groupId": SAMPLE_IDS["calendarGroup"],
        "name": "Consultations",
        "description": "30-minute consultations",
        "slotDuration": 30,
        "calendarType": "round_robin",
        "teamMembers": user_ids[:2],
        "isActive": True,
    }
    state.calendars[calendar["id"]] = calendar
    for index, contact in enumerate(contacts[:6]):
        start = base + timedelta(days=62 + index, hours=index % 3)
        event_id = ids.alnum()
        event: Record = {
            "id": SAMPLE_IDS["appointment"] if index == 0 else event_id,
            "title": f"Consultation with {contact['firstName']} {contact['lastName']}",
            "calendarId": calendar["id"],
            "locationId": main.id,
            "contactId": contact["id"],
            "groupId": calendar["groupId"],
            "appointmentStatus": "confirmed" if index % 3 else "new",
            "assignedUserId": user_ids[index % 2],
            "users": [user_ids[index % 2]],
            "notes": "",
            "address": "https://meet.example/sandbox",
            "source": "booking_widget",
            "isRecurring": False,
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(minutes=30)).isoformat(),
            "dateAdded": iso_ms(base + timedelta(days=index)),
            "dateUpdated": iso_ms(base + timedelta(days=index)),
            "assignedResources": [],
            "createdBy": {"source": "booking_widget", "userId": None},
        }
        state.appointments[event["id"]] = event

    for index, name in enumerate(("Welcome sequence", "Re-engagement")):
        drawn = ids.alnum()
        campaign_id = drawn if index else SAMPLE_IDS["campaign"]
        state.campaigns[campaign_id] = {
            "id": campaign_id, "name": name, "locationId": main.id, "status": "published",
        }  # fmt: skip
    for index, name in enumerate(("New lead intake", "Post-appointment follow-up")):
        drawn = ids.alnum()
        workflow_id = drawn if index else SAMPLE_IDS["workflow"]
        state.workflows[workflow_id] = {
            "id": workflow_id, "name": name, "locationId": main.id, "status": "published",
            "version": 1, "createdAt": iso_ms(base), "updatedAt": iso_ms(base),
        }  # fmt: skip

    for index, (first, last) in enumerate((("Otto", "Berg"), ("Greta", "Lind"))):
        stamp = iso_ms(base + timedelta(days=index))
        other_contact: Record = {
            "id": ids.alnum(), "locationId": other.id, "firstName": first, "lastName": last,
            "email": f"{first.lower()}@other.example", "type": "lead", "dnd": False,
            "tags": ["other"], "customFields": [], "followers": [], "additionalEmails": [],
            "dateAdded": stamp, "dateUpdated": stamp, "_campaigns": [], "_workflows": [],
        }  # fmt: skip
        state.contacts[other_contact["id"]] = other_contact

    seed_breadth(state, ids, main.id, contacts, base)
    pit = sim.tokens.issue_pit(company_id=company_id, location_id=main.id, scopes=SYNC_SCOPES)
    api_key = sim.tokens.issue_api_key(
        company_id=company_id, location_id=main.id, scopes=ALL_SCOPES
    )
    agency = sim.tokens.issue_pit(company_id=company_id, location_id=None, scopes=ALL_SCOPES)
    other_pit = sim.tokens.issue_pit(
        company_id=company_id, location_id=other.id, scopes=SYNC_SCOPES
    )
    redirect = "http://127.0.0.1:8100/oauth/callback"
    client = sim.oauth.register_client(redirect_uris=[redirect], name="ghltt sandbox")
    return SeedResult(
        company_id=company_id,
        location_id=main.id,
        other_location_id=other.id,
        location_token=pit.token,
        location_api_key=api_key.token,
        agency_token=agency.token,
        other_location_token=other_pit.token,
        oauth_client_id=client.client_id,
        oauth_client_secret=client.client_secret,
        oauth_redirect_uri=redirect,
    )
