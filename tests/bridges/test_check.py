"""``bridges check``: a fresh bridge against the simulators lacks the contacts template's custom
fields; ``--fix`` creates them through both APIs; the check is then clean."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from ghltt.bridges import BridgeService, CheckReport, FieldNeed, Needs, Services, check_bridge
from ghltt.engine.needs import needs_of, warn_unready
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.vault import ConnectionService, OAuthFlow
from tests.bridges.test_service import make_bridge

pytestmark = pytest.mark.anyio

CONTACTS_GHL = {"contact.tt_customer_id"}
CONTACTS_TT = {"customer ghl_phone", "customer ghl_business_id", "customer ghl_tags"}
CONTACTS_TT |= {"customer ghl_contact_id"}


def statuses(report: CheckReport, check: str) -> dict[str, str]:
    return {f.subject: f.status for f in report.findings if f.check == check}


def test_the_contacts_template_needs_its_fields_on_both_sides() -> None:
    needs = needs_of(["contacts"])
    assert {n.label for n in needs.fields if n.system == "ghl"} == CONTACTS_GHL
    assert {n.label for n in needs.fields if n.system == "tt"} == CONTACTS_TT
    assert all(n.writes and n.recipes == ("contacts",) for n in needs.fields)
    assert {"contacts.readonly", "contacts.write"} <= needs.scopes


async def test_check_reports_missing_fields_then_fix_creates_them(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    await make_bridge(connections, bridges, ghl_sim, tt_sim)
    needs = needs_of(["contacts"])

    first = await check_bridge(bridges, "main", needs, deliver=False)
    assert statuses(first, "ghl field") == dict.fromkeys(CONTACTS_GHL, "missing")
    assert statuses(first, "tt field") == dict.fromkeys(CONTACTS_TT, "missing")
    assert [f.status for f in first.findings if f.check == "tt webhook"] == ["ok"]
    missing = next(f for f in first.findings if f.subject == "contact.tt_customer_id")
    assert missing.detail == "writes to it fail"
    assert missing.remedy == "run 'ghltt bridges check main --fix'"
    assert {f.subject for f in first.fixable} == CONTACTS_GHL | CONTACTS_TT

    fixed = await check_bridge(bridges, "main", needs, fix=True, deliver=False)
    assert statuses(fixed, "ghl field") == dict.fromkeys(CONTACTS_GHL, "fixed")
    assert statuses(fixed, "tt field") == dict.fromkeys(CONTACTS_TT, "fixed")
    keys = {f["fieldKey"] for f in ghl_sim.state.custom_fields.values()}
    assert "contact.tt_customer_id" in keys
    names = {(f.filter_object_class, f.name) for f in tt_sim.state.custom_fields.values()}
    assert ("customer", "ghl_phone") in names

    again = await check_bridge(bridges, "main", needs, fix=True, deliver=False)
    assert not again.problems
    # Nothing made twice (the scopes of a Private Integration token are not known here).
    assert {f.status for f in again.findings} == {"ok", "not checked"}
    assert (
        sum(f["fieldKey"] == "contact.tt_customer_id" for f in ghl_sim.state.custom_fields.values())
        == 1
    )


async def test_missing_scopes_are_named_and_fields_unreadable_are_not_checked(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    """A token without the custom-field scopes: the scope finding says which, and the fields
    are "not checked" (GHL refused the read), not reported missing."""
    token = ghl_sim.create_token(scopes=["contacts.readonly", "contacts.write"]).token
    await connections.add_ghl_token(
        label="narrow",
        token=token,
        location_id=ghl_sim.sample_location_id,
        granted=["contacts.readonly", "contacts.write"],
    )
    await make_bridge(connections, bridges, ghl_sim, tt_sim)
    await bridges.add(name="narrow", ghl_connection="narrow", tt_connection="team")
    needs = Needs(
        ("contacts",),
        frozenset({"contacts.write"}),
        (FieldNeed("ghl", "contact", "tt_customer_id"),),
    )

    report = await check_bridge(bridges, "narrow", needs, fix=True, deliver=False)
    scope = next(f for f in report.findings if f.check == "scopes")
    assert scope.status == "missing"
    assert "locations/customFields.readonly" in scope.detail
    assert "locations/customFields.write" in scope.detail
    assert statuses(report, "ghl field") == {"contact.tt_customer_id": "not checked"}
    assert not any(
        f["fieldKey"] == "contact.tt_customer_id" for f in ghl_sim.state.custom_fields.values()
    )

    # Granted in GHL, the token's scopes are recorded anew by rotating it: the check passes.
    assert "ghltt connections rotate" in scope.remedy and "--scope" in scope.remedy
    everything = ["contacts.readonly", "contacts.write", "locations/customFields.readonly"]
    everything.append("locations/customFields.write")
    widened = ghl_sim.create_token(scopes=everything).token
    await connections.rotate("narrow", widened, everything)
    report = await check_bridge(bridges, "narrow", needs, fix=True, deliver=False)
    assert [f.status for f in report.findings if f.check == "scopes"] == ["ok"]
    assert statuses(report, "ghl field") == {"contact.tt_customer_id": "fixed"}


async def test_unknown_scopes_name_what_to_grant_and_how_to_record_them(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    await make_bridge(connections, bridges, ghl_sim, tt_sim)
    report = await check_bridge(bridges, "main", needs_of(["contacts"]), deliver=False)
    [scope] = [f for f in report.findings if f.check == "scopes"]
    assert scope.status == "not checked"
    assert "needed: contacts.readonly, contacts.write" in scope.detail
    assert "ghltt connections rotate" in scope.remedy


async def test_a_missing_webhook_is_found_and_registered(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    bridge_id, _ghl, tt_id = await make_bridge(connections, bridges, ghl_sim, tt_sim)
    url = bridges.webhooks.url(bridge_id)
    async with bridges.clients.tt(tt_id) as tt:
        for hook in await tt.webhooks.list():
            await tt.webhooks.delete(hook.id)

    report = await check_bridge(bridges, "main", Needs(), deliver=False)
    assert statuses(report, "tt webhook") == {url: "missing"}
    report = await check_bridge(bridges, "main", Needs(), fix=True, deliver=False)
    assert statuses(report, "tt webhook") == {url: "fixed"}
    report = await check_bridge(bridges, "main", Needs(), deliver=False)
    assert statuses(report, "tt webhook") == {url: "ok"}


async def test_delivery_is_not_checked_when_ghltt_is_not_reachable(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    await make_bridge(connections, bridges, ghl_sim, tt_sim)
    report = await check_bridge(bridges, "main", Needs())  # http://ghltt.test resolves nowhere
    delivery = next(f for f in report.findings if f.check == "delivery")
    assert delivery.status == "not checked"
    assert "not reachable" in delivery.detail and "ghltt serve" in delivery.remedy
    assert not report.problems


async def test_serve_start_logs_one_warning_per_problem_and_never_raises(
    connections: ConnectionService,
    bridges: BridgeService,
    flow: OAuthFlow,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    await make_bridge(connections, bridges, ghl_sim, tt_sim)
    bridges.enable_recipe("main", "contacts", [])
    services = Services(connections.vault, connections, bridges, flow)
    with capture_logs() as logs:
        found = await warn_unready(services)
    problems = [e for e in logs if e["event"] == "bridge not ready"]
    assert found == len(problems) == 5  # one GHL field, four TT fields
    assert all(e["bridge"] == "main" and e["log_level"] == "warning" for e in problems)
    assert any("contact.tt_customer_id: missing" in e["problem"] for e in problems)
    assert any(e.get("command") == "ghltt bridges check main --fix" for e in logs)

    # GHL failing: its fields are "not checked" (not reported missing), the rest still is.
    ghl_sim.set_faults(error_rate=1.0)
    with capture_logs() as logs:
        found = await warn_unready(services)
    assert found == 4
    assert not any("contact.tt_customer_id" in e.get("problem", "") for e in logs)
