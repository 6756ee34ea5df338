"""GhlInstance: state, configuration, keys and clock of one simulated GHL, plus its controls.

Everything the ASGI app and its routes work on; ``simulator.GhlSimulator`` adds the app."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

from ghltt.core.clock import Clock, SystemClock
from ghltt.sandbox.ghl.auth import TokenInfo, TokenStore
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.ghl.faults import FaultInjector, FaultSettings
from ghltt.sandbox.ghl.ids import IdFactory
from ghltt.sandbox.ghl.keys import WebhookKeys
from ghltt.sandbox.ghl.oauth import OAuthClient, OAuthServer
from ghltt.sandbox.ghl.ratelimit import RateLimiter
from ghltt.sandbox.ghl.scopes import SYNC_SCOPES
from ghltt.sandbox.ghl.seed import SeedResult, seed
from ghltt.sandbox.ghl.state import Record, SimState
from ghltt.sandbox.ghl.timeutil import iso_ms
from ghltt.sandbox.ghl.webhooks import WebhookDispatcher, WebhookOptions, WebhookTarget
from ghltt.sandbox.ghl.workflow_hooks import TRIGGERS, Workflow, check_trigger, standard_data

_PERMISSIONS = (
    "campaignsEnabled", "contactsEnabled", "workflowsEnabled", "triggersEnabled",
    "funnelsEnabled", "opportunitiesEnabled", "dashboardStatsEnabled", "appointmentsEnabled",
    "conversationsEnabled", "settingsEnabled", "tagsEnabled",
)  # fmt: skip


@dataclass
class RequestLogEntry:
    method: str
    path: str
    query: str
    status: int
    location_id: str | None
    time: str
    duration_ms: float
    trace_id: str | None
    version: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "locationId": self.location_id,
            "time": self.time,
            "durationMs": self.duration_ms,
            "traceId": self.trace_id,
            "version": self.version,
        }


class GhlInstance:
    """One simulated GoHighLevel, without its ASGI app.

    Every admin control of ``/_admin/`` is also a method here, for in-process tests.
    """

    def __init__(
        self, config: GhlSimulatorConfig | None = None, *, clock: Clock | None = None
    ) -> None:
        self.config = config or GhlSimulatorConfig()
        self.clock: Clock = clock or SystemClock()
        self.lock = threading.RLock()
        self.keys = WebhookKeys(
            seed=self.config.seed,
            ed25519_private_pem=self.config.ed25519_private_pem,
            rsa_private_pem=self.config.rsa_private_pem,
            rsa_key_size=self.config.rsa_key_size,
        )
        self.faults = FaultInjector(self.config.seed, self.clock)
        self.ratelimit = RateLimiter(
            self.clock,
            burst=self.config.rate_limit_burst,
            window_ms=self.config.rate_limit_window_ms,
            daily=self.config.rate_limit_daily,
        )
        self.webhooks = WebhookDispatcher(
            self.keys,
            self.faults,
            WebhookOptions(
                max_retries=self.config.webhook_max_retries,
                retry_delay_s=self.config.webhook_retry_delay_s,
                retry_jitter_s=self.config.webhook_retry_jitter_s,
                timeout_s=self.config.webhook_timeout_s,
                sign_legacy_rsa=self.config.sign_legacy_rsa,
                transport=self.config.webhook_transport,
            ),
        )
        self.requests: list[RequestLogEntry] = []
        self._requests_lock = threading.Lock()
        self._build_state()

    def _build_state(self) -> None:
        self.workflow_hooks: dict[str, Workflow] = {}
        self.ids = IdFactory(self.config.seed)
        self.state = SimState()
        self.tokens = TokenStore(self.ids, self.clock)
        self.oauth = OAuthServer(self)
        self.sample: SeedResult = seed(self)

    # ---- the sample account --------------------------------------------------------------
    @property
    def sample_location_id(self) -> str:
        return self.sample.location_id

    @property
    def sample_token(self) -> str:
        """A Private Integration token (``pit-…``) of the sample location."""
        return self.sample.location_token

    @property
    def ed25519_public_pem(self) -> str:
        return self.keys.ed25519_public_pem

    @property
    def rsa_public_pem(self) -> str:
        return self.keys.rsa_public_pem

    # ---- controls (mirrored by /_admin/) -------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Back to the seeded sample: state, tokens, clients, limits, faults, logs, targets,
        workflows."""
        with self.lock:
            if seed is not None:
                self.config.seed = seed
            self._build_state()
            self.ratelimit.reset()
            self.faults.reset(self.config.seed)
            self.webhooks.clear()
            self.clear_requests()

    def set_rate_limits(
        self, *, burst: int | None = None, window_ms: int | None = None, daily: int | None = None
    ) -> dict[str, int]:
        self.ratelimit.configure(burst=burst, window_ms=window_ms, daily=daily)
        return self.ratelimit.settings()

    def set_faults(self, **changes: Any) -> FaultSettings:
        """E.g. ``set_faults(error_rate=0.2, latency_ms=50, storm_requests=3)``."""
        return self.faults.update(**changes)

    def clear_faults(self) -> None:
        self.faults.reset()

    def add_webhook_target(
        self, url: str, *, events: list[str] | None = None, location_id: str | None = None
    ) -> WebhookTarget:
        return self.webhooks.add_target(url, events=events, location_id=location_id)

    def remove_webhook_target(self, target_id_or_url: str) -> int:
        return self.webhooks.remove_target(target_id_or_url)

    def create_token(
        self,
        *,
        kind: str = "pit",
        location_id: str | None = None,
        scopes: list[str] | frozenset[str] | None = None,
        company: bool = False,
    ) -> TokenInfo:
        """A new PIT (``kind='pit'``) or location API key (``kind='api_key'``)."""
        company_id = self.sample.company_id
        location = None if company else (location_id or self.sample_location_id)
        granted = frozenset(scopes) if scopes is not None else SYNC_SCOPES
        if kind == "api_key" and location is not None:
            return self.tokens.issue_api_key(
                company_id=company_id, location_id=location, scopes=granted
            )
        return self.tokens.issue_pit(company_id=company_id, location_id=location, scopes=granted)

    def revoke_token(self, token: str) -> bool:
        return self.tokens.revoke(token) or self.oauth.revoke_refresh(token)

    def expire_token(self, token: str) -> bool:
        info = self.tokens.get(token)
        if info is None:
            return False
        info.expires_at = self.clock.now()
        return True

    def register_oauth_client(
        self,
        *,
        redirect_uris: list[str],
        scopes: list[str] | None = None,
        user_type: str = "Location",
        name: str = "Sandbox app",
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> OAuthClient:
        return self.oauth.register_client(
            redirect_uris=redirect_uris,
            scopes=scopes,
            user_type="Company" if user_type == "Company" else "Location",
            name=name,
            client_id=client_id,
            client_secret=client_secret,
        )

    @property
    def token_endpoint_calls(self) -> int:
        return self.oauth.token_calls

    def set_location_settings(
        self,
        location_id: str | None = None,
        *,
        allow_duplicate_contact: bool | None = None,
        duplicate_priority: list[str] | None = None,
    ) -> Record:
        with self.lock:
            location = self.state.locations[location_id or self.sample_location_id]
            if allow_duplicate_contact is not None:
                location.settings.allow_duplicate_contact = allow_duplicate_contact
            if duplicate_priority is not None:
                location.settings.duplicate_priority = tuple(duplicate_priority)
            return location.as_dict()

    # ---- request log ---------------------------------------------------------------------
    def log_request(self, entry: RequestLogEntry) -> None:
        with self._requests_lock:
            self.requests.append(entry)

    def request_log(self) -> list[dict[str, Any]]:
        with self._requests_lock:
            return [e.public() for e in self.requests]

    def count_requests(
        self, *, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> int:
        """How many logged API requests match; ``path`` may end with ``*`` for a prefix."""

        def hit(e: RequestLogEntry) -> bool:
            if method and e.method != method.upper():
                return False
            if status is not None and e.status != status:
                return False
            if path is None:
                return True
            return e.path.startswith(path[:-1]) if path.endswith("*") else e.path == path

        with self._requests_lock:
            return sum(1 for e in self.requests if hit(e))

    def clear_requests(self) -> None:
        with self._requests_lock:
            self.requests.clear()

    # ---- state helpers -------------------------------------------------------------------
    def snapshot(self) -> Record:
        with self.lock:
            return self.state.snapshot()

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
    ) -> Record:
        with self.lock:
            user: Record = {
                "id": self.ids.alnum(),
                "name": f"{first_name} {last_name}",
                "firstName": first_name,
                "lastName": last_name,
                "email": email,
                "phone": phone or "",
                "extension": "",
                "permissions": {p: True for p in _PERMISSIONS},
                "roles": {
                    "type": user_type,
                    "role": role,
                    "locationIds": list(location_ids),
                    "restrictSubAccount": False,
                },
                "deleted": False,
                "companyId": company_id,
            }
            self.state.users[user["id"]] = user
        if emit:
            fields = {
                k: user[k]
                for k in ("id", "firstName", "lastName", "email", "phone", "extension")
                if user.get(k) is not None
            }
            fields.update(role=role, permissions=user["permissions"])
            location = location_ids[0] if user_type == "account" and location_ids else None
            if location is None:
                fields.update(companyId=company_id, locations=list(location_ids))
            self.emit("UserCreate", location, fields)
        return user

    # ---- webhooks ------------------------------------------------------------------------
    def emit(
        self,
        event_type: str,
        location_id: str | None,
        fields: Record,
        *,
        app_id: str | None = None,
    ) -> Record:
        """Queue one signed webhook: ``type`` and ``locationId`` first, then the fields, then
        ``appId``, ``versionId``, ``timestamp`` and ``webhookId`` as live deliveries carry."""
        payload: Record = {"type": event_type}
        if location_id is not None:
            payload["locationId"] = location_id
        payload.update({k: v for k, v in fields.items() if k != "type"})  # the event's own
        app = app_id or self.config.app_id
        payload.update(
            appId=app,
            versionId=app if app_id else self.config.version_id,
            timestamp=iso_ms(self.clock.now()),
            webhookId=str(uuid.uuid4()),
        )
        self.webhooks.emit(payload)
        self._fire_workflows(event_type, location_id, fields)
        return payload

    # ---- workflows whose action is a Webhook ----------------------------------------------
    def submit(self, kind: str, parent_id: str, contact_id: str, answers: Record) -> Record:
        """Someone fills in form (or survey) ``parent_id`` on GHL's public page: a submission of
        ``answers`` by the contact, listed under ``/forms/submissions``. GHL sends no webhook
        for it (none of its documented events is one): integrations poll the list."""
        if kind not in ("form", "survey"):
            raise ValueError("kind must be form or survey")
        with self.lock:
            parent = self.state.tables[f"{kind}s"].get(parent_id)
            if parent is None:
                raise KeyError(f"no {kind} {parent_id!r}")
            contact = self.state.contacts.get(contact_id)
            if contact is None:
                raise KeyError(f"no contact {contact_id!r}")
            names = (contact.get("firstName"), contact.get("lastName"))
            record: Record = {
                "id": self.ids.alnum(),
                f"{kind}Id": parent_id,
                "contactId": contact_id,
                "name": " ".join(n for n in names if n) or contact.get("email"),
                "email": contact.get("email"),
                "createdAt": iso_ms(self.clock.now()),
                "locationId": parent["locationId"],
                "others": dict(answers),
            }
            self.state.tables[f"{kind}Submissions"][record["id"]] = record
            return dict(record)

    def add_workflow(
        self, trigger: str, url: str, *, custom_data: dict[str, str] | None = None, name: str = ""
    ) -> Workflow:
        """A published workflow: ``trigger`` (a key of ``TRIGGERS``) → Webhook POST to ``url``."""
        check_trigger(trigger)
        with self.lock:
            workflow_id = self.ids.uuid()
            workflow = Workflow(
                workflow_id, name or f"Webhook on {trigger}", trigger, url, dict(custom_data or {})
            )
            self.workflow_hooks[workflow_id] = workflow
            return workflow

    def remove_workflow(self, workflow_id: str) -> bool:
        with self.lock:
            return self.workflow_hooks.pop(workflow_id, None) is not None

    def _fire_workflows(self, event_type: str, location_id: str | None, fields: Record) -> None:
        with self.lock:
            fired = [w for w in self.workflow_hooks.values() if event_type in TRIGGERS[w.trigger]]
            for workflow in fired:
                data = standard_data(workflow, event_type, fields, self.state, location_id)
                if data is not None:
                    target = WebhookTarget(workflow.id, workflow.url, signed=False)
                    self.webhooks.send(data, target)

    @property
    def emitted_events(self) -> list[Record]:
        return list(self.webhooks.emitted)

    async def drain_webhooks(self, wait_s: float = 10.0) -> bool:
        return await self.webhooks.drain(wait_s)

    def wait_webhooks(self, wait_s: float = 10.0) -> bool:
        return self.webhooks.wait_idle(wait_s)

    async def aclose(self) -> None:
        await self.webhooks.aclose()
