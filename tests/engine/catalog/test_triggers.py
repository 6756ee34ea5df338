"""Each TrackingTime trigger fired in the simulator reaches a recipe as an event of its kind,
with the payload its schema declares: webhook triggers through a signed delivery, poll
triggers through the snapshot polls. So does each schedule, as its tick or its items."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx2
import jsonschema_rs
import pytest
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth
from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient, parse_delivery
from ghltt.core import Event, EventSource
from ghltt.engine.catalog.triggers import TRIGGERS
from ghltt.engine.catalog.tt_triggers import TT_TRIGGERS
from ghltt.engine.context import BridgeContext, Repositories
from ghltt.engine.dispatch import fan_out, recipes_for, schedule_kind
from ghltt.engine.recipes import load_recipe_text
from ghltt.engine.reconcile.model import PollContext
from ghltt.engine.reconcile.settings import ReconcileSettings
from ghltt.engine.reconcile.tt import poll_snapshot
from ghltt.engine.reconcile.tt_timesheets import poll_timesheets
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import open_database, upgrade
from ghltt.store.links import Link, LinkRepository
from tests.engine.catalog import CATALOG

pytestmark = pytest.mark.anyio

PUSHED = [t.name for t in TT_TRIGGERS if "webhook" in t.detection]
POLLED = [t.name for t in TT_TRIGGERS if t.detection == ("poll",) and "timesheet" not in t.name]


def _recipe(kinds: list[str]) -> Any:
    listed = ", ".join(kinds)
    text = f"""\
version: 2
name: listens
kind: automation
description: d
trigger: {{events: [{listed}]}}
steps:
  - {{id: look, action: tt.users.get, input: {{id: event.payload.data.id}}}}
"""
    return load_recipe_text(text, CATALOG)


def _check(events: list[Event], wanted: list[str]) -> None:
    by_kind = {f"tt.{e.kind}": e for e in events}
    assert sorted(set(wanted) - set(by_kind)) == []
    recipe = _recipe(wanted)
    for name in wanted:
        event = by_kind[name]
        jsonschema_rs.validate(dict(TRIGGERS[name].payload_schema), event.payload)
        assert recipes_for(event, [recipe]) == [recipe], name
        assert recipes_for(event, [_recipe(["tt.nothing.happened"])]) == []


def _client(sim: TrackingTimeSimulator) -> TrackingTimeClient:
    return TrackingTimeClient(
        AppPassword(str(sim.credentials()[0]["app_password"])),
        account_id=sim.account_id,
        base_url="https://api.trackingtime.co/api/v4",
        transport=httpx2.ASGITransport(app=sim.app),
        account_timezone="America/New_York",
    )


async def test_every_webhook_trigger_is_delivered_and_reaches_a_recipe() -> None:
    bodies: list[bytes] = []

    def receive(request: httpx2.Request) -> httpx2.Response:
        bodies.append(request.content)
        return httpx2.Response(200)

    sim = TrackingTimeSimulator(webhook_transport=httpx2.MockTransport(receive))
    async with _client(sim) as tt:
        kinds = ",".join(name.removeprefix("tt.") for name in PUSHED)
        await tt.invoke("webhooks.add", {"url": "https://hooks.example.com/tt", "events": kinds})
        project = await tt.invoke("projects.add", {"name": "Fired"})
        await tt.invoke("projects.update", {"id": project.id, "notes": "n"})
        await tt.invoke("projects.close", {"id": project.id})
        await tt.invoke("projects.open", {"id": project.id})
        task = await tt.invoke("tasks.add", {"name": "Fire", "project_id": project.id})
        await tt.invoke("tasks.update", {"id": task.id, "description": "d"})
        await tt.invoke("tasks.close", {"id": task.id})
        await tt.invoke("tasks.open", {"id": task.id})
        at = {"date": "2026-01-06 09:00:00", "timezone": "GMT-05:00"}
        entry = await tt.invoke("tasks.track", {"id": task.id, **at})
        await tt.invoke("tasks.stop", {"id": task.id, **at, "date": "2026-01-06 10:00:00"})
        await tt.invoke("events.delete", {"id": entry.id})
        await tt.invoke("tasks.delete", {"id": task.id})
        await tt.invoke("projects.delete", {"id": project.id})
        await sim.drain_webhooks()
    events = [e for body in bodies for e in parse_delivery(body, zone="America/New_York")]
    _check(events, PUSHED)


async def test_every_poll_trigger_is_found_by_the_snapshot_polls() -> None:
    sim = TrackingTimeSimulator()
    ctx = PollContext(bridge="b1", now=datetime.now(UTC), settings=ReconcileSettings())
    async with _client(sim) as tt:
        first = {
            s: (await poll_snapshot(tt, ctx, s, None)).cursor for s in ("tt.users", "tt.customers")
        }
        gone = await tt.invoke("users.add", {"name": "Gone", "role": "CO_WORKER"})
        dropped = await tt.invoke("customers.add", {"name": "Dropped"})
        mid = {s: (await poll_snapshot(tt, ctx, s, c)).cursor for s, c in first.items()}
        user = await tt.invoke("users.add", {"name": "New", "role": "CO_WORKER"})
        await tt.invoke("users.update", {"id": 381456, "surname": "Renamed"})
        customer = await tt.invoke("customers.add", {"name": "Fresh"})
        await tt.invoke("customers.update", {"id": 123456, "name": "Globex", "notes": "edited"})
        # No API call removes a user from an account (the web app does): the state does here.
        del sim.state.users[gone.id].memberships[sim.account_id]
        await tt.invoke("customers.delete", {"id": dropped.id})
        events = []
        for stream, cursor in mid.items():
            events += (await poll_snapshot(tt, ctx, stream, cursor)).events
    assert {e.object_id for e in events if e.kind.endswith(".created")} == {
        str(user.id),
        str(customer.id),
    }
    _check(events, POLLED)


async def test_a_week_total_passing_a_threshold_is_reported_once() -> None:
    sim = TrackingTimeSimulator()
    name = "tt.timesheet.threshold_crossed"
    async with _client(sim) as tt:
        ctx = PollContext(bridge="b1", now=datetime.now(UTC), settings=ReconcileSettings())
        idle = await poll_timesheets(tt, ctx, None)
        assert idle.cursor == {} and sim.request_log() == []  # no thresholds, no call
        start = await poll_timesheets(tt, ctx, idle.cursor)
        ada = str(sim.seeded[0].id)
        before = (await poll_timesheets(tt, _watching(ctx, 168), None)).cursor or {}
        hours = float(before["hours"].get(ada, 0.0))
        ctx = _watching(ctx, hours + 1.5)
        first = await poll_timesheets(tt, ctx, before)
        assert first.events == []  # not there yet
        monday = date.fromisoformat(before["week"])
        await tt.invoke(
            "events.add",
            {
                "start": f"{monday} 00:05:00",
                "end": f"{monday} 02:05:00",
                "timezone": "America/New_York",
                "user_id": int(ada),
            },
        )
        crossed = await poll_timesheets(tt, ctx, first.cursor)
        again = await poll_timesheets(tt, ctx, crossed.cursor)
    assert start.events == [] and again.events == []
    assert [(e.kind, e.object_id) for e in crossed.events] == [(name.removeprefix("tt."), ada)]
    data = crossed.events[0].payload["data"]
    assert data["previous_hours"] == pytest.approx(hours)
    assert data["worked_hours"] == pytest.approx(hours + 2)
    _check(crossed.events, [name])


def _watching(ctx: PollContext, hours: float) -> PollContext:
    settings = ReconcileSettings(timesheet_thresholds_hours=(hours,))
    return PollContext(bridge=ctx.bridge, now=ctx.now, settings=settings)


# -- schedules ---------------------------------------------------------------------------------


def _scheduled(name: str, example: dict[str, Any]) -> Any:
    trigger = example["trigger"]["schedule"]
    listed = ", ".join(f"{k}: {json.dumps(v)}" for k, v in trigger.items())
    text = f"""\
