"""The dashboard's user journeys in a real browser, against both simulators."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from ghltt.store import RunRepository
from ghltt.store.dashboard import DashboardQueries
from ghltt.store.tables import connections
from tests.browser.conftest import log_in, screenshot
from tests.e2e.conftest import Loop, wait_for
from tests.e2e.test_pipeline import _create_contact
from tests.engine.imports.conftest import add_contacts

pytestmark = pytest.mark.slow


def _connection_id(loop: Loop, system: str) -> str:
    with loop.db.connect() as conn:
        return str(
            conn.execute(
                sa.select(connections.c.id).where(connections.c.system == system)
            ).scalar_one()
        )


def _card(page: Page, connection_id: str) -> object:
    return page.locator(f"section#{connection_id}")


def test_log_in_see_the_bridge_then_revalidate_and_rotate_a_connection(
    loop: Loop, page: Page
) -> None:
    log_in(page, loop)
    card = page.locator("section.card", has_text="sandbox")
    expect(card).to_contain_text("Runs")
    expect(card.locator(".badge").first).to_have_text("sandbox")
    expect(card).to_contain_text("per 10 s")  # the executor's GHL budget, shared in-process
    screenshot(page, "overview")

    page.get_by_role("link", name="Connections").click()
    ghl = page.locator(f"section#{_connection_id(loop, 'ghl')}")
    ghl.get_by_role("button", name="Revalidate").click()
    expect(page.get_by_role("status")).to_contain_text("GHL simulator: valid")
    screenshot(page, "connections")

    fresh = loop.ghl.create_token(kind="pit", location_id=loop.ghl.sample_location_id).token
    ghl = page.locator(f"section#{_connection_id(loop, 'ghl')}")
    ghl.get_by_label("New secret").fill(fresh)
    ghl.get_by_role("button", name="Rotate").click()
    expect(page.get_by_role("status")).to_contain_text("rotated and valid")
    assert fresh not in page.content()  # never echoed back
    loop.ghl.revoke_token(loop.ghl.sample_token)  # the old one is no longer needed
    ghl = page.locator(f"section#{_connection_id(loop, 'ghl')}")
    ghl.get_by_role("button", name="Revalidate").click()
    expect(page.get_by_role("status")).to_contain_text("valid")


def test_look_at_shadow_plans_go_live_and_find_a_contacts_run_and_its_diff(
    loop: Loop, page: Page
) -> None:
    log_in(page, loop)
    page.get_by_role("link", name="Bridges").click()
    page.get_by_label("Mode of sandbox").select_option("shadow")
    page.get_by_role("button", name="Switch mode").click()
    expect(page.get_by_role("status")).to_contain_text("now in shadow mode")
    screenshot(page, "bridges")

    contact = _create_contact(loop, "ada@example.com")
    plans = DashboardQueries(loop.db)
    wait_for(lambda: bool(plans.runs_with_outcome(loop.bridge, "planned")), "the shadow plan")
    assert loop.tt_writes("customers/add") == 0  # shadow: planned, not written

    page.get_by_label("Mode of sandbox").select_option("live")
    page.get_by_role("button", name="Switch mode").click()
    expect(page.get_by_role("heading", name="Go live with sandbox?")).to_be_visible()
    expect(page.locator("table.diff").first).to_contain_text("ada@example.com")
    screenshot(page, "go-live")
    page.get_by_role("link", name="Plan preview").click()
    page.get_by_label("Recipe").select_option("contacts")
    page.get_by_label("GHL or TT record id").fill(contact)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="contacts: planned")).to_be_visible()
    expect(page.locator("table.diff").first).to_contain_text("ada@example.com")
    screenshot(page, "preview")
    assert loop.tt_writes("customers/add") == 0  # a preview writes nothing

    page.get_by_role("link", name="Bridges").click()
    page.get_by_label("Mode of sandbox").select_option("live")
    page.get_by_role("button", name="Switch mode").click()
    page.get_by_role("button", name="I have looked at the plans: go live").click()
    expect(page.get_by_role("status")).to_contain_text("now in live mode")

    page.get_by_role("link", name="Runs").click()
    page.get_by_label("GHL or TT record id").fill(contact)
    page.get_by_role("button", name="Filter", exact=True).click()
    rows = page.locator("#runs-table tbody tr")
    expect(rows.first).to_contain_text(contact)
    screenshot(page, "runs")
    rows.first.get_by_role("link").first.click()
    expect(page.locator("table.diff").first).to_contain_text("contact_email")
    expect(page.locator("table.diff").first).to_contain_text("GHL: email")
    requests = page.get_by_role("table", name="Requests of step 1")
    expect(requests).to_contain_text("GET /contacts/")  # what the run read, and how it went
    expect(requests).to_contain_text("200")
    expect(requests).to_contain_text(" ms")
    screenshot(page, "run")


def test_a_dead_letter_fixed_and_replayed_from_the_page_succeeds_in_the_live_tail(
    loop: Loop, page: Page
) -> None:
    # TrackingTime fails every customer it is asked to add: the run dead-letters. (A refused
    # credential would hold the event instead, and a rotation release it: no dead letter.)
    loop.tt.set_faults(http_5xx_rate=1.0, path_contains="customers/add")
    _create_contact(loop, "grace@example.com")
    runs = RunRepository(loop.db)
    wait_for(lambda: runs.count("failed") >= 1, "the run to dead-letter")
    [dead, *_] = runs.list(status="failed")

    log_in(page, loop)
    page.goto(f"{loop.settings.public_url}/runs?status=failed")
    expect(page.locator("#runs-table")).to_contain_text(dead.id[:8])

    loop.tt.set_faults(http_5xx_rate=0.0, path_contains=None)  # TrackingTime is back

    # Watch the live tail in one tab while replaying from the run's page in another.
    page.goto(f"{loop.settings.public_url}/runs")
    expect(page.locator("table#tail[data-connected]")).to_be_attached()
    other = page.context.new_page()
    other.goto(f"{loop.settings.public_url}/runs/{dead.id}")
    # The dead letter's timeline shows the adds TrackingTime failed, each attempt of them.
    failed_add = other.get_by_role("table", name="Requests of step 1").locator(
        "tr", has_text="customers/add"
    )
    expect(failed_add.first).to_contain_text(re.compile(r"\b5\d\d\b"))
    other.get_by_role("button", name="Replay this run").click()
    expect(other.get_by_role("status")).to_contain_text("Replaying as")
    row = page.locator(f"#tail tr#tail-run-{dead.id}")
    expect(row).to_contain_text("succeeded", timeout=60_000)
    screenshot(page, "live-tail")
    assert loop.tt_writes("customers/add") >= 1


def test_enable_a_template_with_a_changed_parameter(loop: Loop, page: Page) -> None:
    log_in(page, loop)
    page.get_by_role("link", name="Bridges").click()
    page.get_by_role("button", name=re.compile("Disable contacts on sandbox")).click()
    expect(page.get_by_role("status")).to_contain_text("contacts disabled")
    page.get_by_role("link", name=re.compile("Enable… contacts on sandbox")).click()
    page.get_by_label("default_country").fill("44")
    screenshot(page, "template-parameters")
    page.get_by_role("button", name="Enable contacts").click()
    expect(page.get_by_role("status")).to_contain_text("contacts is enabled on sandbox")
    with loop.db.connect() as conn:
        settings = conn.exec_driver_sql("SELECT settings FROM bridges").scalar_one()
    assert '"default_country": "44"' in settings or '"default_country":"44"' in settings

    page.goto(f"{loop.settings.public_url}/recipes/validate")
    page.get_by_label("Paste a recipe (YAML)").fill(
        "version: 2\nname: broken\nkind: automation\ndescription: x\n"
        "trigger: {source: ghl, kind: contact.created}\n"
        "steps:\n  - id: one\n    action: nope.nope\n"
    )
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#problems")).to_contain_text("line 5, column 11: trigger.source")
    expect(page.locator("tr#line-5")).to_have_class("error-line")
    screenshot(page, "validate")


def test_plan_an_import_start_it_watch_it_finish_then_browse_the_catalog(
    loop: Loop, page: Page
) -> None:
    loop.ghl.set_rate_limits(burst=1_000_000, window_ms=10_000, daily=100_000_000)
    add_contacts(loop.ghl, range(12))  # already in GHL before the bridge: an import's job
    log_in(page, loop)
    page.get_by_role("link", name="Imports").click()
    plan = page.get_by_role("form", name="Plan an import")
    plan.get_by_label("Recipe").select_option("contacts")
    plan.locator("#im-direction").select_option("ghl_to_tt")
    plan.get_by_role("button", name="Plan").click()
    page.wait_for_url(re.compile(r"/imports/imp_"))
    # The plan runs in the executor; its page follows it and shows the button once it is done.
    start = page.get_by_role("button", name="Start this import")
    expect(start).to_be_visible(timeout=60_000)
    counts = page.locator("#import-counts")
    expect(counts).to_contain_text("ghl to tt")
    expect(page.locator("table.diff").first).to_contain_text("Imported")
    screenshot(page, "imports")
    assert loop.tt_writes("customers/add") == 0  # a plan writes nothing

    plan_url = page.url
    start.click()
    page.wait_for_url(lambda url: "/imports/imp_" in url and url != plan_url)
    expect(page.locator("#import-live .badge").first).to_have_text("finished", timeout=120_000)
    expect(page.locator("#failures + p + table")).to_contain_text("Nothing set aside.")
    assert loop.tt_writes("customers/add") >= 12

    page.get_by_role("link", name="Catalog").click()
    page.get_by_label("Search names and descriptions").fill("customer")
    page.get_by_label("System").select_option("tt")
    page.get_by_role("button", name="Search").click()
    table = page.locator("#catalog-table")
    expect(table).to_contain_text("tt.customers.add")
    expect(table).not_to_contain_text("ghl.")
    screenshot(page, "catalog")
    table.get_by_role("link", name="tt.customers.add").click()
    expect(page.get_by_role("heading", name="tt.customers.add")).to_be_visible()
    expect(page.get_by_role("table", name="Input")).to_contain_text("name")
