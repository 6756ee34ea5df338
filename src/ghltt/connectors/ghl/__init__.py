"""GoHighLevel API v2 connector.

Construction::

    client = GhlClient(
        auth=StaticTokenAuth("pit-…"),          # or OAuthAuth(store, OAuthApp(id, secret)),
        location_id="…",                        #    or LocationTokenAuth(agency_auth, …)
        base_url=DEFAULT_BASE_URL,              # a simulator's URL in the sandbox
        transport=None,                         # httpx2.ASGITransport(app=sim.app) in tests
        budgets=default_registry(),             # one budget per location, shared per process
    )

Resource groups: ``contacts`` (get, create, update, delete, upsert, search → async iterator over
``searchAfter``, list_all → deprecated ``startAfter``/``startAfterId`` iterator, find_duplicate,
list_by_business, set_business, appointments), ``tags``, ``followers``, ``campaigns``,
``workflows``, ``tasks``, ``notes``, ``appointments`` (calendar events), ``businesses``,
``custom_fields`` (by id and by key), ``users``. Every route lives in ``catalog.CATALOG``.

Webhooks: ``WebhookVerifier(ed25519_public_keys=…, rsa_public_keys=…, tolerance=…, clock=…)``
with ``verify(body, headers)`` and ``parse(body, headers) -> Event``. A workflow's Webhook
action (unsigned, the workflow's standard data): ``event_from_workflow(payload, body, bridge=…)``;
``WORKFLOW_TRIGGERS`` lists the workflow triggers ghltt takes and the event kind of each.
"""

from ghltt.connectors.ghl.auth import (
    DEFAULT_BASE_URL,
    InMemoryTokenStore,
    LocationTokenAuth,
    OAuthApp,
    OAuthAuth,
    OAuthTokens,
    ReauthorizationRequired,
    StaticTokenAuth,
    TokenStore,
)
from ghltt.connectors.ghl.budget import budget_observer, default_budget, default_registry
from ghltt.connectors.ghl.catalog import CATALOG, Operation, operation, scopes_for
from ghltt.connectors.ghl.client import GhlClient
from ghltt.connectors.ghl.errors import DuplicateContact, InvalidGrant, map_ghl_error
from ghltt.connectors.ghl.models import (
    Appointment,
    AppointmentInput,
    Business,
    BusinessInput,
    Contact,
    ContactInput,
    CustomField,
    CustomFieldInput,
    LocationCustomField,
    LocationCustomFieldInput,
    Note,
    NoteInput,
    Task,
    TaskInput,
    UpsertResult,
    User,
)
from ghltt.connectors.ghl.webhooks import (
    GHL_ED25519_PUBLIC_KEY,
    GHL_RSA_PUBLIC_KEY,
    WebhookRejected,
    WebhookVerifier,
    event_from_payload,
    kind_for,
)
from ghltt.connectors.ghl.workflow_hooks import (
    WORKFLOW_TRIGGERS,
    WorkflowTrigger,
    event_from_workflow,
)

__all__ = [
    "CATALOG",
    "DEFAULT_BASE_URL",
    "GHL_ED25519_PUBLIC_KEY",
    "GHL_RSA_PUBLIC_KEY",
    "WORKFLOW_TRIGGERS",
    "Appointment",
    "AppointmentInput",
    "Business",
    "BusinessInput",
    "Contact",
    "ContactInput",
    "CustomField",
    "CustomFieldInput",
    "DuplicateContact",
    "GhlClient",
    "InMemoryTokenStore",
    "InvalidGrant",
    "LocationCustomField",
    "LocationCustomFieldInput",
    "LocationTokenAuth",
    "Note",
    "NoteInput",
    "OAuthApp",
    "OAuthAuth",
    "OAuthTokens",
    "Operation",
    "ReauthorizationRequired",
    "StaticTokenAuth",
    "Task",
    "TaskInput",
    "TokenStore",
    "UpsertResult",
    "User",
    "WebhookRejected",
    "WebhookVerifier",
    "WorkflowTrigger",
    "budget_observer",
    "default_budget",
    "default_registry",
    "event_from_payload",
    "event_from_workflow",
    "kind_for",
    "map_ghl_error",
    "operation",
    "scopes_for",
]
