"""TrackingTime (API v4): a typed async client, webhook verification, polling helpers, catalog.

    async with TrackingTimeClient(AppPassword("..."), account_id=1725) as tt:
        async for entry in tt.events.iterate(from_=date(2026, 1, 1), to=date(2026, 1, 31)):
            print(entry.id, entry.start_at(), entry.duration)

Errors are the shared ``ghltt.connectors.http`` hierarchy; the ``TT*`` classes add TT's own
status (``api_status``) and whether it came in-band.
"""

from ghltt.connectors.trackingtime._api import DEFAULT_BASE_URL
from ghltt.connectors.trackingtime._customers import CUSTOMER_LIST_CAP
from ghltt.connectors.trackingtime.auth import AppPassword, BearerToken, Credentials, EmailPassword
from ghltt.connectors.trackingtime.catalog import OPERATIONS, Idempotency, Operation, Paging
from ghltt.connectors.trackingtime.changes import (
    DEFAULT_OVERLAP,
    Changes,
    SnapshotCursor,
    SnapshotTracker,
    WindowCursor,
    WindowTracker,
    content_hash,
)
from ghltt.connectors.trackingtime.client import TrackingTimeClient, default_budget
from ghltt.connectors.trackingtime.errors import (
    AccountSuspended,
    NonJSONResponse,
    TimerAlreadyRunning,
    TrackingTimeError,
    TTAuthError,
    TTNotFound,
    TTPermissionDenied,
    TTRateLimited,
    TTReadFailed,
    TTServerError,
    TTValidationError,
    UnexpectedShape,
)
from ghltt.connectors.trackingtime.models import (
    CompactUser,
    Customer,
    CustomField,
    EnumOption,
    EventTag,
    NamedRef,
    Project,
    Service,
    Task,
    TaskList,
    Team,
    TimeEntry,
    Trackables,
    User,
    Webhook,
    WebhookCreated,
)
from ghltt.connectors.trackingtime.pagination import paginate
from ghltt.connectors.trackingtime.timefmt import (
    format_date,
    format_datetime,
    format_offset,
    parse_date,
    parse_datetime,
    parse_timezone,
    to_tt,
)
from ghltt.connectors.trackingtime.webhooks import (
    WebhookVerificationError,
    WebhookVerifier,
    parse_delivery,
)

__all__ = [
    "CUSTOMER_LIST_CAP",
    "DEFAULT_BASE_URL",
    "DEFAULT_OVERLAP",
    "OPERATIONS",
    "AccountSuspended",
    "AppPassword",
    "BearerToken",
    "Changes",
    "CompactUser",
    "Credentials",
    "CustomField",
    "Customer",
    "EmailPassword",
    "EnumOption",
    "EventTag",
    "Idempotency",
    "NamedRef",
    "NonJSONResponse",
    "Operation",
    "Paging",
    "Project",
    "Service",
    "SnapshotCursor",
    "SnapshotTracker",
    "TTAuthError",
    "TTNotFound",
    "TTPermissionDenied",
    "TTRateLimited",
    "TTReadFailed",
    "TTServerError",
    "TTValidationError",
    "Task",
    "TaskList",
    "Team",
    "TimeEntry",
    "TimerAlreadyRunning",
    "Trackables",
    "TrackingTimeClient",
    "TrackingTimeError",
    "UnexpectedShape",
    "User",
    "Webhook",
    "WebhookCreated",
    "WebhookVerificationError",
    "WebhookVerifier",
    "WindowCursor",
    "WindowTracker",
    "content_hash",
    "default_budget",
    "format_date",
    "format_datetime",
    "format_offset",
    "paginate",
    "parse_date",
    "parse_datetime",
    "parse_delivery",
    "parse_timezone",
    "to_tt",
]
