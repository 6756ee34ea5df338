"""GHL Marketplace INSTALL and UNINSTALL webhooks: create and retire OAuth connections.

The webhook intake calls these with a payload whose signature it already verified. Both are
idempotent: GHL may deliver the same event twice.
"""

from __future__ import annotations

from typing import Any

import anyio
import structlog

from ghltt.core import InvalidInput
from ghltt.store.connections import ConnectionView
from ghltt.vault.connections import ConnectionService
from ghltt.vault.kinds import AGENCY_LOCATION, GHL, OAUTH, OAUTH_KINDS

log = structlog.get_logger(__name__)

AWAITING = "awaiting_oauth"


def _field(payload: dict[str, Any], name: str) -> str | None:
    value = payload.get(name)
    return str(value) if isinstance(value, str | int) and str(value) else None


def _ours(service: ConnectionService, payload: dict[str, Any]) -> bool:
    client_id = service.remotes.client_id
    app_id = _field(payload, "appId")
    return client_id is None or app_id is None or client_id.split("-")[0] == app_id


async def handle_install_event(
    service: ConnectionService, payload: dict[str, Any]
) -> ConnectionView | None:
    """The app was installed on a location (or agency): make sure a connection stands for it.

    A location of an agency we hold tokens for gets a connection that mints location tokens from
    the agency's; otherwise a placeholder waits for the OAuth callback to bring tokens.
    """
    if payload.get("type") != "INSTALL":
        raise InvalidInput("not an INSTALL event", where="type")
    if not _ours(service, payload):
        return None
    location_id, company_id = _field(payload, "locationId"), _field(payload, "companyId")
    if location_id is None and company_id is None:
        raise InvalidInput("names neither locationId nor companyId", where="INSTALL")
    return await anyio.to_thread.run_sync(_install, service, location_id, company_id)


def _install(
    service: ConnectionService, location_id: str | None, company_id: str | None
) -> ConnectionView:
    repo = service.repo
    if location_id is None:
        agencies = repo.find(system=GHL, auth_kinds=[OAUTH], company_id=company_id, agency=True)
        if agencies:
            return ConnectionView.from_row(agencies[0])
        created = repo.insert(
            system=GHL, label=f"GHL agency {company_id}", auth_kind=OAUTH,
            company_id=company_id, status=AWAITING,
            status_detail="installed; waiting for the OAuth callback to bring tokens",
        )  # fmt: skip
        return repo.view(created)
    existing = repo.find(system=GHL, auth_kinds=OAUTH_KINDS, account_id=location_id)
    for row in existing:
        if row.vault_ref is not None or row.parent_id is not None:
            if row.status == "uninstalled":
                repo.update(row.id, status="active", status_detail=None)
            return repo.view(row.id)
    agencies = (
        repo.find(system=GHL, auth_kinds=[OAUTH], company_id=company_id, agency=True)
        if company_id
        else []
    )
    agency = next((a for a in agencies if a.vault_ref is not None), None)
    if agency is not None:
        created = repo.insert(
            system=GHL, label=f"GHL location {location_id}", auth_kind=AGENCY_LOCATION,
            account_id=location_id, company_id=company_id, parent_id=agency.id,
            identity=f"GHL location {location_id} (via agency {company_id})",
        )  # fmt: skip
        log.info("location connection made from agency", connection=created, agency=agency.id)
        return repo.view(created)
    if existing:
        return ConnectionView.from_row(existing[0])
    created = repo.insert(
        system=GHL, label=f"GHL location {location_id}", auth_kind=OAUTH,
        account_id=location_id, company_id=company_id, status=AWAITING,
        status_detail="installed; waiting for the OAuth callback to bring tokens",
    )  # fmt: skip
    return repo.view(created)


async def handle_uninstall_event(
    service: ConnectionService, payload: dict[str, Any]
) -> list[ConnectionView]:
    """The app was removed: retire every OAuth connection of that location (or agency)."""
    if payload.get("type") != "UNINSTALL":
        raise InvalidInput("not an UNINSTALL event", where="type")
    if not _ours(service, payload):
        return []
    location_id, company_id = _field(payload, "locationId"), _field(payload, "companyId")
    repo = service.repo
    if location_id is not None:
        rows = await anyio.to_thread.run_sync(
            lambda: repo.find(system=GHL, auth_kinds=OAUTH_KINDS, account_id=location_id)
        )
    elif company_id is not None:
        rows = await anyio.to_thread.run_sync(
            lambda: repo.find(system=GHL, auth_kinds=[OAUTH], company_id=company_id, agency=True)
        )
    else:
        raise InvalidInput("names neither locationId nor companyId", where="UNINSTALL")
    retired = []
    for row in rows:
        if row.status != "uninstalled":
            outcome = await service.revoke(row.id, status="uninstalled")
            retired.append(outcome.connection)
    return retired
