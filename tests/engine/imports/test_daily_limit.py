"""The daily cap (GHL: 200,000 requests per location per day): an import uses its share of
the day, then waits for the day to reset, visibly, and finishes; its estimate says when the
cap binds. The simulator's cap is made small, and the clock moves with the import's waits."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth
from ghltt.connectors.http import RateBudget
from ghltt.engine.context import BridgeContext
from ghltt.engine.imports import Filters, Importer, create_import
from ghltt.engine.imports.eta import BudgetView, describe, estimate
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.store.imports import ImportRecord, ImportRepository
from tests.engine.conftest import BRIDGE, GHL_BASE
from tests.engine.imports.conftest import (
    add_contacts,
    contacts_recipe,
    duplicates,
    ghl_contacts,
    links,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fast_limits")]


class Wall:
    """A wall clock that moves only when the import waits (so a day passes at once)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


async def test_an_import_waits_for_the_daily_cap_to_reset_and_says_so(
    ctx: BridgeContext, db: sa.Engine, ghl_sim: GhlSimulator
) -> None:
    made = add_contacts(ghl_sim, range(50))
    # 60 requests a day; the import's share (70 %) is 42: a search and one write-back per
    # contact do not fit in one day.
    ghl_sim.set_rate_limits(burst=1000, window_ms=1000, daily=60)
    wall = Wall(datetime(2026, 1, 5, 23, 0, tzinfo=UTC))
    ghl = GhlClient(
        auth=StaticTokenAuth(ghl_sim.sample_token),
        location_id=ghl_sim.sample_location_id,
        base_url=GHL_BASE,
        transport=httpx2.ASGITransport(app=ghl_sim.app),
        budget=RateBudget(100, 10, wall_clock=wall.now),
    )
    day = dataclasses.replace(ctx, ghl=ghl)

    async def sleep(seconds: float) -> None:
        before = wall.at.date()
        wall.at += timedelta(seconds=seconds)
        if wall.at.date() != before:
            ghl_sim.ratelimit.reset()  # the simulator's day starts again too

    seen: list[dict[str, Any]] = []

    async def on_page(now: ImportRecord) -> None:
        seen.append(dict(now.progress["ghl_to_tt"]))

    repo = ImportRepository(db)
    recipe = contacts_recipe()
    record = create_import(repo, BRIDGE, recipe, ("ghl_to_tt",), Filters())
    importer = Importer(
        day, recipe, repo, record, page_size=20, share=0.7, on_page=on_page, sleep=sleep
    )
    try:
        done = await importer.run()
    finally:
        await ghl.aclose()

    assert done.status == "finished"
    everyone = {c["id"] for c in ghl_contacts(ghl_sim)}  # the sample location's own too
    assert {c["id"] for c in made} <= everyone
    assert done.progress["ghl_to_tt"]["counts"]["create"] == len(everyone)
    assert {g for g, _ in links(db)} == everyone
    assert not duplicates([t for _, t in links(db)])
    assert not [r for r in ghl_sim.request_log() if r.get("status") == 429]
    waits = [p["waiting"] for p in seen if p.get("waiting")]
    assert waits and waits[0]["for"] == "ghl daily limit"
    assert waits[0]["until"] == "2026-01-06T00:00:00+00:00"
    assert "waiting for the ghl daily limit" in describe(None, waits[0])
    # Before it waited, the estimate said the day's cap binds.
    before = [p["eta"] for p in seen if p.get("eta") and not p.get("waiting")]
    assert before and before[0]["binds"] == "ghl daily limit"
    assert done.progress["ghl_to_tt"]["waiting"] is None


def test_the_estimate_says_which_budget_binds() -> None:
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    ghl = BudgetView("ghl", 1.0, 100, 10.0, 200_000, 0, 43_200.0)
    # 7 calls a second at a 70 % share: 7,000 records take 1,000 s, well inside the day.
    fits = estimate(7_000, [ghl], 0.7, now)
    assert fits["binds"] == "ghl rate budget" and fits["seconds"] == 1000
    # 139,900 used of the import's 140,000: 100 calls today, then the day resets in 12 h.
    late = dataclasses.replace(ghl, daily_used=139_900)
    binds = estimate(1_100, [late], 0.7, now)
    assert binds["binds"] == "ghl daily limit"
    assert binds["seconds"] == round(43_200 + 1_000 / 7)
    assert binds["budgets"]["ghl"]["daily_left_for_import"] == 100
    assert "ghl daily limit binds" in describe(binds)
    # A slower import than its budget: its own pace binds.
    slow = estimate(7_000, [ghl], 0.7, now, observed_per_second=2.0)
    assert slow["binds"] == "the import's pace" and slow["seconds"] == 3500
    assert estimate(0, [ghl], 0.7, now)["binds"] == "nothing left"
