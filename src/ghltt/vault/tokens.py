"""OAuth tokens kept in the vault, and a refresh that is single-flight across processes.

GHL refresh tokens are single-use: two processes refreshing with the same one would leave one
of them (and maybe the connection) dead. So a refresh holds a lease named after the secret,
re-reads the tokens once it has it (another process may have refreshed already), and saves
the rotated pair before anyone uses the new access token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
from pydantic import SecretStr

from ghltt.connectors.ghl import InvalidGrant, OAuthApp, OAuthTokens, ReauthorizationRequired
from ghltt.core import Clock, SystemClock
from ghltt.vault.leases import lease
from ghltt.vault.secrets import Payload, Vault

DEFAULT_SKEW = timedelta(minutes=5)

OnRevoked = Callable[[str], Awaitable[None]]


def tokens_to_payload(tokens: OAuthTokens) -> Payload:
    return {
        "access_token": tokens.access_token.get_secret_value(),
        "refresh_token": tokens.refresh_token.get_secret_value() if tokens.refresh_token else None,
        "expires_at": tokens.expires_at.isoformat(),
        "scope": tokens.scope,
        "user_type": tokens.user_type,
        "location_id": tokens.location_id,
        "company_id": tokens.company_id,
        "user_id": tokens.user_id,
    }


def tokens_from_payload(payload: Payload) -> OAuthTokens:
    refresh = payload.get("refresh_token")
    return OAuthTokens(
        access_token=SecretStr(str(payload["access_token"])),
        refresh_token=SecretStr(str(refresh)) if refresh else None,
        expires_at=datetime.fromisoformat(str(payload["expires_at"])),
        scope=str(payload.get("scope") or ""),
        user_type=payload.get("user_type"),
        location_id=payload.get("location_id"),
        company_id=payload.get("company_id"),
        user_id=payload.get("user_id"),
    )


class VaultTokenStore:
    """``ghltt.connectors.ghl.TokenStore`` over one vault secret (purpose ``ghl.oauth``)."""

    def __init__(self, vault: Vault, secret_id: str) -> None:
        self.vault = vault
        self.secret_id = secret_id

    def __repr__(self) -> str:
        return f"VaultTokenStore(secret_id={self.secret_id!r})"

    async def load(self) -> OAuthTokens | None:
        record = await anyio.to_thread.run_sync(self.vault.find, self.secret_id)
        return None if record is None else tokens_from_payload(record.payload)

    async def save(self, tokens: OAuthTokens) -> None:
        await anyio.to_thread.run_sync(
            self.vault.replace, self.secret_id, tokens_to_payload(tokens)
        )


class VaultOAuthAuth:
    """An ``AuthProvider`` for GHL OAuth whose refresh is single-flight across processes.

    Refreshes ``skew`` before expiry and once after a 401. On ``invalid_grant`` it re-reads the
    store (another process may have rotated the refresh token) before declaring the grant dead
    and calling ``on_revoked`` with the reason.
    """

    def __init__(
        self,
        store: VaultTokenStore,
        app: OAuthApp,
        *,
        skew: timedelta = DEFAULT_SKEW,
        clock: Clock | None = None,
        on_revoked: OnRevoked | None = None,
        lease_ttl: float = 90.0,
    ) -> None:
        self.store = store
        self.app = app
        self.skew = skew
        self.clock: Clock = clock or SystemClock()
        self.on_revoked = on_revoked
        self.lease_ttl = lease_ttl
        self.refreshes = 0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"VaultOAuthAuth(store={self.store!r})"

    async def current(self) -> OAuthTokens:
        tokens = await self.store.load()
        if tokens is None:
            raise ReauthorizationRequired("no OAuth tokens are stored for this connection")
        return tokens

    async def authorization(self) -> str:
        tokens = await self.current()
        if tokens.expires_within(self.skew, self.clock.now()):
            tokens = await self._refresh(rejected=tokens.bearer())
        return tokens.bearer()

    async def refresh_after_unauthorized(self, rejected: str) -> bool:
        await self._refresh(rejected=rejected)
        return True

    def _usable(self, tokens: OAuthTokens, rejected: str) -> bool:
        fresh = not tokens.expires_within(self.skew, self.clock.now())
        return fresh and tokens.bearer() != rejected

    async def _refresh(self, *, rejected: str) -> OAuthTokens:
        async with self._lock:  # one waiter per process polls the lease, the rest wait here
            current = await self.current()
            if self._usable(current, rejected):
                return current
            async with lease(
                self.store.vault.db, f"oauth:{self.store.secret_id}", ttl=self.lease_ttl
            ):
                current = await self.current()  # re-read: the lease's last holder may have won
                if self._usable(current, rejected):
                    return current
                return await self._exchange(current)

    async def _exchange(self, current: OAuthTokens) -> OAuthTokens:
        if current.refresh_token is None:
            raise await self._dead("the stored grant has no refresh token")
        try:
            renewed = await self.app.refresh(current.refresh_token, user_type=current.user_type)
        except InvalidGrant:
            latest = await self.current()
            if latest.refresh_token != current.refresh_token:
                return latest  # rotated by someone outside our lease (e.g. a reconnect)
            raise await self._dead(
                "GHL refused the refresh token (revoked or uninstalled)"
            ) from None
        self.refreshes += 1
        kept: dict[str, Any] = {
            "location_id": renewed.location_id or current.location_id,
            "company_id": renewed.company_id or current.company_id,
            "user_type": renewed.user_type or current.user_type,
            "scope": renewed.scope or current.scope,
        }
        renewed = renewed.model_copy(update=kept)
        await self.store.save(renewed)  # the old refresh token is spent: save before use
        return renewed

    async def _dead(self, reason: str) -> ReauthorizationRequired:
        if self.on_revoked is not None:
            await self.on_revoked(reason)
        return ReauthorizationRequired(reason)
