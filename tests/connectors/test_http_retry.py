from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx2
import pytest

from ghltt.connectors.http import (
    USER_AGENT,
    NotFound,
    RateLimited,
    Requestor,
    RetryPolicy,
    ServerError,
    TransportError,
    ValidationError,
    build_client,
    parse_retry_after,
)
from tests.connectors.conftest import FakeTime

pytestmark = pytest.mark.anyio


def _requestor(handler: httpx2.MockTransport, fake: FakeTime, **kw: object) -> Requestor:
    client = build_client("https://api.example", transport=handler)
    return Requestor(client, sleep=fake.sleep, **kw)  # type: ignore[arg-type]


async def test_retry_after_is_honoured_on_429(fake_time: FakeTime) -> None:
    calls: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx2.Response(429, headers={"Retry-After": "7"}, json={"message": "slow"})
        return httpx2.Response(200, json={"ok": True})

    req = _requestor(httpx2.MockTransport(handler), fake_time)
    response = await req.request("POST", "/things", json={"a": 1})
    assert response.json() == {"ok": True}
    assert len(calls) == 2  # a 429 means "not processed": even a POST is retried
    assert fake_time.slept and fake_time.slept[0] >= 7


async def test_post_is_not_retried_on_5xx(fake_time: FakeTime) -> None:
    calls = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        return httpx2.Response(503, json={"message": "down"})

    req = _requestor(httpx2.MockTransport(handler), fake_time)
    with pytest.raises(ServerError):
        await req.request("POST", "/things", json={})
    assert calls == 1


async def test_idempotent_requests_retry_5xx_until_success(fake_time: FakeTime) -> None:
    statuses = iter([502, 503, 200])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(next(statuses), json={})

    req = _requestor(httpx2.MockTransport(handler), fake_time)
    assert (await req.request("PUT", "/x", json={})).status_code == 200
    declared = iter([500, 200])
    req2 = _requestor(
        httpx2.MockTransport(lambda r: httpx2.Response(next(declared), json={})), fake_time
    )
    assert (await req2.request("POST", "/upsert", json={}, idempotent=True)).status_code == 200


async def test_attempts_are_bounded(fake_time: FakeTime) -> None:
    calls = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        return httpx2.Response(500)

    policy = RetryPolicy(max_attempts=3)
    req = _requestor(httpx2.MockTransport(handler), fake_time, policy=policy)
    with pytest.raises(ServerError):
        await req.request("GET", "/x")
    assert calls == 3


async def test_connect_errors_are_retried_even_for_post(fake_time: FakeTime) -> None:
    calls = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx2.ConnectError("refused", request=request)
        if calls == 2:
            raise httpx2.ReadTimeout("slow", request=request)
        return httpx2.Response(201, json={})

    req = _requestor(httpx2.MockTransport(handler), fake_time)
    with pytest.raises(TransportError) as info:
        await req.request("POST", "/things", json={})
    assert calls == 2 and info.value.timeout and info.value.sent  # sent, then lost: not retried


async def test_error_classes_and_messages(fake_time: FakeTime) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/missing":
            return httpx2.Response(404, json={"message": "nope"})
        return httpx2.Response(422, json={"message": ["a must be set", "b is bad"]})

    req = _requestor(httpx2.MockTransport(handler), fake_time)
    with pytest.raises(NotFound):
        await req.request("GET", "/missing")
    with pytest.raises(ValidationError) as info:
        await req.request("POST", "/v?token=abc123", json={})
    assert info.value.messages == ("a must be set", "b is bad")
    assert "abc123" not in str(info.value)


async def test_user_agent_names_ghltt(fake_time: FakeTime) -> None:
    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers["User-Agent"])
        return httpx2.Response(200)

    await _requestor(httpx2.MockTransport(handler), fake_time).request("GET", "/")
    assert seen == [USER_AGENT] and USER_AGENT.startswith("ghltt/")


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:10 GMT", now=now) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_rate_limited_penalizes_the_budget(fake_time: FakeTime) -> None:
    from ghltt.connectors.http import RateBudget

    budget = RateBudget(10, 1.0, clock=fake_time, sleep=fake_time.sleep)

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(429, headers={"Retry-After": "5"})

    req = _requestor(
        httpx2.MockTransport(handler), fake_time, budget=budget, policy=RetryPolicy(max_attempts=2)
    )
    start = fake_time.now
    with pytest.raises(RateLimited):
        await req.request("GET", "/")
    assert fake_time.now - start >= 5


