"""One cheap authenticated call per credential: who it acts as, and what it may do."""

from __future__ import annotations

from dataclasses import dataclass

from ghltt.connectors.ghl import OAuthTokens
from ghltt.connectors.http import AuthProvider
from ghltt.connectors.trackingtime import Credentials
from ghltt.core import InvalidInput
from ghltt.vault.clients import CHECK_POLICY, ClientFactory


@dataclass(frozen=True)
class Probe:
    identity: str
    account_id: str | None
    scopes: frozenset[str] | None  # None: not knowable for this kind of credential


async def probe_ghl_location(remotes: ClientFactory, auth: AuthProvider, location_id: str) -> Probe:
    """``POST /contacts/search`` for one record: proves the token works for this location."""
    client = remotes.ghl_client(auth, location_id, policy=CHECK_POLICY)
    try:
        page = await client.contacts.search_page({"pageLimit": 1})
    finally:
        await client.aclose()
    total = "" if page.total is None else f", {page.total} contacts"
    return Probe(f"GHL location {location_id}{total}", location_id, None)


def oauth_identity(tokens: OAuthTokens) -> str:
    if tokens.location_id:
        return f"GHL location {tokens.location_id} (company {tokens.company_id or '?'})"
    return f"GHL agency {tokens.company_id or '?'}"


async def probe_tt(
    remotes: ClientFactory, credentials: Credentials, account_id: int | None
) -> Probe:
    """``GET /me``: the user and the accounts it belongs to (TT has roles, not scopes)."""
    async with remotes.tt_client(credentials, None, policy=CHECK_POLICY) as tt:
        user = await tt.me()
    teams = {t.account_id: t for t in user.teams or []}
    if account_id is None:
        default = next((t for t in teams.values() if t.is_default or t.is_selected), None)
        account_id = default.account_id if default else user.account_id
        if account_id is None and teams:
            account_id = next(iter(teams))
    elif teams and account_id not in teams:
        known = ", ".join(str(a) for a in sorted(teams))
        raise InvalidInput(
            f"this TrackingTime user is not a member of account {account_id}; its accounts: "
            f"{known}",
            where="account",
        )
    team = teams.get(account_id) if account_id is not None else None
    name = " ".join(filter(None, [user.name, user.surname])) or "?"
    company = f" ({team.company})" if team and team.company else ""
    role = (team.role if team else None) or user.role or "?"
    identity = (
        f"TT user {name} <{user.email or '?'}> #{user.id}, account {account_id}{company}, "
        f"role {role}"
    )
    return Probe(identity, str(account_id) if account_id is not None else None, None)
