"""Whole-list change detection sees edits of custom fields alone, against the TT simulator on a
fixed clock: TT's ``updated_at`` has one-second resolution, so an edit made in the same second as
the state the last poll saw is told apart by content only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from ghltt.connectors.trackingtime import (
    AppPassword,
    SnapshotCursor,
    SnapshotTracker,
    TrackingTimeClient,
    content_hash,
)
from ghltt.core import FixedClock
from ghltt.sandbox.trackingtime import TrackingTimeSimulator

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def sim(clock: FixedClock) -> TrackingTimeSimulator:
    hooks = httpx2.MockTransport(lambda request: httpx2.Response(200))
    return TrackingTimeSimulator(clock=clock, webhook_transport=hooks)


@pytest.fixture
async def tt(sim: TrackingTimeSimulator, clock: FixedClock) -> AsyncIterator[TrackingTimeClient]:
    async with TrackingTimeClient(
        AppPassword(str(sim.credentials()[0]["app_password"])),
        account_id=sim.account_id,
        transport=httpx2.ASGITransport(app=sim.app),
        account_timezone="America/New_York",
        clock=clock,
    ) as client:
        yield client


def _reads(sim: TrackingTimeSimulator) -> list[str]:
    return [str(r["path"]) for r in sim.request_log()]


async def test_a_same_second_custom_field_edit_of_a_customer_is_an_update(
    sim: TrackingTimeSimulator, tt: TrackingTimeClient, clock: FixedClock
) -> None:
    field = await tt.custom_fields.add("ghl_phone", "text", "customer")
    customer = await tt.customers.add("Same Second Co")
    clock.advance(timedelta(minutes=1))
    sim.clear_requests()
    seen = await tt.customers.changes()
    assert len(_reads(sim)) == 1  # one list read per poll, as before

    # Edited in the second the poll read it: updated_at does not move, the value does.
    await tt.customers.update(
        customer.id, name=customer.name, custom_fields=[{"id": field.id, "value": "+1555"}]
    )
    sim.clear_requests()
    edited = await tt.customers.changes(seen.cursor)
    assert [c.id for c in edited.updated] == [customer.id]
    values = [f["value"] for f in getattr(edited.updated[0], "custom_fields", None) or []]
    assert "+1555" in values
    assert len(_reads(sim)) == 1 and "include_custom_fields" in sim.request_log()[0]["query"]
    assert not await tt.customers.changes(edited.cursor)  # reported once


async def test_users_and_projects_too(
    sim: TrackingTimeSimulator, tt: TrackingTimeClient, clock: FixedClock
) -> None:
    user_field = await tt.custom_fields.add("badge", "text", "user")
    project_field = await tt.custom_fields.add("stage", "text", "project")
    user = (await tt.users.list(filter="ALL"))[0]
    project = await tt.projects.add("Same second project")
    clock.advance(timedelta(minutes=1))
    users, projects = await tt.users.changes(), await tt.projects.changes()

    await tt.users.update(user.id, custom_fields=[{"id": user_field.id, "value": "gold"}])
    await tt.projects.update(
        project.id, custom_fields=[{"id": project_field.id, "value": "design"}]
    )
    assert [u.id for u in (await tt.users.changes(users.cursor)).updated] == [user.id]
    assert [p.id for p in (await tt.projects.changes(projects.cursor)).updated] == [project.id]


async def test_a_new_field_definition_edits_no_record(
    sim: TrackingTimeSimulator, tt: TrackingTimeClient, clock: FixedClock
) -> None:
    await tt.customers.add("Untouched Co")
    seen = await tt.customers.changes()
    clock.advance(timedelta(minutes=1))
    # Every customer now lists the new field, empty: no customer was edited.
    field = await tt.custom_fields.add("ghl_tags", "text", "customer")
    assert not await tt.customers.changes(seen.cursor)
    await tt.custom_fields.update(field.id, name="tags")  # renamed: still nobody's edit
    assert not await tt.customers.changes(seen.cursor)


def _legacy_tracker() -> SnapshotTracker[dict[str, Any]]:
    return SnapshotTracker(key=lambda d: d["id"], as_dict=lambda d: d)


def test_a_cursor_from_lists_read_without_custom_fields_is_not_a_change() -> None:
    """Cursors stored before lists were read with their custom fields: the first poll after
    the upgrade does not announce every record as edited."""
    tracker = _legacy_tracker()
    plain = {"id": 1, "name": "A", "updated_at": "2026-03-10 11:00:00"}
    old = tracker.diff([plain], SnapshotCursor()).cursor
    fields = [{"id": 9, "name": "ghl_phone", "value": "+1555", "cf_index": 0}]
    assert not tracker.diff([{**plain, "custom_fields": fields}], old)
    # An API that answered ``custom_fields: null`` when not asked for them.
    stamp, bare = plain["updated_at"], content_hash({**plain, "custom_fields": None})
    with_null = SnapshotCursor({"1": f"{stamp}#{bare}"})
    assert not tracker.diff([{**plain, "custom_fields": fields}], with_null)
    # ... while a real edit since still is one.
    renamed = {**plain, "name": "B", "custom_fields": fields}
    assert [r["id"] for r in tracker.diff([renamed], old).updated] == [1]
