"""How to reach GHL and TT: base URLs, transports (the test seam), the OAuth app, and clients
built from a connection's credentials with short retries for interactive checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx2
from pydantic import SecretStr

from ghltt.connectors.ghl import DEFAULT_BASE_URL as GHL_BASE_URL
from ghltt.connectors.ghl import GhlClient, OAuthApp
from ghltt.connectors.http import AuthProvider, RetryPolicy
from ghltt.connectors.trackingtime import DEFAULT_BASE_URL as TT_BASE_URL
from ghltt.connectors.trackingtime import Credentials, TrackingTimeClient
from ghltt.core import Clock, InvalidInput, SystemClock

# A person is waiting on a check: fail within seconds instead of backing off for a minute.
CHECK_POLICY = RetryPolicy(max_attempts=2, max_elapsed=10.0, base_delay=0.2, max_delay=1.0)


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

    def __repr__(self) -> str:
        return f"Remotes(ghl={self.ghl_base_url!r}, tt={self.tt_base_url!r})"

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
            policy=policy,
            timeout=self.timeout,
        )

    def tt_client(
        self,
        credentials: Credentials,
        account_id: int | None,
        *,
        policy: RetryPolicy | None = None,
    ) -> TrackingTimeClient:
        return TrackingTimeClient(
            credentials,
            account_id=account_id,
            base_url=self.tt_base_url,
            transport=self.tt_transport,
            retry=policy,
            timeout=self.timeout,
            clock=self.clock,
        )
