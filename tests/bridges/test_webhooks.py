"""A bridge's TT webhook covers closing and reopening: what TT sends for them reaches the intake
as the event kinds the templates listen to (tasks: ``tt.task.*``, milestones:
``tt.project.closed``), and an older, narrower subscription is replaced."""

from __future__ import annotations

import httpx2
import pytest

from ghltt.bridges import TT_WEBHOOK_EVENTS, BridgeService
from ghltt.connectors.trackingtime import WebhookVerifier, parse_delivery
from ghltt.engine.catalog import action_catalog
from ghltt.engine.recipes.templates import load_template
from ghltt.sandbox.ghl import GhlSimulator
from ghltt.sandbox.trackingtime import TrackingTimeSimulator
from ghltt.vault import ConnectionService
from tests.bridges.test_service import make_bridge, remote_hooks

pytestmark = pytest.mark.anyio

CLOSE_OPEN = {"task.closed", "task.opened", "project.closed", "project.opened"}
# What a bridge subscribed to before close/open were added.
OLDER = [e for e in TT_WEBHOOK_EVENTS if e not in CLOSE_OPEN]


@pytest.fixture
def delivered() -> list[httpx2.Request]:
    return []


@pytest.fixture
def tt_sim(delivered: list[httpx2.Request]) -> TrackingTimeSimulator:
    """The simulator, its deliveries kept here instead of sent."""

    def receive(request: httpx2.Request) -> httpx2.Response:
        delivered.append(request)
        return httpx2.Response(200)

    return TrackingTimeSimulator(webhook_transport=httpx2.MockTransport(receive))


async def test_closing_and_reopening_arrive_as_the_kinds_templates_take(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
    delivered: list[httpx2.Request],
) -> None:
    bridge_id, _ghl, tt_id = await make_bridge(connections, bridges, ghl_sim, tt_sim)
    url = bridges.webhooks.url(bridge_id)
    async with bridges.clients.tt(tt_id) as tt:
        [hook] = [h for h in await tt.webhooks.list() if h.url == url]
        assert set(hook.events or ()) >= CLOSE_OPEN
        project = await tt.projects.add("Milestone project")
        task = await tt.tasks.add("Closing task", project_id=project.id)
        await tt.tasks.close(task.id)
        await tt.tasks.open(task.id)
        await tt.projects.close(project.id)
        await tt.projects.open(project.id)
    await tt_sim.drain_webhooks()

    verifier = WebhookVerifier(bridges.webhooks.tokens(bridge_id))
    seen: set[tuple[str, str | None]] = set()
    for request in delivered:
        assert str(request.url) == url
        verifier.verify(request.content, request.headers)  # what /hooks/tt/{bridge} checks
        seen |= {(e.kind, e.object_id) for e in parse_delivery(request.content, bridge=bridge_id)}
    assert {
        ("task.closed", str(task.id)),
        ("task.opened", str(task.id)),
        ("project.closed", str(project.id)),
        ("project.opened", str(project.id)),
    } <= seen

    catalog = action_catalog()
    tasks, milestones = load_template("tasks", catalog), load_template("milestones", catalog)
    assert tasks.matches("tt", "task.closed") and tasks.matches("tt", "task.opened")
    assert milestones.matches("tt", "project.closed")


async def test_an_older_narrower_subscription_is_replaced(
    connections: ConnectionService,
    bridges: BridgeService,
    ghl_sim: GhlSimulator,
    tt_sim: TrackingTimeSimulator,
) -> None:
    bridge_id, _ghl, tt_id = await make_bridge(connections, bridges, ghl_sim, tt_sim)
    url = bridges.webhooks.url(bridge_id)
    # As an older ghltt left it: subscribed to fewer events, its token saved.
    async with bridges.clients.tt(tt_id) as tt:
        for hook_id in await remote_hooks(bridges.clients, tt_id, url):
            await tt.webhooks.delete(hook_id)
            bridges.webhooks.forget(bridge_id, str(hook_id))
        older = await tt.webhooks.add(url, OLDER)
    assert older.secret
    bridges.webhooks.save(bridge_id, str(older.id), url, older.secret)

    await bridges.webhooks.register(bridge_id)
    [kept] = await remote_hooks(bridges.clients, tt_id, url)
    assert kept != older.id
    async with bridges.clients.tt(tt_id) as tt:
        [hook] = [h for h in await tt.webhooks.list() if h.id == kept]
    assert set(TT_WEBHOOK_EVENTS) <= set(hook.events or ())
    tokens = bridges.webhooks.tokens(bridge_id)
    assert len(tokens) == 1 and tokens != [older.secret]

    await bridges.webhooks.register(bridge_id)  # again: nothing to change
    assert await remote_hooks(bridges.clients, tt_id, url) == [kept]
    assert bridges.webhooks.tokens(bridge_id) == tokens
