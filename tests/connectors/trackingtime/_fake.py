"""A scripted TrackingTime for unit tests: answers from a queue, records every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import orjson

from ghltt.connectors.trackingtime import AppPassword, TrackingTimeClient

Answer = httpx2.Response | Callable[[httpx2.Request], httpx2.Response] | Exception


def envelope(data: Any = None, *, status: int = 200, message: str = "ok") -> dict[str, Any]:
    return {
        "response": {
            "status": status,
            "version": "4.0",
            "message": message,
            "note": None,
            "note_type": None,
        },
        "data": {} if data is None else data,
    }


def reply(
    data: Any = None,
    *,
    status: int = 200,
    message: str = "ok",
    http_status: int = 200,
    headers: dict[str, str] | None = None,
) -> httpx2.Response:
    body = orjson.dumps(envelope(data, status=status, message=message))
    return httpx2.Response(
        http_status,
        content=body,
        headers={"content-type": "application/json", **(headers or {})},
    )


class FakeTT:
    """Answers requests in order; the last answer repeats once the queue runs dry."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx2.Request] = []
        self.sleeps: list[float] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx2.Response):
            return answer
        return answer(request)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def client(self, **kwargs: Any) -> TrackingTimeClient:
        kwargs.setdefault("account_id", 1725)
        return TrackingTimeClient(
            kwargs.pop("credentials", AppPassword("app-pw-secret-123")),
            base_url="https://tt.test/api/v4",
            transport=httpx2.MockTransport(self.handler),
            sleep=self.sleep,
            **kwargs,
        )

    @property
    def last(self) -> httpx2.Request:
        return self.requests[-1]
