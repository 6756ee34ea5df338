from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
from hypothesis import given, settings
from hypothesis import strategies as st

from ghltt.connectors.ghl import GhlClient, StaticTokenAuth
from ghltt.connectors.http import RateBudget


def _client(handler: Any) -> GhlClient:
    return GhlClient(
        auth=StaticTokenAuth("pit-x"),
        location_id="loc1",
        base_url="https://ghl",
        transport=httpx2.MockTransport(handler),
        budget=RateBudget(1_000_000, 1.0),  # the default 100 / 10 s would really wait here
    )


def _contacts(n: int) -> list[dict[str, Any]]:
    return [
        {"id": f"c{i:04d}", "dateAdded": f"2026-01-01T00:00:{i % 60:02d}.000Z"} for i in range(n)
    ]


async def _collect(aiter: Any) -> list[str]:
    return [c.id async for c in aiter]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 120), page=st.integers(1, 25), overlap=st.integers(0, 3))
def test_search_after_yields_each_record_once(n: int, page: int, overlap: int) -> None:
    rows = _contacts(n)
    calls = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        body = json.loads(request.content)
        assert body["locationId"] == "loc1" and "page" not in body
        start = 0
        if "searchAfter" in body:
            # A server that repeats a few rows of the previous page (but always progresses).
            start = int(body["searchAfter"][1][1:]) + 1 - min(overlap, page - 1)
        chunk = [dict(r, searchAfter=[i, r["id"]]) for i, r in enumerate(rows)][max(0, start) :]
        chunk = chunk[: body["pageLimit"]]
        return httpx2.Response(200, json={"contacts": chunk, "total": n})

    ids = asyncio.run(_collect(_client(handler).contacts.search(page_limit=page)))
    assert ids == [r["id"] for r in rows]
    assert calls <= n + 2


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 120), page=st.integers(1, 25), lie_total=st.booleans())
def test_deprecated_list_yields_each_record_once_and_ends(
    n: int, page: int, lie_total: bool
) -> None:
    rows = _contacts(n)

    def handler(request: httpx2.Request) -> httpx2.Response:
        params = request.url.params
        limit = int(params["limit"])
        start = 0
        if "startAfterId" in params:
            start = int(params["startAfterId"][1:]) + 1
        chunk = rows[start : start + limit]
        meta: dict[str, Any] = {"total": n + 50 if lie_total else n}
        if chunk:
            last = chunk[-1]
            meta.update(startAfterId=last["id"], startAfter=int(last["id"][1:]) * 1000)
        return httpx2.Response(200, json={"contacts": chunk, "meta": meta})

    ids = asyncio.run(_collect(_client(handler).contacts.list_all(limit=page)))
    assert ids == [r["id"] for r in rows]


def test_a_server_that_repeats_its_cursor_does_not_loop_forever() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        meta = {"total": 10_000, "startAfterId": "c0000", "startAfter": 1}
        return httpx2.Response(200, json={"contacts": _contacts(3), "meta": meta})

    ids = asyncio.run(_collect(_client(handler).contacts.list_all(limit=3)))
    assert ids == ["c0000", "c0001", "c0002"]
