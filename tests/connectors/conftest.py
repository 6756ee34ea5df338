"""Fixtures shared by connector tests: an asyncio anyio backend and a controllable clock."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeTime:
    """A monotonic clock and a sleep that advances it instead of waiting."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()
