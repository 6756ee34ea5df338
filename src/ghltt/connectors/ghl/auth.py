"""Credentials for GHL: static tokens (Private Integration token, API key) and OAuth.

OAuth access tokens live one day; each refresh returns a new single-use refresh token. So a
refresh is single-flight (one lock, re-read the store inside it), the rotated pair is saved
before the new access token is used, and ``invalid_grant`` re-reads the store (another process
may have rotated first) before declaring the connection dead (``ReauthorizationRequired``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

import httpx2
from pydantic import BaseModel, ConfigDict, SecretStr

from ghltt.connectors.ghl.catalog import operation
from ghltt.connectors.ghl.errors import InvalidGrant, map_ghl_error
from ghltt.connectors.http import AuthError, AuthProvider, Requestor, RetryPolicy, build_client
from ghltt.core import Clock, SystemClock

__all__ = [
    "DEFAULT_BASE_URL",
    "InMemoryTokenStore",
    "LocationTokenAuth",
    "OAuthApp",
    "OAuthAuth",
    "OAuthTokens",
    "ReauthorizationRequired",
    "StaticTokenAuth",
    "TokenStore",
]

DEFAULT_BASE_URL = "https://services.leadconnectorhq.com"
DEFAULT_SKEW = timedelta(seconds=60)


class ReauthorizationRequired(AuthError):
    """The stored grant is gone or refused: a person must connect the account again."""


class StaticTokenAuth:
    """A Private Integration token (``pit-…``) or a location API key: sent as a bearer."""

    def __init__(self, token: str, *, kind: Literal["pit", "api_key"] = "pit") -> None:
        if not token:
            raise ValueError("an empty token")
        self._token = SecretStr(token)
        self.kind = kind

    def __repr__(self) -> str:
        return f"StaticTokenAuth(kind={self.kind!r}, token='***')"

    async def authorization(self) -> str:
        return f"Bearer {self._token.get_secret_value()}"

    async def refresh_after_unauthorized(self, rejected: str) -> bool:
        return False  # a static token cannot be renewed by us


class OAuthTokens(BaseModel):
    """One OAuth grant as stored: secrets stay ``SecretStr`` so reprs and logs never show them."""

    model_config = ConfigDict(frozen=True)

    access_token: SecretStr
    refresh_token: SecretStr | None = None
    expires_at: datetime
    scope: str = ""
    user_type: str | None = None
    location_id: str | None = None
    company_id: str | None = None
    user_id: str | None = None

    @classmethod
    def from_response(cls, body: dict[str, Any], *, now: datetime) -> OAuthTokens:
        """From a ``/oauth/token`` or ``/oauth/locationToken`` answer."""
        refresh = body.get("refresh_token")
        return cls(
            access_token=SecretStr(str(body["access_token"])),
            refresh_token=SecretStr(str(refresh)) if refresh else None,
            expires_at=now + timedelta(seconds=float(body.get("expires_in") or 86399)),
            scope=str(body.get("scope") or ""),
            user_type=body.get("userType") or body.get("user_type"),
            location_id=body.get("locationId"),
            company_id=body.get("companyId"),
            user_id=body.get("userId"),
        )

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.scope.split())

    def expires_within(self, skew: timedelta, now: datetime) -> bool:
        return self.expires_at - skew <= now

    def bearer(self) -> str:
        return f"Bearer {self.access_token.get_secret_value()}"


class TokenStore(Protocol):
    """Where one connection's OAuth tokens live (the vault implements a durable one)."""

    async def load(self) -> OAuthTokens | None:
        """The current grant, or None when the connection has none."""

    async def save(self, tokens: OAuthTokens) -> None:
        """Durably replace the grant (the previous refresh token is already spent)."""


class InMemoryTokenStore:
    def __init__(self, tokens: OAuthTokens | None = None) -> None:
        self.tokens = tokens
        self.saves = 0

    def __repr__(self) -> str:
        return f"InMemoryTokenStore(has_tokens={self.tokens is not None})"

    async def load(self) -> OAuthTokens | None:
        return self.tokens

    async def save(self, tokens: OAuthTokens) -> None:
        self.tokens = tokens
        self.saves += 1


