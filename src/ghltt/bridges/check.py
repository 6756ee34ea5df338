"""Is a bridge ready for its enabled recipes, and make it so: ``ghltt bridges check [--fix]``.

What the recipes need (``Needs``: GHL scopes and the custom fields they read or write on each
side) is worked out by the engine; this module compares it with the two accounts and the
bridge's intake: the scopes the GHL connection was granted, the custom fields each account has,
the TrackingTime webhook, and a test delivery through ghltt's own public URL. Every finding is
``ok``, ``missing``, ``failed`` or ``not checked``, with the remedy; ``fix=True`` creates the
missing fields (GHL through the location's Custom Fields API, TT through ``custom_fields/add``)
and registers a missing webhook, then reports them ``fixed``. Nothing here blocks a start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import httpx2
import orjson

from ghltt.bridges.clients import Transports
from ghltt.bridges.service import BridgeService
from ghltt.bridges.webhooks import missing_events
from ghltt.connectors.ghl import GhlClient, LocationCustomFieldInput
from ghltt.connectors.http import ConnectorError
from ghltt.connectors.trackingtime import TrackingTimeClient
from ghltt.connectors.trackingtime.webhooks import TOKEN_HEADER
from ghltt.core import GhlttError
from ghltt.store.database import Row
from ghltt.vault import TT, classify, scopes

Status = Literal["ok", "missing", "failed", "not checked", "fixed"]
System = Literal["ghl", "tt"]

# The scopes the check itself (reading fields) and --fix (creating them) use.
READ_FIELDS = "locations/customFields.readonly"
WRITE_FIELDS = "locations/customFields.write"
# A delivery that names no record: ghltt verifies it and stores nothing (no event in it).
TEST_DELIVERY = {"event": "ghltt.check", "data": []}


@dataclass(frozen=True)
class FieldNeed:
    """A custom field a recipe reads or writes: ``key`` on ``owner`` (GHL ``contact``, TT
    ``customer``...). GHL keys are bare (``tt_customer_id`` for ``contact.tt_customer_id``)."""

    system: System
    owner: str
    key: str
    recipes: tuple[str, ...] = ()
    writes: bool = False

    @property
    def label(self) -> str:
        return f"{self.owner}.{self.key}" if self.system == "ghl" else f"{self.owner} {self.key}"

    @property
    def system_field(self) -> bool:
        """TT's own third-party-id fields (``EVENT_THIRD_PARTY_ID``): made by TT, not us."""
        return self.system == "tt" and "_THIRD_PARTY_" in self.key


@dataclass(frozen=True)
class Needs:
    """What a bridge's enabled recipes need of both accounts."""

    recipes: tuple[str, ...] = ()
    scopes: frozenset[str] = frozenset()
    fields: tuple[FieldNeed, ...] = ()

    @classmethod
    def merge(cls, parts: Iterable[Needs]) -> Needs:
        """One need per field, naming every recipe that has it (writes if any writes it)."""
        recipes: list[str] = []
        found: set[str] = set()
        fields: dict[tuple[str, str, str], FieldNeed] = {}
        for part in parts:
            recipes += part.recipes
            found |= part.scopes
            for need in part.fields:
                slot = (need.system, need.owner, need.key.casefold())
                held = fields.get(slot)
                if held is None:
                    fields[slot] = need
                else:
                    fields[slot] = FieldNeed(
                        need.system,
                        need.owner,
                        held.key,
                        tuple(dict.fromkeys(held.recipes + need.recipes)),
                        held.writes or need.writes,
                    )
        return cls(tuple(dict.fromkeys(recipes)), frozenset(found), tuple(fields.values()))


