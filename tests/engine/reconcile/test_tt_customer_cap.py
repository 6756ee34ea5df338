"""TT's customer list stops at 1,000: linked customers past the cap are read by id, within the
scan's budget, and a truncated list reports nothing about the customers it lacks."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx2
import pytest
import sqlalchemy as sa

from ghltt.connectors.trackingtime import CUSTOMER_LIST_CAP, AppPassword, TrackingTimeClient
from ghltt.core import EventOrigin, FixedClock
from ghltt.engine.reconcile import ReconcileReport, ReconcileSettings, reconcile
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.sandbox.trackingtime.state import Customer
from ghltt.store.cursors import CursorRepository
from ghltt.store.links import Link, LinkRepository
from ghltt.store.tables import inbox_events
from tests.engine.reconcile.conftest import ZONE

pytestmark = pytest.mark.anyio

Sims = tuple[GhlSimulator, TrackingTimeSimulator]

TOTAL = 1050
BUDGET = 20
# 50 customers past the cap, 20 reads a poll: every one is read within 3 polls.
ROUND = -(-(TOTAL - CUSTOMER_LIST_CAP) // BUDGET)
SETTINGS = ReconcileSettings(streams=("tt.customers",), tt_id_scan_calls=BUDGET)


def _fill(sim: TrackingTimeSimulator, total: int) -> list[int]:
    """The account's customers, topped up to ``total`` in the simulator's state (1,000 adds
    through the API would only be slower); their ids in creation order, the list's order."""
    state, account = sim.state, sim.account_id
    with sim.lock:
        mine = [c.id for c in state.customers.values() if c.account_id == account]
        while len(mine) < total:
            ident = state.next_id("customer")
            state.customers[ident] = Customer(
                id=ident, account_id=account, name=f"Bulk {ident}", created_at=sim.now()
            )
            mine.append(ident)
    return mine


def _link_all(db: sa.Engine, ids: list[int]) -> LinkRepository:
    links = LinkRepository(db)
    for ident in ids:
        links.save(Link("b1", "contact", f"contact-{ident}", "customer", str(ident)))
    return links


class Poller:
    def __init__(
        self,
        tt: TrackingTimeClient,
        sim: TrackingTimeSimulator,
        cursors: CursorRepository,
        db: sa.Engine,
        clock: FixedClock,
        links: LinkRepository,
    ) -> None:
        self.tt, self.sim, self.cursors, self.db, self.clock = tt, sim, cursors, db, clock
        self.links = links
        self.reads = 0  # customers read by id, in all polls

    async def poll(self) -> ReconcileReport:
        self.clock.advance(timedelta(minutes=10))
        self.sim.clear_requests()
        report = await reconcile(
            "b1", None, self.tt, self.cursors, settings=SETTINGS, links=self.links
        )
        assert report.errors == {}
        paths = [e.endpoint or "" for e in self.sim.requests.entries()]
        reads = sum(1 for path in paths if re.fullmatch(r"customers/\d+", path))
        assert reads <= BUDGET  # the scan's budget, whatever the number of links
        self.reads += reads
        report.commit(self.db)
        return report

    def inbox(self) -> set[tuple[str, str, str]]:
        c = inbox_events.c
        with self.db.connect() as conn:
            return set(conn.execute(sa.select(c.kind, c.object_id, c.dedup_key)).tuples())

    async def polls(self, count: int) -> list[tuple[str, str]]:
        """What ``count`` polls added to the inbox (a repeated key is a duplicate, not news)."""
        before = self.inbox()
        for _ in range(count):
            await self.poll()
        return sorted((kind, ident) for kind, ident, _ in self.inbox() - before)

    async def settle(self) -> None:
        """The first poll and a whole round: every customer has a version in the cursor."""
        await self.polls(1 + ROUND)
        assert await self.polls(ROUND) == []


