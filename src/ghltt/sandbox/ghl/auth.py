"""Bearer tokens: Private Integration tokens, location API keys and OAuth access tokens."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from ghltt.core.clock import Clock
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.ids import IdFactory

TokenKind = Literal["pit", "api_key", "oauth"]
UserType = Literal["Location", "Company"]


@dataclass
class TokenInfo:
    token: str
    kind: TokenKind
    user_type: UserType
    company_id: str
    location_id: str | None
    scopes: frozenset[str]
    # Rate limits are per app: the OAuth client, or the token itself for PITs and keys.
    app_key: str
    client_id: str | None = None
    user_id: str | None = None
    expires_at: datetime | None = None
    revoked: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def resource_id(self) -> str:
        return self.location_id or self.company_id

    def public(self) -> dict[str, object]:
        return {
            "token": self.token,
            "kind": self.kind,
            "userType": self.user_type,
            "companyId": self.company_id,
            "locationId": self.location_id,
            "scopes": sorted(self.scopes),
            "clientId": self.client_id,
            "expiresAt": self.expires_at.isoformat() if self.expires_at else None,
            "revoked": self.revoked,
        }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_like(ids: IdFactory, claims: dict[str, object], alg: str = "RS256") -> str:
    """A string shaped like the real tokens (a JWT); clients must treat it as opaque."""
    header = json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode()
    body = json.dumps(claims, separators=(",", ":")).encode()
    return ".".join([_b64url(header), _b64url(body), _b64url(ids.alnum(64).encode())])


class TokenStore:
    """All tokens the simulator has issued. Thread-safe: tests may call it from another thread."""

    def __init__(self, ids: IdFactory, clock: Clock) -> None:
        self._ids = ids
        self._clock = clock
        self._tokens: dict[str, TokenInfo] = {}
        self._lock = threading.Lock()

    def add(self, info: TokenInfo) -> TokenInfo:
        with self._lock:
            self._tokens[info.token] = info
        return info

    def issue_pit(
        self, *, company_id: str, location_id: str | None, scopes: frozenset[str]
    ) -> TokenInfo:
        token = f"pit-{self._ids.uuid()}"
        user_type: UserType = "Location" if location_id else "Company"
        return self.add(
            TokenInfo(token, "pit", user_type, company_id, location_id, scopes, app_key=token)
        )

    def issue_api_key(
        self, *, company_id: str, location_id: str, scopes: frozenset[str]
    ) -> TokenInfo:
        # Location API keys are JWTs in reality; only their shape matters to clients.
        payload = {"location_id": location_id, "version": 1, "company_id": company_id}
        token = jwt_like(self._ids, payload, alg="HS256")
        return self.add(
            TokenInfo(token, "api_key", "Location", company_id, location_id, scopes, app_key=token)
        )

    def issue_access(
        self,
        *,
        client_id: str,
        user_type: UserType,
        company_id: str,
        location_id: str | None,
        scopes: frozenset[str],
        user_id: str | None,
        ttl_s: int,
    ) -> TokenInfo:
        now = self._clock.now()
        claims = {
            "authClass": user_type,
            "authClassId": location_id or company_id,
            "source": "INTEGRATION",
            "sourceId": client_id,
            "channel": "OAUTH",
            "primaryAuthClassId": location_id or company_id,
            "oauthMeta": {"scopes": sorted(scopes), "client": client_id.split("-")[0]},
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl_s,
            "jti": self._ids.uuid(),
        }
        token = jwt_like(self._ids, claims)
        return self.add(
            TokenInfo(
                token,
                "oauth",
                user_type,
                company_id,
                location_id,
                scopes,
                app_key=client_id,
                client_id=client_id,
                user_id=user_id,
                expires_at=now + timedelta(seconds=ttl_s),
            )
        )

    def get(self, token: str) -> TokenInfo | None:
        with self._lock:
            return self._tokens.get(token)

    def revoke(self, token: str) -> bool:
        with self._lock:
            info = self._tokens.get(token)
            if info is None:
                return False
            info.revoked = True
            return True

    def revoke_client(self, client_id: str, resource_id: str | None = None) -> int:
        count = 0
        with self._lock:
            for info in self._tokens.values():
                if info.client_id == client_id and resource_id in (None, info.resource_id):
                    info.revoked = True
                    count += 1
        return count

    def all(self) -> list[TokenInfo]:
        with self._lock:
            return list(self._tokens.values())

    def authenticate(self, header: str | None) -> TokenInfo:
        """The token named by an Authorization header, or the 401 the real API gives."""
        if not header or not header.lower().startswith("bearer "):
            raise ApiError(401, "Invalid JWT", error=None)
        token = header[7:].strip()
        info = self.get(token)
        if info is None or info.revoked:
            raise ApiError(401, "Invalid token: access token is invalid")
        if info.expires_at is not None and self._clock.now() >= info.expires_at:
            raise ApiError(401, "Invalid JWT", error="Unauthorized")
        return info