@dataclass(frozen=True)
class Finding:
    check: str  # scopes, ghl field, tt field, tt webhook, delivery
    subject: str
    status: Status
    detail: str = ""
    remedy: str = ""
    recipes: tuple[str, ...] = ()
    fixable: bool = False  # --fix settles it

    @property
    def problem(self) -> bool:
        return self.status in ("missing", "failed")

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "subject": self.subject,
            "status": self.status,
            "detail": self.detail,
            "remedy": self.remedy,
            "recipes": list(self.recipes),
        }

    def line(self) -> str:
        """One line for a log or a terminal: what, its status, why, and what to do."""
        text = f"{self.check} {self.subject}: {self.status}"
        if self.detail:
            text += f" ({self.detail})"
        if self.remedy and self.problem:
            text += f"; {self.remedy}"
        return text


@dataclass
class CheckReport:
    bridge_id: str
    bridge: str
    recipes: tuple[str, ...]
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.problem]

    @property
    def fixable(self) -> list[Finding]:
        """Problems ``--fix`` can settle (a missing field or webhook; not a scope)."""
        return [f for f in self.problems if f.fixable]

    def as_dict(self) -> dict[str, Any]:
        return {
            "bridge": self.bridge,
            "bridge_id": self.bridge_id,
            "recipes": list(self.recipes),
            "ok": not self.problems,
            "findings": [f.as_dict() for f in self.findings],
        }


async def check_bridge(
    bridges: BridgeService,
    ref: str,
    needs: Needs,
    *,
    fix: bool = False,
    deliver: bool = True,
    transports: Transports | None = None,
    delivery_transport: httpx2.AsyncBaseTransport | None = None,
) -> CheckReport:
    """Check (and with ``fix``, settle) what ``needs`` asks of the bridge's two accounts."""
    row = bridges.resolve(ref)
    report = CheckReport(row.id, row.name, needs.recipes)
    fix_cmd = f"run 'ghltt bridges check {row.name} --fix'"
    granted = _check_scopes(bridges, row, needs, report, fix=fix)
    clients = bridges.clients.with_transports(transports)
    ghl_needs = [n for n in needs.fields if n.system == "ghl"]
    tt_needs = [n for n in needs.fields if n.system == "tt"]
    if ghl_needs and row.ghl_connection_id:
        try:
            ghl = clients.ghl(row.ghl_connection_id)
        except GhlttError as exc:  # revoked, or an agency connection: nothing to read with
            report.findings.append(
                Finding("ghl fields", row.ghl_connection_id, "not checked", str(exc))
            )
        else:
            try:
                await _check_ghl_fields(ghl, ghl_needs, report, fix, fix_cmd, granted)
            finally:
                await ghl.aclose()
    tt: TrackingTimeClient | None = None
    if row.tt_connection_id:
        try:
            tt = clients.tt(row.tt_connection_id)
        except GhlttError as exc:
            report.findings.append(Finding("tt", row.tt_connection_id, "not checked", str(exc)))
    if tt is not None:
        try:
            if tt_needs:
                await _check_tt_fields(tt, tt_needs, report, fix, fix_cmd)
            await _check_webhook(bridges, row.id, tt, report, fix, fix_cmd)
        finally:
            await tt.aclose()
    if deliver:
        await _check_delivery(bridges, row.id, report, delivery_transport)
    return report


def _check_scopes(
    bridges: BridgeService,
    row: Row,
    needs: Needs,
    report: CheckReport,
    *,
    fix: bool,
) -> frozenset[str] | None:
    """The granted scopes (None: unknown); a finding for what the recipes (and --fix) need."""
    connection_id = row.ghl_connection_id
    if connection_id is None:
        report.findings.append(
            Finding("scopes", "ghl connection", "missing", "the bridge has no GHL connection")
        )
        return None
    connection = bridges.connections.repo.view(connection_id)
    required = set(needs.scopes)
    if any(n.system == "ghl" for n in needs.fields):
        required |= {READ_FIELDS, WRITE_FIELDS} if fix else {READ_FIELDS}
    check = scopes.compare(connection.scopes, required)
    if check.granted is None:
        report.findings.append(
            Finding(
                "scopes",
                connection.id,
                "not checked",
                "a token's scopes cannot be read; needed: " + ", ".join(sorted(required)),
                f"record the token's: 'ghltt connections rotate {connection.id} --scope "
                "SCOPE ...' (each scope it has)",
                needs.recipes,
            )
        )
    elif check.missing:
        report.findings.append(
            Finding(
                "scopes",
                connection.id,
                "missing",
                ", ".join(sorted(check.missing)),
                _grant_remedy(connection.id, connection.auth_kind, row.name),
                needs.recipes,
            )
        )
    else:
        report.findings.append(
            Finding("scopes", connection.id, "ok", f"{len(required)} needed", "", needs.recipes)
        )
    return check.granted


