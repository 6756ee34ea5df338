"""GHL OAuth: the authorize URL with a single-use state, and the callback that stores tokens.

The state is 32 random bytes sent to GHL and handed back on the callback; only its SHA-256 is
stored, with what the flow asked for. It is consumed by a DELETE that must hit exactly one
unexpired row, so it works once, for ten minutes, and only if ghltt issued it (CSRF).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import anyio

from ghltt.core import InvalidInput, utcnow
from ghltt.store.bridges import BridgeRepository
from ghltt.store.oauth_states import OAuthStateRepository
from ghltt.vault import scopes
from ghltt.vault.connections import ConnectionService, Outcome
from ghltt.vault.kinds import GHL, OAUTH

USER_TYPES = ("Location", "Company")
# Where GHL sends the browser back, under the public URL (the web app serves it).
CALLBACK_PATH = "/oauth/ghl/callback"


@dataclass(frozen=True)
class AuthorizeRequest:
    url: str
    scopes: list[str]
    expires_at: datetime

    def public(self) -> dict[str, Any]:
        return {
            "authorize_url": self.url,
            "scopes": self.scopes,
            "expires_at": self.expires_at.isoformat(),
        }


@dataclass(frozen=True)
class _State:
    user_type: str
    scopes: frozenset[str]
    redirect_uri: str
    label: str | None
    connection_id: str | None


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


class OAuthFlow:
    def __init__(
        self,
        connections: ConnectionService,
        *,
        authorize_url: str,
        redirect_uri: str,
        state_ttl: float = 600.0,
    ) -> None:
        self.connections = connections
        self.db = connections.db
        self.authorize_url = authorize_url
        self.redirect_uri = redirect_uri
        self.state_ttl = state_ttl
        self.states = OAuthStateRepository(self.db)

    def start(
        self,
        *,
        user_type: str = "Location",
        bridge: str | None = None,
        extra_scopes: Iterable[str] = (),
        label: str | None = None,
        reconnect: str | None = None,
    ) -> AuthorizeRequest:
        """The URL to open in a browser; asks for the least scopes the enabled recipes need."""
        app = self.connections.remotes
        if not app.oauth_configured:
            app.oauth_app()  # raises the error that names the missing settings
        if user_type not in USER_TYPES:
            raise InvalidInput(f"must be one of {', '.join(USER_TYPES)}", where="user_type")
        connection_id = None
        if reconnect is not None:
            row = self.connections.repo.resolve(reconnect)
            if row.system != GHL or row.auth_kind != OAUTH:
                raise InvalidInput(
                    "only a GHL OAuth connection can be reconnected", where=reconnect
                )
            connection_id = row.id
        bridge_id = self._bridge_id(bridge) if bridge else None
        wanted = scopes.required_scopes(
            self.db, bridge_id=bridge_id, connection_id=connection_id, extra=extra_scopes
        )
        if user_type == "Company":
            wanted |= scopes.for_operations(["oauth.location_token"])
        state = secrets.token_urlsafe(32)
        expires = utcnow() + timedelta(seconds=self.state_ttl)
        self.states.issue(
            _hash(state),
            user_type=user_type,
            scopes=wanted,
            redirect_uri=self.redirect_uri,
            label=label,
            connection_id=connection_id,
            expires_at=expires,
        )
        query = {
            "response_type": "code",
            "client_id": app.client_id or "",
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(sorted(wanted)),
            "state": state,
        }
        if user_type == "Company":
            query["userType"] = "Company"
        joiner = "&" if "?" in self.authorize_url else "?"
        return AuthorizeRequest(
            f"{self.authorize_url}{joiner}{urlencode(query)}", sorted(wanted), expires
        )

    def _consume(self, state: str) -> _State:
        row = self.states.consume(_hash(state))
        if row is None:
            raise InvalidInput(
                "unknown, expired or already used; start again with 'ghltt connect ghl --oauth'",
                where="state",
            )
        return _State(
            row.user_type, frozenset(row.scopes), row.redirect_uri, row.label, row.connection_id
        )

    async def complete(
        self, *, code: str | None, state: str | None, error: str | None = None
    ) -> Outcome:
        """The callback: check the state, exchange the code, store the grant."""
        if not state:
            raise InvalidInput(
                "missing; open the authorize URL from 'ghltt connect ghl --oauth'", where="state"
            )
        flow = await anyio.to_thread.run_sync(self._consume, state)
        if error:
            raise InvalidInput(
                f"GHL answered {error!r} instead of a code (access denied?)", where="callback"
            )
        if not code:
            raise InvalidInput("missing from the callback", where="code")
        app = self.connections.remotes.oauth_app()
        try:
            tokens = await app.exchange_code(
                code, redirect_uri=flow.redirect_uri, user_type=flow.user_type
            )
        finally:
            await app.aclose()
        return await self.connections.store_oauth(
            tokens, requested=flow.scopes, label=flow.label, connection_id=flow.connection_id
        )

    def _bridge_id(self, ref: str) -> str:
        found = BridgeRepository(self.db).find(ref)
        if found is None:
            raise InvalidInput("no such bridge", where=ref)
        return str(found.id)