version: 2
name: {name}
kind: automation
description: d
trigger: {{schedule: {{{listed}}}}}
steps:
  - {{id: look, action: tt.users.get, input: {{id: {{value: 1}}}}}}
"""
    return load_recipe_text(text, CATALOG)


async def test_every_schedule_trigger_reaches_its_recipe_with_its_payload(tmp_path: Path) -> None:
    """A tick as ``jobs/schedules.py`` puts it in the inbox runs the recipe; a per-record or
    per-link tick fans out into items carrying the payload the trigger documents."""
    sim = TrackingTimeSimulator()
    engine: sa.Engine = open_database(f"sqlite:///{tmp_path / 'ghltt.db'}")
    upgrade(engine)
    LinkRepository(engine).save(Link("b1", "contact", "c1", "customer", "7"))
    ghl = GhlClient(auth=StaticTokenAuth("unused"), location_id="l", base_url="http://127.0.0.1:9")
    ctx = BridgeContext(
        bridge_id="b1", mode="live", ghl=ghl, tt=_client(sim), repos=Repositories.of(engine),
        now=datetime.now(UTC),
    )  # fmt: skip
    try:
        for trigger in (t for t in TRIGGERS.values() if t.detection == ("schedule",)):
            assert trigger.example is not None
            name = trigger.name.replace(".", "-").replace("_", "-")
            recipe = _scheduled(name, dict(trigger.example))
            tick = Event(
                bridge="b1", source=EventSource.SCHEDULE, kind=schedule_kind(recipe.name),
                dedup_key=f"schedule:{name}:now",
                payload={"schedule": name, "fired_at": datetime.now(UTC).isoformat()},
            )  # fmt: skip
            assert recipes_for(tick, [recipe, _recipe(["tt.task.created"])]) == [recipe]
            items = await fan_out(recipe, tick, ctx)
            if items is None:  # a plain cron tick: the recipe runs for the tick itself
                jsonschema_rs.validate(dict(trigger.payload_schema), tick.payload)
                continue
            assert items, trigger.name
            for item in items:
                jsonschema_rs.validate(dict(trigger.payload_schema), item.payload)
                assert recipes_for(item, [recipe]) == [recipe]
    finally:
        await ctx.aclose()
        engine.dispose()