def _grant_remedy(connection_id: str, auth_kind: str, bridge: str) -> str:
    if auth_kind in ("pit", "api_key"):
        return (
            f"grant them to the token in GHL, then 'ghltt connections rotate {connection_id} "
            "--scope SCOPE ...' with every scope it has"
        )
    return (
        f"grant them in GHL, then reconnect: 'ghltt connect ghl --oauth --reconnect "
        f"{connection_id} --bridge {bridge}'"
    )


def _failed(exc: ConnectorError, system: str) -> str:
    return classify(exc, connection_id="?", system=system).message


async def _check_ghl_fields(
    ghl: GhlClient,
    needs: list[FieldNeed],
    report: CheckReport,
    fix: bool,
    fix_cmd: str,
    granted: frozenset[str] | None,
) -> None:
    try:
        held = await ghl.custom_fields.of_location()
    except ConnectorError as exc:
        for need in needs:
            report.findings.append(
                Finding(
                    "ghl field", need.label, "not checked", _failed(exc, "ghl"), "", need.recipes
                )
            )
        return
    keys = {(f.field_key or "").casefold() for f in held}
    can_write = granted is None or WRITE_FIELDS in granted
    for need in needs:
        wanted = f"{need.owner}.{need.key}".casefold()
        by_hand = f"add a TEXT {need.owner} field named {need.key} in GHL"
        if wanted in keys:
            report.findings.append(Finding("ghl field", need.label, "ok", "", "", need.recipes))
            continue
        if not (fix and can_write):
            remedy = fix_cmd if can_write else f"grant {WRITE_FIELDS} to the token, or {by_hand}"
            missing = Finding("ghl field", need.label, "missing", _effect(need), remedy)
            report.findings.append(replace(missing, recipes=need.recipes, fixable=can_write))
            continue
        body = LocationCustomFieldInput(name=need.key, data_type="TEXT", model=need.owner)
        try:
            made = await ghl.custom_fields.create_for_location(body)
        except ConnectorError as exc:
            failed = Finding("ghl field", need.label, "failed", _failed(exc, "ghl"), by_hand)
            report.findings.append(replace(failed, recipes=need.recipes))
            continue
        if (made.field_key or "").casefold() != wanted:
            detail = f"GHL named the new field {made.field_key}, not {need.owner}.{need.key}"
            report.findings.append(
                Finding("ghl field", need.label, "failed", detail, "rename it in GHL", need.recipes)
            )
            continue
        report.findings.append(
            Finding("ghl field", need.label, "fixed", f"created (id {made.id})", "", need.recipes)
        )


async def _check_tt_fields(
    tt: TrackingTimeClient, needs: list[FieldNeed], report: CheckReport, fix: bool, fix_cmd: str
) -> None:
    try:
        held = await tt.custom_fields.list()
    except ConnectorError as exc:
        for need in needs:
            report.findings.append(
                Finding("tt field", need.label, "not checked", _failed(exc, TT), "", need.recipes)
            )
        return
    names = {
        ((f.filter_object_class or "").lower(), key.casefold())
        for f in held
        for key in (f.slug, f.name)
        if key
    }
    for need in needs:
        if (need.owner, need.key.casefold()) in names:
            report.findings.append(Finding("tt field", need.label, "ok", "", "", need.recipes))
            continue
        if need.system_field:
            remedy = "a TrackingTime system field: ask TrackingTime support to enable it"
            report.findings.append(
                Finding("tt field", need.label, "missing", _effect(need), remedy, need.recipes)
            )
            continue
        if not fix:
            missing = Finding("tt field", need.label, "missing", _effect(need), fix_cmd)
            report.findings.append(replace(missing, recipes=need.recipes, fixable=True))
            continue
        try:
            made = await tt.custom_fields.add(need.key, "text", need.owner)
        except ConnectorError as exc:
            remedy = f"add a text {need.owner} field named {need.key} in TrackingTime (as an admin)"
            report.findings.append(
                Finding("tt field", need.label, "failed", _failed(exc, TT), remedy, need.recipes)
            )
            continue
        report.findings.append(
            Finding("tt field", need.label, "fixed", f"created (id {made.id})", "", need.recipes)
        )