class OAuthApp:
    """A Marketplace app's token endpoint: code exchange, refresh, agency → location tokens."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.client_id = client_id
        self._secret = SecretStr(client_secret)
        self.clock: Clock = clock or SystemClock()
        # Token calls are not idempotent (refresh tokens rotate): retry only never-sent failures.
        self._requestor = Requestor(
            build_client(base_url, transport=transport),
            policy=RetryPolicy(max_attempts=3, max_elapsed=30.0),
            map_error=map_ghl_error,
        )

    def __repr__(self) -> str:
        return f"OAuthApp(client_id={self.client_id!r}, client_secret='***')"

    async def aclose(self) -> None:
        await self._requestor.client.aclose()

    async def exchange_code(
        self, code: str, *, redirect_uri: str | None = None, user_type: str = "Location"
    ) -> OAuthTokens:
        form = {"grant_type": "authorization_code", "code": code, "user_type": user_type}
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        return await self._token(form)

    async def refresh(self, refresh_token: SecretStr, *, user_type: str | None) -> OAuthTokens:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token.get_secret_value()}
        if user_type:
            form["user_type"] = user_type
        return await self._token(form)

    async def location_token(
        self, agency_authorization: str, *, company_id: str, location_id: str
    ) -> OAuthTokens:
        """Mint a Location token from an agency (Company) token; it has no refresh token."""
        op = operation("oauth.location_token")
        response = await self._requestor.request(
            op.method,
            op.url(),
            data={"companyId": company_id, "locationId": location_id},
            headers={"Authorization": agency_authorization, "Version": op.version or ""},
            idempotent=op.idempotent,
        )
        return OAuthTokens.from_response(response.json(), now=self.clock.now())

    async def installed_locations(
        self, agency_authorization: str, *, company_id: str, limit: int = 100, skip: int = 0
    ) -> list[dict[str, Any]]:
        """Locations where this app is installed (agency token, ``oauth.readonly``)."""
        op = operation("oauth.installed_locations")
        params = {
            "companyId": company_id,
            "appId": self.client_id.split("-")[0],  # client_id is "<appId>-<suffix>"
            "isInstalled": "true",
            "limit": str(limit),
            "skip": str(skip),
        }
        response = await self._requestor.request(
            op.method,
            op.url(),
            params=params,
            headers={"Authorization": agency_authorization, "Version": op.version or ""},
        )
        locations = response.json().get("locations", [])
        return [loc for loc in locations if isinstance(loc, dict)]

    async def _token(self, form: dict[str, str]) -> OAuthTokens:
        op = operation("oauth.token")
        body = {
            "client_id": self.client_id,
            "client_secret": self._secret.get_secret_value(),
            **form,
        }
        response = await self._requestor.request(
            op.method, op.url(), data=body, idempotent=op.idempotent
        )
        return OAuthTokens.from_response(response.json(), now=self.clock.now())


class OAuthAuth:
    """Bearer from a ``TokenStore``, refreshed before expiry (``skew``) and once on a 401."""

    def __init__(
        self,
        store: TokenStore,
        app: OAuthApp,
        *,
        skew: timedelta = DEFAULT_SKEW,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.app = app
        self.skew = skew
        self.clock: Clock = clock or app.clock
        self.refreshes = 0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"OAuthAuth(store={self.store!r}, app={self.app!r})"

    async def authorization(self) -> str:
        tokens = await self.store.load()
        if tokens is None:
            raise ReauthorizationRequired("no OAuth tokens stored for this connection")
        if tokens.expires_within(self.skew, self.clock.now()):
            tokens = await self._refresh(rejected=tokens.bearer())
        return tokens.bearer()

    async def refresh_after_unauthorized(self, rejected: str) -> bool:
        await self._refresh(rejected=rejected)
        return True

    async def _refresh(self, *, rejected: str) -> OAuthTokens:
        async with self._lock:
            current = await self.store.load()
            if current is None:
                raise ReauthorizationRequired("no OAuth tokens stored for this connection")
            fresh = not current.expires_within(self.skew, self.clock.now())
            if fresh and current.bearer() != rejected:
                return current  # another caller refreshed while we waited for the lock
            if current.refresh_token is None:
                raise ReauthorizationRequired("the stored grant has no refresh token")
            try:
                renewed = await self.app.refresh(current.refresh_token, user_type=current.user_type)
            except InvalidGrant:
                latest = await self.store.load()
                if latest is not None and latest.refresh_token != current.refresh_token:
                    return latest  # another process rotated it first; its pair is good
                raise ReauthorizationRequired("the refresh token was refused") from None
            self.refreshes += 1
            # Keep what the token answer may omit (GHL sends no locationId on some refreshes).
            renewed = renewed.model_copy(
                update={
                    "location_id": renewed.location_id or current.location_id,
                    "company_id": renewed.company_id or current.company_id,
                    "user_type": renewed.user_type or current.user_type,
                }
            )
            await self.store.save(renewed)  # the old refresh token is dead from now on
            return renewed


class LocationTokenAuth:
    """A Location bearer minted from an agency credential (``/oauth/locationToken``).

    ``agency`` is any provider of a Company token (an agency ``OAuthAuth`` or agency PIT); on a
    401 from the mint it gets one chance to renew. Location tokens have no refresh token: a new
    one is minted when the current one nears expiry or is refused.
    """

    def __init__(
        self,
        agency: AuthProvider,
        app: OAuthApp,
        *,
        company_id: str,
        location_id: str,
        skew: timedelta = DEFAULT_SKEW,
    ) -> None:
        self.agency = agency
        self.app = app
        self.company_id = company_id
        self.location_id = location_id
        self.skew = skew
        self.mints = 0
        self._tokens: OAuthTokens | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return (
            f"LocationTokenAuth(company_id={self.company_id!r}, location_id={self.location_id!r})"
        )

    async def authorization(self) -> str:
        tokens = self._tokens
        if tokens is None or tokens.expires_within(self.skew, self.app.clock.now()):
            tokens = await self._mint(rejected=tokens.bearer() if tokens else None)
        return tokens.bearer()

    async def refresh_after_unauthorized(self, rejected: str) -> bool:
        await self._mint(rejected=rejected)
        return True

    async def _mint(self, *, rejected: str | None) -> OAuthTokens:
        async with self._lock:
            tokens = self._tokens
            now = self.app.clock.now()
            if (
                tokens is not None
                and tokens.bearer() != rejected
                and not tokens.expires_within(self.skew, now)
            ):
                return tokens
            agency = await self.agency.authorization()
            try:
                tokens = await self.app.location_token(
                    agency, company_id=self.company_id, location_id=self.location_id
                )
            except AuthError:
                if not await self.agency.refresh_after_unauthorized(agency):
                    raise
                tokens = await self.app.location_token(
                    await self.agency.authorization(),
                    company_id=self.company_id,
                    location_id=self.location_id,
                )
            self.mints += 1
            self._tokens = tokens
            return tokens