async def test_a_reader_maps_failures_in_the_body_into_the_one_loop(fake_time: FakeTime) -> None:
    """An API that answers errors inside a 200 body maps them in ``read``; the requestor's loop
    retries them (and the budget pays) like failures on the status line."""
    from ghltt.connectors.http import RateBudget

    budget = RateBudget(10, 60.0, clock=fake_time, sleep=fake_time.sleep)
    answers = iter([{"failed": 429}, {"failed": 503}, {"value": 7}])

    def read(response: httpx2.Response) -> int:
        body = response.json()
        if body.get("failed") == 429:
            raise RateLimited("in the body", retry_after=4, status=response.status_code)
        if "failed" in body:
            raise ServerError("in the body", status=response.status_code)
        return int(body["value"])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=next(answers))

    req = _requestor(httpx2.MockTransport(handler), fake_time, budget=budget)
    assert await req.call("GET", "/x", read) == 7
    assert len(fake_time.slept) >= 2 and fake_time.slept[0] >= 4 and budget.used() == 3
    answers = iter([{"failed": 503}, {"value": 1}])
    with pytest.raises(ServerError):  # a write may have been applied: not retried
        await req.call("POST", "/x", read)


async def test_bulk_sends_keep_to_their_share_and_yield_to_everyone_else(
    fake_time: FakeTime,
) -> None:
    """An import's sends (inside ``bulk_sends``) fill 7 of 10 slots while real-time uses less
    than the other 3; when others use more (other apps, said by the headers), it yields."""
    from ghltt.connectors.http import RateBudget, bulk_sends

    budget = RateBudget(10, 1.0, margin=0.0, clock=fake_time, sleep=fake_time.sleep)
    assert budget.room_for_bulk(0.7) == 0.0
    await budget.acquire()  # a real-time send
    fake_time.now += 0.05
    with bulk_sends(0.7):
        for _ in range(7):
            assert budget.room_for_bulk(0.7) == 0.0  # real-time's one is inside its reserve
            await budget.acquire()
            fake_time.now += 0.1
    # Seven bulk sends: the share is full until the oldest of them expires (at 1.05).
    assert budget.room_for_bulk(0.7) == pytest.approx(1.05 - 0.75)
    fake_time.now += 0.3
    assert budget.room_for_bulk(0.7) == 0.0
    # Six bulk sends in the window, and the server says none remain: another app used 4.
    # Others keep those 4 plus a free slot, so the import waits for its oldest to expire.
    assert budget.used() == 6
    budget.observe(remaining=0)
    assert budget.room_for_bulk(0.7) == pytest.approx(1.15 - 1.05)
    fake_time.now += 1.0
    assert budget.room_for_bulk(0.7) == 0.0


async def test_a_bulk_send_waits_for_its_share_without_holding_real_time_back(
    fake_time: FakeTime,
) -> None:
    """Past its share, an import's send waits until its oldest slot expires; a real-time
    send asked meanwhile goes at once, not behind it."""
    from ghltt.connectors.http import RateBudget, bulk_sends

    released = asyncio.Event()

    async def sleep(seconds: float) -> None:  # time passes when the test says so
        await released.wait()
        fake_time.now += seconds

    budget = RateBudget(10, 1.0, margin=0.0, clock=fake_time, sleep=sleep)
    with bulk_sends(0.7):
        for _ in range(7):
            await budget.acquire()
        waiting = asyncio.create_task(budget.acquire())
        await asyncio.sleep(0)
    real_time = await budget.acquire()
    assert not real_time.bulk and fake_time.now == 1000.0
    assert not waiting.done()
    released.set()
    slot = await waiting
    assert slot.bulk and fake_time.now >= 1001.0