def _effect(need: FieldNeed) -> str:
    return "writes to it fail" if need.writes else "reads of it find nothing"


async def _check_webhook(
    bridges: BridgeService,
    bridge_id: str,
    tt: TrackingTimeClient,
    report: CheckReport,
    fix: bool,
    fix_cmd: str,
) -> None:
    url = bridges.webhooks.url(bridge_id)
    try:
        remote = [h for h in await tt.webhooks.list() if h.url == url]
    except ConnectorError as exc:
        report.findings.append(Finding("tt webhook", url, "not checked", _failed(exc, TT)))
        return
    stored = bridges.rows.webhook_secret_refs(bridge_id, TT)
    complete = [h for h in remote if not missing_events(h)]
    problem = ""
    if not remote:
        problem = "TrackingTime has no webhook for this bridge"
    elif not complete:
        problem = "the webhook misses events ghltt listens to"
    elif not any(str(h.id) in stored and stored[str(h.id)] for h in complete):
        problem = "ghltt holds no token for the webhook"
    if not problem:
        report.findings.append(Finding("tt webhook", url, "ok", f"id {complete[0].id}"))
        return
    if not fix:
        report.findings.append(
            Finding("tt webhook", url, "missing", problem, fix_cmd, fixable=True)
        )
        return
    try:
        await bridges.webhooks.register(bridge_id)
    except ConnectorError as exc:
        remedy = "run 'ghltt bridges hooks NAME --register' once TrackingTime answers"
        report.findings.append(Finding("tt webhook", url, "failed", _failed(exc, TT), remedy))
        return
    report.findings.append(Finding("tt webhook", url, "fixed", f"registered ({problem})"))


async def _check_delivery(
    bridges: BridgeService,
    bridge_id: str,
    report: CheckReport,
    transport: httpx2.AsyncBaseTransport | None,
) -> None:
    """A delivery signed with the bridge's own webhook token, sent where TrackingTime sends
    them: it proves ghltt answers at its public URL and accepts the token. It names no record,
    so nothing is stored or run."""
    url = bridges.webhooks.url(bridge_id)
    tokens = bridges.webhooks.tokens(bridge_id)
    if not tokens:
        report.findings.append(
            Finding("delivery", url, "not checked", "the bridge has no TrackingTime webhook yet")
        )
        return
    body = orjson.dumps(TEST_DELIVERY)
    headers = {TOKEN_HEADER: tokens[0], "content-type": "application/json"}
    try:
        async with httpx2.AsyncClient(transport=transport, timeout=10.0) as client:
            answer = await client.post(url, content=body, headers=headers)
    except httpx2.HTTPError as exc:
        detail = f"ghltt is not reachable at {bridges.public_url} ({type(exc).__name__})"
        remedy = "start 'ghltt serve' and make GHLTT_PUBLIC_URL reach it, then check again"
        report.findings.append(Finding("delivery", url, "not checked", detail, remedy))
        return
    if answer.status_code == 200:
        report.findings.append(Finding("delivery", url, "ok", "ghltt accepted a test delivery"))
        return
    detail = f"ghltt answered {answer.status_code}: {answer.text[:200]}"
    remedy = (
        "check that GHLTT_PUBLIC_URL points at this ghltt (another instance answered?)"
        if answer.status_code in (401, 404)
        else "see the server's log"
    )
    report.findings.append(Finding("delivery", url, "failed", detail, remedy))
