"""Switches of the simulator. Shapes the reference marks [INFERRED] or [CONFLICT] are flags here."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Event names the reference confirms (event.*) or proposes ([INFERRED] the rest).
DEFAULT_WEBHOOK_EVENTS: tuple[str, ...] = (
    "event.created",
    "event.updated",
    "event.deleted",
    "task.created",
    "task.updated",
    "task.closed",
    "task.opened",
    "task.deleted",
    "project.created",
    "project.updated",
    "project.closed",
    "project.opened",
    "project.deleted",
)


class SimulatorConfig(BaseModel):
    """Behaviour flags; every one can be changed at run time (``PATCH /_admin/config``)."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    seed: int = Field(default=1725, description="Seed of the sample account and of the faults.")
    seed_sample_account: bool = True
    # §6: events default to 1 000 per page; older clients assumed 50.
    events_default_page_size: int = Field(default=1000, ge=1)
    events_max_page_size: int = Field(default=20000, ge=1)
    flat_events_max_page_size: int = Field(default=5000, ge=1)
    tasks_default_page_size: int = Field(default=500, ge=1)
    # DISC saw the legacy /tasks list page at 100.
    tasks_list_page_size: int = Field(default=100, ge=1)
    assigned_tasks_default_page_size: int = Field(default=100, ge=1)
    # §7.7.1: /events used to answer with full field names before 2023.
    legacy_events_format: bool = False
    # FICUS: events/update requires 'end'; the RN partial-update policy says it does not.
    event_update_requires_end: bool = False
    # §3 [CONFLICT]: FICUS saw POST on users/customers close/open answer an HTML page.
    strict_methods: bool = False
    # §2 [INFERRED]: answer 400 when User-Agent is missing.
    require_user_agent: bool = False
    # §4.2 [INFERRED]: make the HTTP status line equal the in-band status.
    http_status_mirrors_envelope: bool = False
    # §2: bearer tokens are only "on request" in the real API; accept the user's token or an
    # app password as a bearer.
    accept_bearer: bool = True
    # §6 [INFERRED]: API Guard. 0 disables it.
    rate_limit_per_minute: int = Field(default=0, ge=0)
    # §7.11 [INFERRED] webhook delivery.
    webhook_events: list[str] = Field(default_factory=lambda: list(DEFAULT_WEBHOOK_EVENTS))
    webhook_reject_unknown_events: bool = True
    webhook_signature_header: str | None = "X-TrackingTime-Signature"
    webhook_token_header: str | None = "X-TrackingTime-Token"
    webhook_token_in_payload: bool = False
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    webhook_max_attempts: int = Field(default=3, ge=1, le=20)
    webhook_retry_backoff_ms: int = Field(default=200, ge=0)
    # Slugs of the system custom fields that hold third-party ids ([INFERRED] beyond EVENT_*).
    third_party_slugs: list[str] = Field(
        default_factory=lambda: [
            "EVENT_THIRD_PARTY_ID",
            "EVENT_THIRD_PARTY_SERVICE",
            "TASK_THIRD_PARTY_ID",
            "TASK_THIRD_PARTY_SERVICE",
            "PROJECT_THIRD_PARTY_ID",
            "PROJECT_THIRD_PARTY_SERVICE",
            "CUSTOMER_THIRD_PARTY_ID",
            "CUSTOMER_THIRD_PARTY_SERVICE",
        ]
    )
    # Message texts the reference proposes ([INFERRED]).
    not_found_message: str = "Object not found"
    unknown_endpoint_message: str = "The requested endpoint doesn't exist"
    unknown_endpoint_status: int = 404
