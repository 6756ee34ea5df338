"""Connections: add, check, rotate, revoke and list credentials, and the auth that uses them.

Every secret goes straight into the vault; the ``connections`` row keeps only what a check saw
(identity, granted scopes, status). A credential is tried (one cheap call) before it is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anyio
import structlog

from ghltt.connectors.ghl import (
    LocationTokenAuth,
    OAuthTokens,
    ReauthorizationRequired,
    StaticTokenAuth,
)
from ghltt.connectors.http import AuthProvider, ConnectorError
from ghltt.connectors.trackingtime import AppPassword, BearerToken, Credentials
from ghltt.core import GhlttError, InvalidInput, NotFound, utcnow
from ghltt.store.bridge_recipes import BridgeRecipeRepository
from ghltt.store.connections import ConnectionRepository, ConnectionView
from ghltt.store.database import Database, Row
from ghltt.store.inbox import InboxRepository
from ghltt.vault import scopes
from ghltt.vault.clients import ClientFactory
from ghltt.vault.failures import PASSING, STATUS_FOR, Failure, FailureKind, classify
from ghltt.vault.kinds import (
    AGENCY_LOCATION,
    GHL,
    GHL_TOKEN_KINDS,
    OAUTH,
    OAUTH_KINDS,
    TT,
    TT_KINDS,
)
from ghltt.vault.probes import Probe, oauth_identity, probe_ghl_location, probe_tt
from ghltt.vault.secrets import Payload, Vault
from ghltt.vault.tokens import (
    VaultOAuthAuth,
    VaultTokenStore,
    tokens_from_payload,
    tokens_to_payload,
)

log = structlog.get_logger(__name__)

# Called with a connection being revoked; returns notes on what it did remotely.
RevokeHook = Callable[[ConnectionView], Awaitable[list[str]]]
# Called once a connection works again (rotated, reconnected, checked after a failure): what
# hangs on its credential is set up again (TT webhooks); each returns notes for the person.
FixedHook = Callable[[ConnectionView], Awaitable[list[str]]]

_REMOTE_NOTE = {
    "pit": "GHL has no API to revoke a Private Integration token: delete it in GHL under "
    "Settings > Private Integrations",
    "api_key": "GHL has no API to revoke a location API key: regenerate it in GHL under "
    "Settings > Business Profile",
    OAUTH: "GHL has no API to revoke an OAuth grant: uninstall the app from the location "
    "(or agency) in GHL to end it there",
    AGENCY_LOCATION: "this location's tokens were minted from the agency connection; nothing "
    "is left to revoke remotely",
    "app_password": "TrackingTime has no API to revoke an App Password: delete it in "
    "TrackingTime under Settings > App Passwords",
    "bearer": "TrackingTime has no API to revoke a bearer token: ask TrackingTime support",
}


@dataclass
class Outcome:
    connection: ConnectionView
    warnings: list[str] = field(default_factory=list)
    failure: Failure | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"connection": self.connection.public(), "warnings": self.warnings}
        if self.failure is not None:
            out["failure"] = {
                "kind": self.failure.kind.value,
                "message": self.failure.message,
                "remedy": self.failure.remedy,
            }
        if self.notes:
            out["notes"] = self.notes
        return out


def _tt_credentials(kind: str, payload: Payload) -> Credentials:
    if kind == "bearer":
        return BearerToken(str(payload["token"]))
    return AppPassword(str(payload["password"]))


def _tt_payload(kind: str, secret: str) -> Payload:
    return {"token": secret} if kind == "bearer" else {"password": secret}


def _require_secret(secret: str, where: str) -> str:
    cleaned = secret.strip()
    if not cleaned:
        raise InvalidInput("the secret is empty", where=where)
    if any(c.isspace() for c in cleaned):
        raise InvalidInput("the secret contains spaces or line breaks", where=where)
    return cleaned


async def _db(fn: Callable[..., Any], *args: Any) -> Any:
    return await anyio.to_thread.run_sync(fn, *args)


class ConnectionService:
    def __init__(self, db: Database, vault: Vault, remotes: ClientFactory) -> None:
        self.db = db
        self.vault = vault
        self.remotes = remotes
        self.repo = ConnectionRepository(db)
        # Revoking a connection switches off the recipes of the bridges that use it.
        self.recipes = BridgeRecipeRepository(db)
        self.revoke_hooks: list[RevokeHook] = []
        self.fixed_hooks: list[FixedHook] = []
        self._auth: dict[str, AuthProvider] = {}

    def __repr__(self) -> str:
        return f"ConnectionService(remotes={self.remotes!r})"

    # ---- reading --------------------------------------------------------------------------
    def all(self, *, system: str | None = None) -> list[ConnectionView]:
        return self.repo.all(system=system)

    def get(self, ref: str) -> ConnectionView:
        return ConnectionView.from_row(self.repo.resolve(ref))

    def token_expiries(self) -> dict[str, datetime]:
        """When each OAuth connection's access token expires (it is refreshed before then);
        other credentials do not expire on a date ghltt knows."""
        found: dict[str, datetime] = {}
        for view in self.repo.all():
            if view.auth_kind != OAUTH or not view.has_secret:
                continue
            row = self.repo.row(view.id)
            record = self.vault.find(str(row.vault_ref)) if row.vault_ref else None
            if record is not None and record.payload.get("expires_at"):
                found[view.id] = tokens_from_payload(record.payload).expires_at
        return found

    # ---- adding ---------------------------------------------------------------------------
    async def add_ghl_token(
        self,
        *,
        label: str,
        token: str,
        location_id: str,
        kind: str = "pit",
        granted: list[str] | None = None,
    ) -> Outcome:
        if kind not in GHL_TOKEN_KINDS:
            raise InvalidInput(f"must be one of {', '.join(GHL_TOKEN_KINDS)}", where="kind")
        if not location_id.strip():
            raise InvalidInput("a GHL token needs its location id", where="location")
        token = _require_secret(token, "token")
        probe = await self._try(
            GHL, probe_ghl_location(self.remotes, StaticTokenAuth(token), location_id)
        )
        check = scopes.compare(granted, scopes.BASELINE)
        check.require(where="scopes")
        connection_id = await _db(
            lambda: self.repo.insert(
                system=GHL,
                label=label,
                auth_kind=kind,
                account_id=location_id,
                identity=probe.identity,
                scopes=sorted(granted) if granted is not None else None,
                checked_at=utcnow(),
            )
        )
        await self._put_secret(connection_id, f"ghl.{kind}", {"token": token})
        log.info("connection added", connection=connection_id, system=GHL, kind=kind)
        return Outcome(self.repo.view(connection_id), check.warnings())

    async def add_tt(
        self, *, label: str, secret: str, kind: str = "app_password", account_id: int | None = None
    ) -> Outcome:
        if kind not in TT_KINDS:
            raise InvalidInput(f"must be one of {', '.join(TT_KINDS)}", where="kind")
        payload = _tt_payload(kind, _require_secret(secret, "secret"))
        probe = await self._try(
            TT, probe_tt(self.remotes, _tt_credentials(kind, payload), account_id)
        )
        connection_id = await _db(
            lambda: self.repo.insert(
                system=TT,
                label=label,
                auth_kind=kind,
                account_id=probe.account_id,
                identity=probe.identity,
                checked_at=utcnow(),
            )
        )
        await self._put_secret(connection_id, f"tt.{kind}", payload)
        log.info("connection added", connection=connection_id, system=TT, kind=kind)
        return Outcome(self.repo.view(connection_id))

    async def store_oauth(
        self,
        tokens: OAuthTokens,
        *,
        requested: frozenset[str],
        label: str | None = None,
        connection_id: str | None = None,
    ) -> Outcome:
        """Keep a fresh grant: into the connection it renews, else a new one."""
        check = scopes.compare(tokens.scopes, requested)
        check.require(where="granted scopes")
        existing = await _db(self._oauth_target, tokens, connection_id)
        values: dict[str, Any] = {
            "account_id": tokens.location_id,
            "company_id": tokens.company_id,
            "identity": oauth_identity(tokens),
            "scopes": sorted(tokens.scopes),
            "status": "active",
            "status_detail": None,
            "checked_at": utcnow(),
        }
        if existing is None:
            default = (
                f"GHL location {tokens.location_id}"
                if tokens.location_id
                else f"GHL agency {tokens.company_id}"
            )
            target = await _db(
                lambda: self.repo.insert(
                    system=GHL, label=label or default, auth_kind=OAUTH, **values
                )
            )
        else:
            target = existing.id
            await _db(
                lambda: self.repo.update(target, **values, **({"label": label} if label else {}))
            )
        await self._set_secret(target, "ghl.oauth", tokens_to_payload(tokens))
        self._auth.pop(target, None)
        notes = await self._fixed(target) if existing is not None else []
        log.info("oauth connection stored", connection=target, renewed=existing is not None)
        return Outcome(self.repo.view(target), check.warnings(), notes=notes)

    def _oauth_target(self, tokens: OAuthTokens, connection_id: str | None) -> Row | None:
        if connection_id is not None:
            row = self.repo.row(connection_id)
            if row.system != GHL or row.auth_kind != OAUTH:
                raise InvalidInput(
                    "only a GHL OAuth connection can be reconnected", where=connection_id
                )
            if row.account_id and tokens.location_id and row.account_id != tokens.location_id:
                raise InvalidInput(
                    f"the grant is for location {tokens.location_id}, the connection for "
                    f"{row.account_id}",
                    where=connection_id,
                )
            return row
        if tokens.location_id:
            rows = self.repo.find(system=GHL, auth_kinds=[OAUTH], account_id=tokens.location_id)
        else:
            rows = self.repo.find(
                system=GHL, auth_kinds=[OAUTH], company_id=tokens.company_id, agency=True
            )
        return rows[0] if rows else None

    # ---- check, rotate, revoke ------------------------------------------------------------
    async def check(self, ref: str) -> Outcome:
        row = await _db(self.repo.resolve, ref)
        if row.vault_ref is None and row.parent_id is None:
            missing = Failure(
                FailureKind.REVOKED,
                f"no credential is stored (status {row.status})",
                f"connect it again: 'ghltt connections rotate {row.id}' or 'ghltt connect'",
            )
            return Outcome(ConnectionView.from_row(row), failure=missing)
        try:
            probe = await self._probe(row)
        except (ConnectorError, GhlttError) as exc:
            failed = await self.record_failure(row.id, exc)
            return Outcome(self.repo.view(row.id), failure=failed)
        granted = probe.scopes if probe.scopes is not None else _stored_scopes(row)
        check = scopes.compare(granted, scopes.required_scopes(self.db, connection_id=row.id))
        values: dict[str, Any] = {"identity": probe.identity, "checked_at": utcnow()}
        values.update(status="active", status_detail=None)
        if probe.scopes is not None:
            values["scopes"] = sorted(probe.scopes)
        failure: Failure | None = None
        if row.system == GHL and check.missing:
            failure = Failure(
                FailureKind.MISSING_SCOPE,
                f"missing GHL scope(s): {', '.join(sorted(check.missing))}",
                "grant them (reconnect) or disable the recipes that need them",
            )
            values.update(status=STATUS_FOR[failure.kind], status_detail=failure.describe())
        await _db(lambda: self.repo.update(row.id, **values))
        warnings = check.warnings() if row.system == GHL else []
        # Working again after a failure: what waited for the fix goes on.
        notes = await self._fixed(row.id) if failure is None and row.status != "active" else []
        return Outcome(self.repo.view(row.id), warnings, failure, notes=notes)

    async def rotate(self, ref: str, secret: str, granted: list[str] | None = None) -> Outcome:
        """Replace the secret in place (same vault row): bridges and links stay as they are.

        ``granted``: the scopes a GHL token now has (a token's cannot be read), recorded in
        place of the old ones; None keeps them."""
        row = await _db(self.repo.resolve, ref)
        if row.auth_kind in OAUTH_KINDS:
            raise InvalidInput(
                "an OAuth connection is renewed by authorizing again: 'ghltt connect ghl "
                f"--oauth --reconnect {row.id}'",
                where=row.id,
            )
        if granted is not None and row.system != GHL:
            raise InvalidInput("only a GHL token's scopes are recorded", where="scope")
        warnings: list[str] = []
        if granted is not None:
            check = scopes.compare(granted, scopes.BASELINE)
            check.require(where="scopes")
            warnings = check.warnings()
        secret = _require_secret(secret, "secret")
        if row.system == GHL:
            payload: Payload = {"token": secret}
            probe = await self._try(
                GHL, probe_ghl_location(self.remotes, StaticTokenAuth(secret), row.account_id)
            )
        else:
            payload = _tt_payload(row.auth_kind, secret)
            account = int(row.account_id) if row.account_id else None
            probe = await self._try(
                TT, probe_tt(self.remotes, _tt_credentials(row.auth_kind, payload), account)
            )
            if row.account_id and probe.account_id != row.account_id:
                raise InvalidInput(
                    f"the new secret is for TT account {probe.account_id}, the connection is "
                    f"for {row.account_id}",
                    where="secret",
                )
        await self._set_secret(row.id, f"{row.system}.{row.auth_kind}", payload)
        recorded = {"scopes": sorted(granted)} if granted is not None else {}
        await _db(
            lambda: self.repo.update(
                row.id,
                identity=probe.identity,
                status="active",
                status_detail=None,
                checked_at=utcnow(),
                **recorded,
            )
        )
        self._auth.pop(row.id, None)
        notes = await self._fixed(row.id)
        log.info("connection rotated", connection=row.id)
        return Outcome(self.repo.view(row.id), warnings, notes=notes)

    async def _fixed(self, connection_id: str) -> list[str]:
        """The connection works again: switch back on what revoking it switched off, set up
        again what hangs on its credential, and release the events held meanwhile."""
        notes: list[str] = []
        reenabled = await _db(self.recipes.reenable_for_connection, connection_id)
        if reenabled:
            notes.append(f"re-enabled {reenabled} recipe(s)")
        view = await _db(self.repo.view, connection_id)
        for hook in self.fixed_hooks:
            try:
                notes.extend(await hook(view))
            except (ConnectorError, GhlttError) as exc:
                failure = classify(exc, connection_id=connection_id, system=view.system)
                notes.append(f"could not set up again remotely: {failure.message}")
        released = await _db(InboxRepository(self.db).release_held, connection_id)
        if released:
            notes.append(f"released {released} held event(s): they run again")
        return notes

    async def revoke(self, ref: str, *, status: str = "revoked") -> Outcome:
        """Tell the remote side what its API allows, switch off recipes, delete the secret."""
        row = await _db(self.repo.resolve, ref)
        view = ConnectionView.from_row(row)
        notes: list[str] = []
        for hook in self.revoke_hooks:
            try:
                notes.extend(await hook(view))
            except (ConnectorError, GhlttError) as exc:
                failure = classify(exc, connection_id=row.id, system=row.system)
                notes.append(f"could not clean up remotely: {failure.message}")
        notes.append(_REMOTE_NOTE.get(row.auth_kind, "nothing to tell the remote side"))
        children = await _db(
            lambda: self.repo.find(system=GHL, auth_kinds=[AGENCY_LOCATION], parent_id=row.id)
        )
        disabled = 0
        for target in [row, *children]:
            disabled += await _db(self.recipes.disable_for_connection, target.id)
            if target.vault_ref:
                await _db(self.vault.delete, target.vault_ref)
            await _db(
                lambda t=target: self.repo.update(
                    t.id,
                    vault_ref=None,
                    status=status,
                    status_detail=f"{status} at {utcnow().isoformat()}",
                )
            )
            self._auth.pop(target.id, None)
        if disabled:
            notes.append(f"disabled {disabled} recipe(s) on the bridges using it")
        log.info("connection revoked", connection=row.id, status=status)
        return Outcome(self.repo.view(row.id), notes=notes)

    async def record_failure(self, connection_id: str, exc: BaseException) -> Failure:
        """Classify a failure and keep it on the connection (unreachable or transient ones
        change nothing)."""
        row = await _db(self.repo.row, connection_id)
        failure = classify(exc, connection_id=connection_id, system=row.system)
        if failure.kind not in PASSING:
            await _db(
                lambda: self.repo.update(
                    connection_id, status=STATUS_FOR[failure.kind], status_detail=failure.describe()
                )
            )
            log.warning("connection failed", connection=connection_id, kind=failure.kind.value)
        return failure

    # ---- credentials for clients ----------------------------------------------------------
    def ghl_auth(self, ref: str) -> AuthProvider:
        row = self.repo.resolve(ref)
        if row.system != GHL:
            raise InvalidInput("not a GHL connection", where=row.id)
        cached = self._auth.get(row.id)
        if cached is not None:
            return cached
        auth: AuthProvider
        if row.auth_kind == AGENCY_LOCATION:
            parent = self.ghl_auth(row.parent_id)
            auth = LocationTokenAuth(
                parent,
                self.remotes.oauth_app(),
                company_id=row.company_id,
                location_id=row.account_id,
            )
        elif row.auth_kind == OAUTH:
            auth = VaultOAuthAuth(
                VaultTokenStore(self.vault, self._vault_ref(row)),
                self.remotes.oauth_app(),
                clock=self.remotes.clock,
                on_revoked=self._revoked_remotely(row.id),
            )
        else:
            # Read every time, never cached: a rotation made by another process (the CLI)
            # must reach this one's next run, and a vault read is cheap beside an API call.
            payload = self.vault.get(self._vault_ref(row)).payload
            return StaticTokenAuth(
                str(payload["token"]), kind="api_key" if row.auth_kind == "api_key" else "pit"
            )
        # OAuth providers read their tokens from the vault on each refresh, so they may stay.
        self._auth[row.id] = auth
        return auth

    def tt_credentials(self, ref: str) -> Credentials:
        row = self.repo.resolve(ref)
        if row.system != TT:
            raise InvalidInput("not a TrackingTime connection", where=row.id)
        return _tt_credentials(row.auth_kind, self.vault.get(self._vault_ref(row)).payload)

    # ---- internals ------------------------------------------------------------------------
    def _vault_ref(self, row: Row) -> str:
        if row.vault_ref is None:
            raise InvalidInput(
                f"no credential is stored (status {row.status}); connect it again", where=row.id
            )
        return str(row.vault_ref)

    def _revoked_remotely(self, connection_id: str) -> Callable[[str], Awaitable[None]]:
        async def mark(reason: str) -> None:
            failure = classify(
                ReauthorizationRequired(reason), connection_id=connection_id, system=GHL
            )
            await _db(
                lambda: self.repo.update(
                    connection_id, status=STATUS_FOR[failure.kind], status_detail=failure.describe()
                )
            )
            log.warning("oauth grant refused", connection=connection_id)

        return mark

    async def _probe(self, row: Row) -> Probe:
        if row.system == TT:
            account = int(row.account_id) if row.account_id else None
            return await probe_tt(self.remotes, await _db(self.tt_credentials, row.id), account)
        auth = await _db(self.ghl_auth, row.id)
        if row.auth_kind == OAUTH:
            assert isinstance(auth, VaultOAuthAuth)
            await auth.authorization()  # refreshes an expiring grant first
            tokens = await auth.current()
            if not tokens.location_id:
                return Probe(oauth_identity(tokens), None, tokens.scopes)
            await probe_ghl_location(self.remotes, auth, tokens.location_id)
            return Probe(oauth_identity(tokens), tokens.location_id, tokens.scopes)
        return await probe_ghl_location(self.remotes, auth, row.account_id)

    async def _try(self, system: str, probe: Awaitable[Probe]) -> Probe:
        try:
            return await probe
        except ConnectorError as exc:
            failure = classify(exc, connection_id="(new)", system=system)
            if failure.kind in PASSING:
                # No verdict on the credential: say what failed and what to check instead.
                raise InvalidInput(
                    f"{failure.message}; {failure.remedy}", where=failure.kind.value
                ) from None
            raise InvalidInput(
                f"{system.upper()} refused the credential ({failure.kind.value}): "
                f"{failure.message}",
                where="secret",
            ) from None

    async def _put_secret(self, connection_id: str, purpose: str, payload: Payload) -> None:
        secret_id = await _db(lambda: self.vault.put(purpose, payload, owner=connection_id))
        await _db(lambda: self.repo.update(connection_id, vault_ref=secret_id))

    async def _set_secret(self, connection_id: str, purpose: str, payload: Payload) -> None:
        row = await _db(self.repo.row, connection_id)
        if row.vault_ref is not None:
            try:
                await _db(self.vault.replace, row.vault_ref, payload)
                return
            except NotFound:
                pass  # the row points at a deleted secret: store a new one
        await self._put_secret(connection_id, purpose, payload)


def _stored_scopes(row: Row) -> frozenset[str] | None:
    return frozenset(row.scopes) if row.scopes is not None else None
