"""Envelope unwrapping, error mapping, retries, auth headers and secrecy, with a mock transport."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx2
import orjson
import pytest

from ghltt.connectors.http import (
    AuthError,
    ConnectorError,
    NotFound,
    PermissionDenied,
    RateBudget,
    RateLimited,
    RetryPolicy,
    ServerError,
    TransportError,
    ValidationError,
)
from ghltt.connectors.trackingtime import (
    AccountSuspended,
    AppPassword,
    BearerToken,
    EmailPassword,
    NonJSONResponse,
    TimerAlreadyRunning,
    TrackingTimeError,
    TTNotFound,
    TTReadFailed,
    TTValidationError,
)
from ghltt.core import NotFound as CoreNotFound

from ._fake import FakeTT, reply

pytestmark = pytest.mark.anyio

SECRET = "app-pw-secret-123"


async def test_success_unwraps_data_and_scopes_the_path() -> None:
    fake = FakeTT(reply([{"id": 1, "name": "Acme"}]))
    async with fake.client() as tt:
        customers = await tt.customers.list(filter="ALL")
    assert [c.name for c in customers] == ["Acme"]
    assert fake.last.url.path == "/api/v4/1725/customers"
    assert fake.last.url.params["filter"] == "ALL"


async def test_me_and_teams_are_never_account_scoped() -> None:
    fake = FakeTT(reply({"id": 5, "first_name": "Ann", "last_name": "Lee", "teams": []}))
    async with fake.client() as tt:
        me = await tt.me()
        assert fake.last.url.path == "/api/v4/me"
        fake.answers = [reply([{"account_id": 1725, "company": "Co"}])]
        teams = await tt.teams()
    assert (me.name, me.surname) == ("Ann", "Lee")
    assert teams[0].account_id == 1725
    assert fake.last.url.path == "/api/v4/teams"


async def test_without_account_id_paths_are_unscoped() -> None:
    fake = FakeTT(reply({"id": 3, "name": "Z"}))
    async with fake.client(account_id=None) as tt:
        await tt.customers.get(3)
    assert fake.last.url.path == "/api/v4/customers/3"


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        (AppPassword(SECRET), "Basic " + base64.b64encode(f"API_TOKEN:{SECRET}".encode()).decode()),
        (
            EmailPassword("a@b.co", SECRET),
            "Basic " + base64.b64encode(f"a@b.co:{SECRET}".encode()).decode(),
        ),
        (BearerToken(SECRET), f"Bearer {SECRET}"),
    ],
)
async def test_auth_header_and_user_agent(credentials: object, expected: str) -> None:
    fake = FakeTT(reply({"id": 1}))
    async with fake.client(credentials=credentials, contact="ops@example.com") as tt:
        await tt.me()
        assert SECRET not in repr(tt) and SECRET not in repr(credentials)
    assert fake.last.headers["Authorization"] == expected
    agent = fake.last.headers["User-Agent"]
    assert agent.startswith("ghltt/") and "ops@example.com" in agent


async def test_writes_send_a_json_body() -> None:
    fake = FakeTT(reply({"id": 9, "name": "T"}))
    async with fake.client() as tt:
        await tt.tasks.add("T", project_id=4, assignees=[7, 8], third_party_id="ghl-1")
    request = fake.last
    assert request.method == "POST" and request.url.path == "/api/v4/1725/tasks/add"
    body = orjson.loads(request.content)
    assert body["users"] == [{"id": 7}, {"id": 8}]
    assert {"slug": "TASK_THIRD_PARTY_ID", "value": "ghl-1"} in body["custom_fields"]
    assert "project_name" not in body  # None values are not sent


async def test_form_and_query_body_styles_json_encode_structures() -> None:
    fake = FakeTT(reply({"id": 9, "name": "T"}))
    async with fake.client(body_style="form") as tt:
        await tt.tasks.update(9, users=[{"id": 1}], is_billable=True)
    form = dict(httpx2.QueryParams(fake.last.content.decode()))
    assert form == {"users": '[{"id":1}]', "is_billable": "true"}
    async with fake.client(body_style="query") as tt:
        await tt.tasks.update(9, users=[{"id": 1}])
    assert fake.last.url.params["users"] == '[{"id":1}]'


@pytest.mark.parametrize(
    ("status", "kinds"),
    [
        (401, (AuthError,)),
        (402, (AccountSuspended, PermissionDenied)),
        (403, (PermissionDenied,)),
        (404, (TTNotFound, NotFound, CoreNotFound)),
        (500, (TTValidationError, ValidationError)),
    ],
)
async def test_in_band_statuses_map_to_the_hierarchy(
    status: int, kinds: tuple[type[Exception], ...]
) -> None:
    fake = FakeTT(reply(status=status, message="There is already another customer"))
    async with fake.client() as tt:
        with pytest.raises(TrackingTimeError) as caught:
            await tt.customers.add("Acme")
    error = caught.value
    assert all(isinstance(error, kind) for kind in kinds)
    assert error.api_status == status and error.http_status == 200 and error.in_band
    assert error.message == "There is already another customer"
    assert len(fake.requests) == 1  # a write is never retried on an in-band error


async def test_http_401_is_an_auth_error_without_the_secret() -> None:
    fake = FakeTT(reply(status=401, message=f"bad {SECRET}", http_status=401))
    async with fake.client() as tt:
        with pytest.raises(AuthError) as caught:
            await tt.me()
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    assert caught.value.status == 401


async def test_timer_running_on_track_only() -> None:
    fake = FakeTT(reply(status=502, message="This task is already being tracked"))
    async with fake.client() as tt:
        with pytest.raises(TimerAlreadyRunning):
            await tt.tasks.track(1, at=datetime(2026, 3, 1, 9, tzinfo=UTC))
        assert len(fake.requests) == 1
        fake.answers = [reply(status=502, message="Timer", http_status=502)]
        with pytest.raises(TimerAlreadyRunning):
            await tt.tasks.track(1, at=datetime(2026, 3, 1, 9, tzinfo=UTC))


async def test_in_band_server_errors_are_retried_on_reads() -> None:
    fake = FakeTT(reply(status=500, message="hiccup"), reply([{"id": 1, "name": "P"}]))
    async with fake.client() as tt:
        projects = await tt.projects.list()
    assert [p.id for p in projects] == [1] and len(fake.requests) == 2
    assert len(fake.sleeps) == 1


async def test_one_loop_bounds_in_band_and_status_line_failures_together() -> None:
    page = httpx2.Response(503, text="<html>busy</html>", headers={"content-type": "text/html"})
    limited = reply(status=429, message="Too many", headers={"Retry-After": "2"})
    fake = FakeTT(page, limited, reply(status=500, message="hiccup"))
    async with fake.client(retry=RetryPolicy(max_attempts=3)) as tt:
        with pytest.raises(TTReadFailed) as caught:
            await tt.projects.list()
    assert len(fake.requests) == 3 and len(fake.sleeps) == 2 and fake.sleeps[1] >= 2
    assert isinstance(caught.value, TTValidationError) and isinstance(caught.value, ServerError)


async def test_in_band_server_errors_are_retried_like_status_line_ones() -> None:
    fake = FakeTT(reply(status=503, message="busy"), reply({"id": 3, "name": "U"}))
    async with fake.client() as tt:
        await tt.users.close(3)  # idempotent: retried, as a 503 status line would be
        assert len(fake.requests) == 2
        fake.answers = [reply(status=503, message="busy")]
        with pytest.raises(ServerError):
            await tt.customers.add("C")  # a write that may have been applied: not retried
    assert len(fake.requests) == 3


async def test_http_429_honours_retry_after() -> None:
    limited = reply(status=429, message="Too many", http_status=429, headers={"Retry-After": "3"})
    fake = FakeTT(limited, reply({"id": 2, "name": "C"}))
    async with fake.client() as tt:
        await tt.customers.get(2)
    assert len(fake.requests) == 2 and fake.sleeps[0] >= 3


async def test_in_band_429_is_rate_limited_and_retried() -> None:
    fake = FakeTT(reply(status=429, message="Too many"), reply({"id": 2, "name": "C"}))
    async with fake.client() as tt:
        await tt.customers.add("C")
    assert len(fake.requests) == 2


async def test_rate_limit_gives_up_as_rate_limited() -> None:
    fake = FakeTT(reply(status=429, message="Too many", http_status=429))
    async with fake.client(retry=RetryPolicy(max_attempts=2)) as tt:
        with pytest.raises(RateLimited):
            await tt.customers.get(2)
    assert len(fake.requests) == 2


async def test_5xx_retried_for_reads_but_not_for_adds() -> None:
    page = httpx2.Response(503, text="<html>busy</html>", headers={"content-type": "text/html"})
    fake = FakeTT(page, reply({"id": 2, "name": "C"}))
    async with fake.client() as tt:
        await tt.customers.get(2)
        assert len(fake.requests) == 2
        fake.answers = [page]
        with pytest.raises(ServerError):
            await tt.customers.add("C")
    assert len(fake.requests) == 3


async def test_timeouts_retried_on_reads() -> None:
    fake = FakeTT(httpx2.ReadTimeout("slow"), reply({"id": 2, "name": "C"}))
    async with fake.client() as tt:
        assert (await tt.customers.get(2)).id == 2
    fake = FakeTT(httpx2.ReadTimeout("slow"))
    async with fake.client(retry=RetryPolicy(max_attempts=2)) as tt:
        with pytest.raises(TransportError) as caught:
            await tt.events.get(1)
    assert caught.value.timeout and len(fake.requests) == 2


async def test_html_answer_is_a_clear_error() -> None:
    page = httpx2.Response(
        200, text="<html>405 Method</html>", headers={"content-type": "text/html"}
    )
    fake = FakeTT(page)
    async with fake.client() as tt:
        with pytest.raises(NonJSONResponse) as caught:
            await tt.users.close(3)
    assert caught.value.http_status == 200 and "text/html" in str(caught.value)
    assert isinstance(caught.value, ConnectorError)


async def test_json_without_envelope_is_a_clear_error() -> None:
    fake = FakeTT(httpx2.Response(200, json={"inputFields": []}))
    async with fake.client() as tt:
        with pytest.raises(NonJSONResponse):
            await tt.me()


async def test_delete_missing_ok() -> None:
    fake = FakeTT(reply(status=404, message="Object not found"))
    async with fake.client() as tt:
        await tt.events.delete(5, missing_ok=True)
        with pytest.raises(TTNotFound):
            await tt.events.delete(5)


async def test_budget_is_used_per_attempt() -> None:
    budget = RateBudget(100, 60.0)
    fake = FakeTT(reply(status=500, message="x"), reply({"id": 1, "name": "C"}))
    async with fake.client(budget=budget) as tt:
        await tt.customers.get(1)
    assert budget.used() == 2


async def test_webhook_list_accepts_both_shapes() -> None:
    nested = httpx2.Response(
        200,
        content=orjson.dumps(
            {"response": {"status": 200}, "webhooks": {"data": [{"id": 1, "url": "https://x"}]}}
        ),
        headers={"content-type": "application/json"},
    )
    fake = FakeTT(nested)
    async with fake.client() as tt:
        hooks = await tt.webhooks.list()
    assert hooks[0].url == "https://x"
