"""Fixtures of the engine's run tests (sync, automation, catalog): a migrated store, both
simulators in-process, a context."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth
from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient
from ghltt.core import Event
from ghltt.engine.catalog import action_catalog
from ghltt.engine.context import BridgeContext, Repositories
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.ghl.config import GhlSimulatorConfig
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.store import insert_new, open_database, upgrade

GHL_BASE = "https://services.leadconnectorhq.com"
TT_BASE = "https://api.trackingtime.co/api/v4"
BRIDGE = "b1"
TT_CUSTOMER_FIELDS = ("ghl_phone", "ghl_business_id", "ghl_tags", "ghl_contact_id")
GHL_CONTACT_FIELDS = ("tt_customer_id", "tt_hours_total", "tt_hours_this_month")
CATALOG = action_catalog()


@pytest.fixture
def db(database_url: str) -> Iterator[sa.Engine]:
    eng = open_database(database_url)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def ghl_sim() -> GhlSimulator:
    sim = GhlSimulator(GhlSimulatorConfig(rsa_key_size=2048))
    location = sim.sample_location_id
    for key in GHL_CONTACT_FIELDS:
        # The fields the templates need, seeded (the API makes them too: tests/bridges).
        field = {
            "id": f"cf_{key}",
            "name": key,
            "fieldKey": f"contact.{key}",
            "dataType": "TEXT",
            "locationId": location,
        }
        sim.state.custom_fields[field["id"]] = field
    return sim


@pytest.fixture
def tt_sim() -> TrackingTimeSimulator:
    return TrackingTimeSimulator()


class Writes:
    """Remote writes counted from the simulators' request logs."""

    def __init__(self, ghl: GhlSimulator, tt: TrackingTimeSimulator) -> None:
        self.ghl_sim, self.tt_sim = ghl, tt

    def ghl(self) -> int:
        return sum(
            1
            for r in self.ghl_sim.request_log()
            if r["method"] in ("POST", "PUT", "DELETE") and not r["path"].endswith("/search")
        )

    def tt(self) -> int:
        verbs = ("/add", "/update", "/close", "/open", "/delete")
        return sum(
            1
            for r in self.tt_sim.request_log()
            if any(v in r["path"] for v in verbs) and "custom_fields" not in r["path"]
        )

    def both(self) -> tuple[int, int]:
        return self.ghl(), self.tt()


@pytest.fixture
def writes(ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator) -> Writes:
    return Writes(ghl_sim, tt_sim)


def _shape(path: str) -> str:
    """A path with its ids folded (as bench/e2e.py does), so calls read as operations."""
    parts = path.split("/")
    return "/".join(
        "{id}" if (any(c.isdigit() for c in p) and len(p) >= 4) or len(p) >= 16 else p
        for p in parts
    )


class RemoteCalls:
    """The API calls the simulators logged since ``clear()``, as ``system METHOD path``."""

    def __init__(self, ghl: GhlSimulator, tt: TrackingTimeSimulator) -> None:
        self.ghl_sim, self.tt_sim = ghl, tt

    def clear(self) -> None:
        self.ghl_sim.clear_requests()
        self.tt_sim.clear_requests()

    def made(self) -> list[str]:
        """Sorted: the two simulators' clocks cannot order calls across both."""
        ghl = [f"ghl {r['method']} {_shape(r['path'])}" for r in self.ghl_sim.request_log()]
        tt = [
            f"tt {r['method']} {_shape(r['path']).removeprefix('/api/v4/{id}')}"
            for r in self.tt_sim.request_log()
        ]
        return sorted(ghl + tt)


@pytest.fixture
def calls(ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator) -> RemoteCalls:
    return RemoteCalls(ghl_sim, tt_sim)


def announce(db: sa.Engine, source: str, kind: str, object_id: Any) -> None:
    """An event about a record waits in the inbox, not processed yet (the poller saw it)."""
    with db.begin() as conn:
        insert_new(conn, [event(source, kind, object_id)])


def make_context(
    db: sa.Engine,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    *,
    mode: str = "sandbox",
    now: datetime | None = None,
    params: dict[str, Any] | None = None,
) -> BridgeContext:
    ghl = GhlClient(
        auth=StaticTokenAuth(ghl_sim.sample_token),
        location_id=ghl_sim.sample_location_id,
        base_url=GHL_BASE,
        transport=httpx2.ASGITransport(app=ghl_sim.app),
    )
    tt = TrackingTimeClient(
        AppPassword(str(tt_sim.credentials()[0]["app_password"])),
        account_id=tt_sim.account_id,
        base_url=TT_BASE,
        transport=httpx2.ASGITransport(app=tt_sim.app),
        account_timezone="America/New_York",
    )
    return BridgeContext(
        bridge_id=BRIDGE,
        mode=mode,
        ghl=ghl,
        tt=tt,
        repos=Repositories.of(db),
        now=now or datetime.now(UTC),
        location_tz="America/Chicago",
        tt_timezone="America/New_York",
        params=params or {},
    )


@pytest.fixture
async def ctx(
    db: sa.Engine, ghl_sim: GhlSimulator, tt_sim: TrackingTimeSimulator
) -> AsyncIterator[BridgeContext]:
    context = make_context(db, ghl_sim, tt_sim)
    for name in TT_CUSTOMER_FIELDS:
        await context.tt.custom_fields.add(name, "text", "customer")
    tt_sim.clear_requests()
    ghl_sim.clear_requests()
    try:
        yield context
    finally:
        await context.aclose()


def event(source: str, kind: str, object_id: Any, **payload: Any) -> Event:
    obj = kind.split(".")[0]
    return Event(
        bridge=BRIDGE,
        source=source,  # type: ignore[arg-type]
        kind=kind,
        object_type=obj,
        object_id=str(object_id),
        dedup_key=f"{source}:{kind}:{object_id}:{len(payload)}",
        payload=payload,
    )