@pytest.fixture
def poller(
    sims: Sims, tt: TrackingTimeClient, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> Poller:
    ids = _fill(sims[1], TOTAL)
    return Poller(tt, sims[1], cursors, db, clock, _link_all(db, ids))


def _ids(sim: TrackingTimeSimulator) -> list[int]:
    return [c.id for c in sim.state.customers.values() if c.account_id == sim.account_id]


async def test_an_edit_past_the_cap_is_an_event_within_a_round(
    poller: Poller, tt: TrackingTimeClient
) -> None:
    listed = await tt.customers.list(filter="ALL")
    assert len(listed) == CUSTOMER_LIST_CAP  # the simulator's cap, as TT's
    await poller.settle()
    beyond = _ids(poller.sim)[CUSTOMER_LIST_CAP + 37]
    assert beyond not in {c.id for c in listed}
    await tt.customers.update(beyond, name="Renamed past the cap", notes="edited in TT")

    reads = poller.reads
    found = await poller.polls(ROUND)
    assert found == [("customer.updated", str(beyond))]
    assert poller.reads - reads == TOTAL - CUSTOMER_LIST_CAP  # a round reads each one once
    # What the event carries is the snapshot's shape: the record under data, read by id.
    c = inbox_events.c
    query = sa.select(c.kind, c.origin, c.payload).where(c.object_id == str(beyond))
    with poller.db.connect() as conn:
        rows = list(conn.execute(query).tuples())
    # Two events: its first read (no list had shown it since it was linked), then the edit.
    assert [(kind, origin) for kind, origin, _ in rows] == 2 * [
        ("customer.updated", EventOrigin.POLL.value)
    ]
    data = [payload["data"] for _, _, payload in rows]
    assert [(d["name"], d["notes"]) for d in data if d["notes"]] == [
        ("Renamed past the cap", "edited in TT")
    ]
    # Seen once: the next round is quiet.
    assert await poller.polls(ROUND) == []


async def test_a_linked_customer_gone_past_the_cap_is_a_delete(
    poller: Poller, tt: TrackingTimeClient
) -> None:
    await poller.settle()
    ids = _ids(poller.sim)
    beyond, inside = ids[CUSTOMER_LIST_CAP + 5], ids[10]
    await tt.customers.delete(beyond)
    # One of the list's own goes too: the list, still at the cap, now shows the first customer
    # past it instead, and is silent about the one it lost (the scan reads it by id).
    await tt.customers.delete(inside)
    assert len(await tt.customers.list(filter="ALL")) == CUSTOMER_LIST_CAP

    found = await poller.polls(ROUND)
    assert found == sorted([("customer.deleted", str(beyond)), ("customer.deleted", str(inside))])
    assert await poller.polls(ROUND) == []


async def test_a_truncated_list_reports_nothing_about_customers_past_the_cap(
    sims: Sims,
    tt: TrackingTimeClient,
    cursors: CursorRepository,
    db: sa.Engine,
    clock: FixedClock,
) -> None:
    sim = sims[1]
    before = _fill(sim, 990)
    links = _link_all(db, before)
    poller = Poller(tt, sim, cursors, db, clock, links)
    assert await poller.polls(2) == []  # a complete list: a baseline, then quiet
    # 60 more: 10 enter the (now capped) list, 50 are past the cap and not linked.
    added = _fill(sim, TOTAL)[990:]
    first = await poller.polls(1)
    assert first == sorted(("customer.created", str(i)) for i in added[:10])
    assert await poller.polls(ROUND) == []
    # Deletes stay silent too: none of the 50 is linked, and the list cannot tell them apart.
    for ident in added[10:20]:
        await tt.customers.delete(ident)
    assert await poller.polls(ROUND) == []


async def _no_wait(_seconds: float) -> None:
    return None


async def test_a_read_that_keeps_failing_stops_the_scan_for_one_poll_only(
    sims: Sims, cursors: CursorRepository, db: sa.Engine, clock: FixedClock
) -> None:
    sim = sims[1]
    async with TrackingTimeClient(
        AppPassword(sim.seeded[0].app_password),
        account_id=sim.account_id,
        transport=httpx2.ASGITransport(app=sim.app),
        account_timezone=ZONE,
        clock=clock,
        sleep=_no_wait,  # the retries of a 5xx, without their backoff
    ) as tt:
        poller = Poller(tt, sim, cursors, db, clock, _link_all(db, _fill(sim, TOTAL)))
        await poller.settle()
        past = _ids(sim)[CUSTOMER_LIST_CAP:]
        # Settled, the scan stands after past[19]: the next poll reads past[20:40].
        broken, edited = past[25], past[30]
        await tt.customers.update(edited, name="Edited after the broken one")
        sim.set_faults(http_5xx_rate=1.0, path_contains=f"/customers/{broken}")
        # The poll stops at the broken customer, without failing the stream, and the next one
        # goes on past it: the edit is seen one poll later, the broken one a round later.
        assert await poller.polls(1) == []
        assert await poller.polls(1) == [("customer.updated", str(edited))]
        sim.clear_faults()
        assert await poller.polls(ROUND) == []
