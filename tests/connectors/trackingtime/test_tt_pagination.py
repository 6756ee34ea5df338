"""Paging yields every record exactly once and always ends, whatever the server does with pages."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ghltt.connectors.trackingtime import paginate

from ._fake import FakeTT, reply

records = st.lists(st.integers(0, 10_000), unique=True, max_size=300)
sizes = st.integers(1, 60)


def collect(fetch, page_size: int) -> list[int]:  # type: ignore[no-untyped-def]
    async def run() -> list[int]:
        return [r async for r in paginate(fetch, page_size=page_size, key=lambda r: r)]

    return asyncio.run(run())


@settings(max_examples=150, deadline=None)
@given(data=records, page_size=sizes)
def test_honest_server_every_record_once(data: list[int], page_size: int) -> None:
    calls: list[int] = []

    async def fetch(page: int, size: int) -> Sequence[int]:
        calls.append(page)
        return data[page * size : (page + 1) * size]

    assert collect(fetch, page_size) == data
    assert len(calls) == len(data) // page_size + 1


@settings(max_examples=100, deadline=None)
@given(data=records, page_size=sizes)
def test_server_ignoring_pages_still_ends(data: list[int], page_size: int) -> None:
    async def fetch(page: int, size: int) -> Sequence[int]:
        return data  # /projects and /customers: the whole list every time

    assert collect(fetch, page_size) == data


@settings(max_examples=100, deadline=None)
@given(data=records, page_size=sizes, shift=st.integers(0, 5))
def test_overlapping_pages_never_repeat(data: list[int], page_size: int, shift: int) -> None:
    # A record inserted before the cursor pushes earlier ones onto the next page.
    async def fetch(page: int, size: int) -> Sequence[int]:
        start = max(0, page * size - shift)
        return data[start : start + size]

    got = collect(fetch, page_size)
    assert len(got) == len(set(got)) and set(got) <= set(data)
    if shift < page_size:
        assert got == data


def test_page_size_must_be_positive() -> None:
    async def fetch(page: int, size: int) -> Sequence[int]:
        return []

    with pytest.raises(ValueError):
        collect(fetch, 0)


@pytest.mark.anyio
async def test_events_iterate_pages_until_short_page() -> None:
    page0 = [{"id": i, "s": "2026-01-01 10:00:00", "tz": "GMT+00:00"} for i in range(3)]
    fake = FakeTT(reply(page0), reply([{"id": 3}]))
    async with fake.client() as tt:
        ids = [e.id async for e in tt.events.iterate(page_size=3, from_=None)]
    assert ids == [0, 1, 2, 3]
    assert [r.url.params["page"] for r in fake.requests] == ["0", "1"]
    assert fake.requests[0].url.params["page_size"] == "3"
    assert fake.requests[0].url.params["filter"] == "COMPANY"
