"""An OAuth 2.0 server like GHL's (reference §10): authorization codes, the token endpoint's
single-use rotating refresh tokens, and location tokens minted from agency tokens.

Its HTTP routes are in ``routes.oauth``."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

from ghltt.core.clock import Clock
from ghltt.sandbox.ghl.auth import TokenInfo, TokenStore, UserType, jwt_like
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.ghl.errors import ApiError
from ghltt.sandbox.ghl.ids import IdFactory
from ghltt.sandbox.ghl.scopes import ALL_SCOPES
from ghltt.sandbox.ghl.state import Record, SimState
from ghltt.sandbox.ghl.validation import check


class OAuthHost(Protocol):
    """What the OAuth server uses of the simulator it runs in."""

    config: GhlSimulatorConfig
    clock: Clock
    ids: IdFactory
    state: SimState
    tokens: TokenStore

    @property
    def sample_location_id(self) -> str: ...

    def emit(
        self, event_type: str, location_id: str | None, fields: Record, *, app_id: str | None = None
    ) -> Record: ...


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scopes: frozenset[str]
    user_type: UserType = "Location"
    name: str = "Sandbox app"

    @property
    def app_id(self) -> str:
        # The SDKs take appId = client_id.split('-')[0] (reference §1.1).
        return self.client_id.split("-")[0]

    def public(self, *, with_secret: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "clientId": self.client_id,
            "appId": self.app_id,
            "redirectUris": self.redirect_uris,
            "scopes": sorted(self.scopes),
            "userType": self.user_type,
            "name": self.name,
        }
        if with_secret:
            out["clientSecret"] = self.client_secret
        return out


@dataclass
class _Grant:
    """What an authorization code or a refresh token stands for."""

    client_id: str
    user_type: UserType
    company_id: str
    location_id: str | None
    scopes: frozenset[str]
    user_id: str | None
    expires_at: datetime | None = None
    used: bool = False
    redirect_uri: str | None = None
    refresh_token_id: str = ""


@dataclass
class OAuthServer:
    sim: OAuthHost
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    codes: dict[str, _Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, _Grant] = field(default_factory=dict)
    installs: set[tuple[str, str]] = field(default_factory=set)
    plans: dict[tuple[str, str], str] = field(default_factory=dict)  # paid apps' current plan
    token_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register_client(
        self,
        *,
        redirect_uris: list[str],
        scopes: list[str] | frozenset[str] | None = None,
        user_type: UserType = "Location",
        name: str = "Sandbox app",
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> OAuthClient:
        ids = self.sim.ids
        client = OAuthClient(
            client_id=client_id or f"{ids.hex24()}-{ids.lower_alnum(8)}",
            client_secret=client_secret or ids.uuid(),
            redirect_uris=list(redirect_uris),
            scopes=frozenset(scopes) if scopes is not None else ALL_SCOPES,
            user_type=user_type,
            name=name,
        )
        with self.lock:
            self.clients[client.client_id] = client
        return client

    # ---- authorize ---------------------------------------------------------------------
    def authorize(self, params: dict[str, str]) -> str:
        """The redirect URL with a fresh code, as if the user picked a location and approved."""
        if params.get("response_type") != "code":
            raise ApiError(400, "response_type must be code")
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            raise ApiError(400, "Invalid client_id")
        redirect_uri = params.get("redirect_uri") or client.redirect_uris[0]
        if redirect_uri not in client.redirect_uris:
            raise ApiError(400, "Invalid redirect_uri")
        requested = frozenset(params.get("scope", "").split()) or client.scopes
        if not requested <= client.scopes or not requested <= ALL_SCOPES:
            raise ApiError(400, "Invalid scope")
        user_type: UserType = (
            "Company" if params.get("userType", client.user_type) == "Company" else "Location"
        )
        state = self.sim.state
        location_id = params.get("locationId") or self.sim.sample_location_id
        location = state.locations.get(location_id)
        if location is None:
            raise ApiError(400, "Invalid locationId")
        installer = next(
            (u for u in state.users.values() if location.id in u["roles"]["locationIds"]), None
        )
        code = self.sim.ids.alnum(32).lower()
        grant = _Grant(
            client_id=client.client_id,
            user_type=user_type,
            company_id=location.company_id,
            location_id=location.id if user_type == "Location" else None,
            scopes=requested,
            user_id=installer["id"] if installer else None,
            expires_at=self.sim.clock.now() + timedelta(seconds=self.sim.config.auth_code_ttl_s),
            redirect_uri=redirect_uri,
        )
        with self.lock:
            self.codes[code] = grant
        self._install(client, grant, location.name)
        query = {"code": code}
        if params.get("state"):
            query["state"] = params["state"]
        joiner = "&" if "?" in redirect_uri else "?"
        return f"{redirect_uri}{joiner}{urlencode(query)}"

    def _install(self, client: OAuthClient, grant: _Grant, company_name: str) -> None:
        resource = grant.location_id or grant.company_id
        if (client.client_id, resource) in self.installs:
            return
        self.installs.add((client.client_id, resource))
        payload: dict[str, Any] = {
            "installType": grant.user_type,
            "companyId": grant.company_id,
            "userId": grant.user_id,
            "companyName": self.sim.state.companies[grant.company_id]["name"],
            "isWhitelabelCompany": False,
            "whitelabelDetails": {},
            "trial": {},
        }
        self.sim.emit("INSTALL", grant.location_id, payload, app_id=client.app_id)

    def uninstall(self, client_id: str, resource_id: str) -> int:
        client = self.clients.get(client_id)
        if client is None:
            return 0
        self.installs.discard((client_id, resource_id))
        revoked = self.sim.tokens.revoke_client(client_id, resource_id)
        with self.lock:
            for grant in self.refresh_tokens.values():
                if grant.client_id == client_id and resource_id in (
                    grant.location_id,
                    grant.company_id,
                ):
                    grant.used = True
        location = resource_id if resource_id in self.sim.state.locations else None
        extra = {} if location else {"companyId": resource_id}
        self.sim.emit("UNINSTALL", location, extra, app_id=client.app_id)
        return revoked

    def change_plan(self, client_id: str, resource_id: str, new_plan_id: str) -> dict[str, Any]:
        """A paid app's subscriber moves to another plan: PLAN_CHANGE, as the marketplace
        sends it."""
        client = self.clients.get(client_id)
        if client is None or (client_id, resource_id) not in self.installs:
            raise ValueError(f"{client_id} is not installed on {resource_id}")
        location = resource_id if resource_id in self.sim.state.locations else None
        company = self.sim.state.locations[location].company_id if location else resource_id
        current = self.plans.get((client_id, resource_id), "")
        self.plans[(client_id, resource_id)] = new_plan_id
        fields = {"companyId": company, "currentPlanId": current, "newPlanId": new_plan_id,
                  "userId": ""}  # fmt: skip
        return self.sim.emit("PLAN_CHANGE", location, fields, app_id=client.app_id)

    # ---- token -------------------------------------------------------------------------
    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.token_calls += 1
        check(
            form,
            {
                "client_id": "str",
                "client_secret": "str",
                "grant_type": "enum:authorization_code,refresh_token,client_credentials",
                "user_type": "enum:Company,Location",
            },
            ("client_id", "client_secret", "grant_type"),
        )
        client = self.clients.get(form["client_id"])
        if client is None or client.client_secret != form["client_secret"]:
            return 401, {
                "error": "invalid_client",
                "error_description": "Invalid client credentials",
            }
        grant_type = form["grant_type"]
        if grant_type == "client_credentials":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "client_credentials is not supported",
            }
        now = self.sim.clock.now()
        with self.lock:
            if grant_type == "authorization_code":
                grant = self.codes.get(form.get("code", ""))
                bad = (
                    grant is None
                    or grant.used
                    or grant.client_id != client.client_id
                    or (grant.expires_at is not None and now >= grant.expires_at)
                    or (form.get("redirect_uri") not in (None, "", grant.redirect_uri))
                )
                if bad or grant is None:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "Invalid authorization code",
                    }
            else:
                grant = self.refresh_tokens.get(form.get("refresh_token", ""))
                if grant is None or grant.used or grant.client_id != client.client_id:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "This refresh token is invalid",
                    }
            # Codes and refresh tokens are single use: the old one dies now.
            grant.used = True
        return 200, self._issue(client, grant)

    def _issue(self, client: OAuthClient, grant: _Grant) -> dict[str, Any]:
        ttl = self.sim.config.access_token_ttl_s
        access = self.sim.tokens.issue_access(
            client_id=client.client_id,
            user_type=grant.user_type,
            company_id=grant.company_id,
            location_id=grant.location_id,
            scopes=grant.scopes,
            user_id=grant.user_id,
            ttl_s=ttl,
        )
        refresh_id = self.sim.ids.hex24()
        refresh = jwt_like(
            self.sim.ids,
            {
                "authClass": grant.user_type,
                "authClassId": grant.location_id or grant.company_id,
                "sourceId": client.client_id,
                "refreshTokenId": refresh_id,
                "iat": int(self.sim.clock.now().timestamp()),
            },
        )
        with self.lock:
            self.refresh_tokens[refresh] = _Grant(
                client_id=grant.client_id,
                user_type=grant.user_type,
                company_id=grant.company_id,
                location_id=grant.location_id,
                scopes=grant.scopes,
                user_id=grant.user_id,
                refresh_token_id=refresh_id,
            )
        body: dict[str, Any] = {
            "access_token": access.token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "refresh_token": refresh,
            "scope": " ".join(sorted(grant.scopes)),
            "refreshTokenId": refresh_id,
            "userType": grant.user_type,
            "companyId": grant.company_id,
        }
        if grant.location_id:
            body["locationId"] = grant.location_id
        else:
            body["approvedLocations"] = [
                loc.id
                for loc in self.sim.state.locations.values()
                if loc.company_id == grant.company_id
            ]
        body.update({"isBulkInstallation": False, "userId": grant.user_id or ""})
        return body

    def revoke_refresh(self, refresh_token: str) -> bool:
        with self.lock:
            grant = self.refresh_tokens.get(refresh_token)
            if grant is None:
                return False
            grant.used = True
            return True

    def location_token(self, company: TokenInfo, location_id: str) -> dict[str, Any]:
        ttl = self.sim.config.access_token_ttl_s
        access = self.sim.tokens.issue_access(
            client_id=company.client_id or company.app_key,
            user_type="Location",
            company_id=company.company_id,
            location_id=location_id,
            scopes=company.scopes,
            user_id=company.user_id,
            ttl_s=ttl,
        )
        # Location tokens are rate limited as the same app as the agency token.
        access.app_key = company.app_key
        app_id = (company.client_id or "").split("-")[0] or self.sim.config.app_id
        return {
            "access_token": access.token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": " ".join(sorted(company.scopes)),
            "locationId": location_id,
            "userId": company.user_id or "",
            "appId": app_id,
            "versionId": app_id,
        }
