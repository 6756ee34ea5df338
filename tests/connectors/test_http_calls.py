"""Inside a run step, every send of a request is noted for the run's timeline: status or
error, timing and attempt, bodies cut, and no credential anywhere in the note."""

from __future__ import annotations

import base64

import httpx2
import orjson
import pytest

from ghltt.connectors.http import ConnectorError, Requestor, build_client
from ghltt.connectors.http._calls import BODY_LIMIT
from ghltt.observability import RemoteCalls, collecting_remote_calls
from tests.connectors.conftest import FakeTime

pytestmark = pytest.mark.anyio

PASSWORD = "app-password-s3cret"
BASIC = "Basic " + base64.b64encode(f"ada@example.com:{PASSWORD}".encode()).decode()


class Basic:
    async def authorization(self) -> str:
        return BASIC

    async def refresh_after_unauthorized(self, rejected: str) -> bool:
        return False


def _requestor(handler: httpx2.MockTransport, fake: FakeTime) -> Requestor:
    client = build_client("https://api.example", transport=handler)
    return Requestor(client, auth=Basic(), sleep=fake.sleep)


async def test_each_attempt_is_noted_redacted_with_its_status(fake_time: FakeTime) -> None:
    sent: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        if len(sent) == 1:
            return httpx2.Response(503, json={"message": "busy"})
        body = {"id": 7, "access_token": "tok-abcdef123456", "echo": f"you said {PASSWORD}"}
        return httpx2.Response(200, json=body)

    with collecting_remote_calls() as calls:
        await _requestor(httpx2.MockTransport(handler), fake_time).request(
            "PUT",
            "/things/7",
            params={"api_key": "key-987654321", "page": "2"},
            json={"name": "Ada", "password": "hunter2hunter2"},
        )
    first, second = calls.records
    assert (first["status"], first["attempt"], second["status"], second["attempt"]) == (
        503,
        1,
        200,
        2,
    )
    assert second["method"] == "PUT" and second["host"] == "api.example"
    assert second["path"].startswith("/things/7?") and "page=2" in second["path"]
    assert second["ms"] >= 0 and first["response_body"] == '{"message":"busy"}'
    assert orjson.loads(second["request_body"])["name"] == "Ada"
    noted = orjson.dumps(calls.stored()).decode()
    for secret in (PASSWORD, "hunter2hunter2", "key-987654321", "tok-abcdef123456", BASIC[6:]):
        assert secret not in noted
    assert "Authorization" not in noted


async def test_transport_errors_are_noted_and_bodies_cut(fake_time: FakeTime) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/down":
            raise httpx2.ConnectError("refused")
        return httpx2.Response(200, text="x" * (BODY_LIMIT * 3))

    requestor = _requestor(httpx2.MockTransport(handler), fake_time)
    with collecting_remote_calls(RemoteCalls(limit=3)) as calls:
        await requestor.request("GET", "/big")
        with pytest.raises(ConnectorError):
            await requestor.request("GET", "/down")
    big, *down = calls.records
    assert len(big["response_body"]) == BODY_LIMIT + 1  # cut, and marked so
    assert down[0]["status"] is None and "ConnectError" in down[0]["error"]
    assert calls.omitted > 0 and calls.stored()[-1] == {"omitted": calls.omitted}


async def test_nothing_is_noted_outside_a_step(fake_time: FakeTime) -> None:
    handler = httpx2.MockTransport(lambda request: httpx2.Response(200, json={}))
    calls = RemoteCalls()
    await _requestor(handler, fake_time).request("GET", "/x")
    assert calls.records == []


async def test_token_shaped_text_and_form_secrets_are_masked(fake_time: FakeTime) -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"note": f"signed with {jwt}", "n": 1})

    with collecting_remote_calls() as calls:
        await _requestor(httpx2.MockTransport(handler), fake_time).request(
            "POST",
            "/oauth/token",
            data={"client_secret": "cs-0123456789", "grant_type": "refresh_token"},
        )
    [noted] = calls.records
    assert jwt not in noted["response_body"] and '"n":1' in noted["response_body"]
    assert "cs-0123456789" not in noted["request_body"]
    assert "grant_type=refresh_token" in noted["request_body"]
