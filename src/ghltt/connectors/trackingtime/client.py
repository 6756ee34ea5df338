"""``TrackingTimeClient``: one TT account, its resources as attributes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import tzinfo
from types import TracebackType
from typing import Any

import httpx2

from ghltt.connectors.http import RateBudget, RetryPolicy
from ghltt.connectors.trackingtime._api import DEFAULT_BASE_URL, Api, BodyStyle, default_user_agent
from ghltt.connectors.trackingtime._custom_fields import CustomFields, EnumOptions
from ghltt.connectors.trackingtime._customers import Customers
from ghltt.connectors.trackingtime._operations import perform
from ghltt.connectors.trackingtime._projects import Projects, TaskLists
from ghltt.connectors.trackingtime._resource import decode
from ghltt.connectors.trackingtime._services import Services
from ghltt.connectors.trackingtime._tasks import Tasks
from ghltt.connectors.trackingtime._time_entries import Events, EventTags
from ghltt.connectors.trackingtime._users import Users
from ghltt.connectors.trackingtime._webhook_subscriptions import Webhooks
from ghltt.connectors.trackingtime.auth import Credentials
from ghltt.connectors.trackingtime.models import Team, User
from ghltt.connectors.trackingtime.timefmt import parse_timezone
from ghltt.core import Clock, SystemClock

__all__ = ["TrackingTimeClient", "default_budget"]


def default_budget() -> RateBudget:
    """TT publishes no quota ("API Guard"); 60 requests a minute is a polite default."""
    return RateBudget(60, 60.0)


class TrackingTimeClient:
    """A typed async client for one TrackingTime account.

    ``credentials``: ``AppPassword``, ``EmailPassword`` or ``BearerToken``. ``account_id`` puts
    every account-scoped path under ``/{account_id}``; without it TT uses the user's default
    account (find ids with :meth:`teams`). ``transport`` is the seam for tests and simulators.
    ``budget`` is shared by every client of the same account; ``None`` sends unthrottled.
    ``account_timezone`` is the zone TT writes ``created_at``/``updated_at`` in.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        account_id: int | None = None,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx2.AsyncBaseTransport | None = None,
        budget: RateBudget | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | httpx2.Timeout | None = None,
        user_agent: str | None = None,
        contact: str | None = None,
        account_timezone: str | tzinfo = "UTC",
        body_style: BodyStyle = "json",
        clock: Clock | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.api = Api(
            credentials=credentials,
            base_url=base_url,
            account_id=account_id,
            transport=transport,
            budget=budget,
            policy=retry,
            user_agent=user_agent or default_user_agent(contact),
            timeout=timeout,
            body_style=body_style,
            sleep=sleep,
        )
        zone = parse_timezone(account_timezone)
        kit: dict[str, Any] = {"zone": zone, "clock": clock or SystemClock()}
        self.account_timezone = zone
        self.users = Users(self.api, **kit)
        self.customers = Customers(self.api, **kit)
        self.services = Services(self.api, **kit)
        self.projects = Projects(self.api, **kit)
        self.task_lists = TaskLists(self.api, **kit)
        self.tasks = Tasks(self.api, **kit)
        self.events = Events(self.api, **kit)
        self.event_tags = EventTags(self.api, **kit)
        self.custom_fields = CustomFields(self.api, **kit)
        self.enum_options = EnumOptions(self.api, **kit)
        self.webhooks = Webhooks(self.api, **kit)

    def __repr__(self) -> str:
        return f"TrackingTimeClient({self.api!r})"

    @property
    def account_id(self) -> int | None:
        return self.api.account_id

    async def __aenter__(self) -> TrackingTimeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.api.aclose()

    async def invoke(
        self, name: str, values: Mapping[str, Any], *, missing_ok: bool = False
    ) -> Any:
        """Perform operation ``name`` from its declaration (see ``catalog``); the answer as its
        declared ``output``."""
        return await perform(self.api, name, values, missing_ok=missing_ok)

    async def me(self) -> User:
        """The authenticated user, with ``teams[]`` (never account-scoped)."""
        envelope = await self.api.call("me.get")
        user: User = decode(User, envelope.get("data"), "me.get")
        return user

    async def teams(self, *, filter: str | None = None) -> list[Team]:
        """The accounts (workspaces) this user belongs to; ``account_id`` is what paths need."""
        envelope = await self.api.call("teams.list", params={"filter": filter})
        teams: list[Team] = decode(list[Team], envelope.get("data") or [], "teams.list")
        return teams
