"""The one place GHL and TT clients are built: from base URLs, transports (the test seam), the
OAuth app and a connection's credentials in the vault.

``Remotes`` is what the vault is handed to check a credential (``ghltt.vault.ClientFactory``);
``Clients`` builds the client of a stored connection, for the runner, the poller, the CLI and
the web API alike. Clients of one GHL location, or of one TT account, draw on one rate budget:
per process, and across processes when the registries are given a shared window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx2
from pydantic import SecretStr

from ghltt.connectors.ghl import DEFAULT_BASE_URL as GHL_BASE_URL
from ghltt.connectors.ghl import GhlClient, OAuthApp, default_registry
from ghltt.connectors.http import (
    AuthProvider,
    BudgetRegistry,
    RateBudget,
    RetryPolicy,
    SharedWindow,
)
from ghltt.connectors.trackingtime import DEFAULT_BASE_URL as TT_BASE_URL
from ghltt.connectors.trackingtime import Credentials, TrackingTimeClient
from ghltt.core import Clock, InvalidInput, SystemClock
from ghltt.vault import ConnectionService


def tt_registry(
    per_minute: int | None, shared: SharedWindow | None = None
) -> BudgetRegistry | None:
    """One budget of ``per_minute`` sends per TT account (none: unthrottled); ``shared`` makes
    it one per deployment."""
    if per_minute is None:
        return None
    return BudgetRegistry(lambda: RateBudget(per_minute, 60.0), shared=shared, prefix="tt:")


@dataclass(frozen=True)
class Transports:
    """Test and sandbox seam: ASGI transports to the simulators."""

    ghl: httpx2.AsyncBaseTransport | None = None
    tt: httpx2.AsyncBaseTransport | None = None


@dataclass(frozen=True, repr=False)
class Remotes:
    ghl_base_url: str = GHL_BASE_URL
    tt_base_url: str = TT_BASE_URL
    ghl_transport: httpx2.AsyncBaseTransport | None = None
    tt_transport: httpx2.AsyncBaseTransport | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    timeout: float = 20.0
    clock: Clock = field(default_factory=SystemClock)
    # GHL's limits are per location: every client of one location shares its budget.
    budgets: BudgetRegistry = field(default_factory=default_registry)
    # TT's are per account (by id, or by connection when the account is the user's default).
    # TT publishes no quota: None sends unthrottled unless GHLTT_TT_RATE_LIMIT is set.
    tt_budgets: BudgetRegistry | None = None

    def __repr__(self) -> str:
        return f"Remotes(ghl={self.ghl_base_url!r}, tt={self.tt_base_url!r})"

    def with_transports(self, transports: Transports) -> Remotes:
        return replace(self, ghl_transport=transports.ghl, tt_transport=transports.tt)

    @property
    def oauth_configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def oauth_app(self) -> OAuthApp:
        if not self.client_id or self.client_secret is None:
            raise InvalidInput(
                "GHL OAuth needs the Marketplace app: set GHLTT_GHL_CLIENT_ID and "
                "GHLTT_GHL_CLIENT_SECRET",
                where="settings",
            )
        return OAuthApp(
            self.client_id,
            self.client_secret.get_secret_value(),
            base_url=self.ghl_base_url,
            transport=self.ghl_transport,
            clock=self.clock,
        )

    def ghl_client(
        self, auth: AuthProvider, location_id: str, *, policy: RetryPolicy | None = None
    ) -> GhlClient:
        return GhlClient(
            auth=auth,
            location_id=location_id,
            base_url=self.ghl_base_url,
            transport=self.ghl_transport,
            budgets=self.budgets,
            policy=policy,
            timeout=self.timeout,
        )

    def tt_client(
        self,
        credentials: Credentials,
        account_id: int | None,
        *,
        policy: RetryPolicy | None = None,
        account_timezone: str = "UTC",
        budget_key: str | None = None,
    ) -> TrackingTimeClient:
        """``account_timezone``: the zone the account's wall clocks are read in. ``budget_key``
        names the account's budget in ``tt_budgets`` (default: its id)."""
        key = budget_key or (str(account_id) if account_id is not None else None)
        budgets = self.tt_budgets
        return TrackingTimeClient(
            credentials,
            account_id=account_id,
            base_url=self.tt_base_url,
            transport=self.tt_transport,
            budget=budgets.get(key) if budgets is not None and key is not None else None,
            retry=policy,
            timeout=self.timeout,
            clock=self.clock,
            account_timezone=account_timezone,
        )


class Clients:
    """Clients on the credentials of stored connections (by id or label)."""

    def __init__(self, connections: ConnectionService, remotes: Remotes) -> None:
        self.connections = connections
        self.remotes = remotes

    def __repr__(self) -> str:
        return f"Clients({self.remotes!r})"

    def with_transports(self, transports: Transports | None) -> Clients:
        if transports is None:
            return self
        return Clients(self.connections, self.remotes.with_transports(transports))

    def ghl(self, ref: str) -> GhlClient:
        row = self.connections.repo.resolve(ref)
        if not row.account_id:
            raise InvalidInput(
                "an agency connection has no location: use one made from it", where=row.id
            )
        return self.remotes.ghl_client(self.connections.ghl_auth(row.id), str(row.account_id))

    def of_bridge(
        self,
        ghl_connection_id: str | None,
        tt_connection_id: str | None,
        settings: Mapping[str, Any],
    ) -> tuple[GhlClient | None, TrackingTimeClient | None]:
        """A bridge's two clients (None for a side without a connection), the TT one reading
        wall clocks in the account's zone (``tt_timezone`` in the settings)."""
        ghl = self.ghl(ghl_connection_id) if ghl_connection_id else None
        zone = str(settings.get("tt_timezone") or "UTC")
        tt = self.tt(tt_connection_id, account_timezone=zone) if tt_connection_id else None
        return ghl, tt

    def tt(self, ref: str, *, account_timezone: str = "UTC") -> TrackingTimeClient:
        row = self.connections.repo.resolve(ref)
        account = int(row.account_id) if row.account_id else None
        return self.remotes.tt_client(
            self.connections.tt_credentials(row.id),
            account,
            account_timezone=account_timezone,
            budget_key=str(account) if account is not None else f"connection:{row.id}",
        )
