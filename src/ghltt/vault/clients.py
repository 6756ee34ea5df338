"""What the vault needs to reach GHL and TT: checking a credential takes one call, and OAuth
takes the Marketplace app. The vault builds no client itself; ``ghltt.bridges.Remotes`` (the
one place clients are built) implements this, and tests may pass their own."""

from __future__ import annotations

from typing import Protocol

from ghltt.connectors.ghl import GhlClient, OAuthApp
from ghltt.connectors.http import AuthProvider, RetryPolicy
from ghltt.connectors.trackingtime import Credentials, TrackingTimeClient
from ghltt.core import Clock

# A person is waiting on a check: fail within seconds instead of backing off for a minute.
CHECK_POLICY = RetryPolicy(max_attempts=2, max_elapsed=10.0, base_delay=0.2, max_delay=1.0)


class ClientFactory(Protocol):
    @property
    def client_id(self) -> str | None:
        """The Marketplace app's client id (None: no OAuth app is configured)."""

    @property
    def clock(self) -> Clock: ...

    @property
    def oauth_configured(self) -> bool: ...

    def oauth_app(self) -> OAuthApp:
        """The Marketplace app; raises InvalidInput naming the missing settings."""

    def ghl_client(
        self, auth: AuthProvider, location_id: str, *, policy: RetryPolicy | None = None
    ) -> GhlClient: ...

    def tt_client(
        self,
        credentials: Credentials,
        account_id: int | None,
        *,
        policy: RetryPolicy | None = None,
    ) -> TrackingTimeClient: ...
