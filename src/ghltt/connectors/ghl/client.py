"""``GhlClient``: one GHL location, its credentials, its budget, its resource groups."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

import httpx2

from ghltt.connectors.ghl._core import GhlCore
from ghltt.connectors.ghl.activities import AppointmentsApi, NotesApi, TasksApi
from ghltt.connectors.ghl.auth import DEFAULT_BASE_URL
from ghltt.connectors.ghl.budget import budget_observer, default_budget
from ghltt.connectors.ghl.contacts import (
    CampaignsApi,
    ContactsApi,
    FollowersApi,
    TagsApi,
    WorkflowsApi,
)
from ghltt.connectors.ghl.directory import BusinessesApi, CustomFieldsApi, UsersApi
from ghltt.connectors.ghl.errors import map_ghl_error
from ghltt.connectors.http import (
    AuthProvider,
    BudgetRegistry,
    RateBudget,
    Requestor,
    RetryPolicy,
    build_client,
    redact_url,
)

__all__ = ["GhlClient"]


class GhlClient:
    """Typed async client for GHL API v2, bound to one location.

    ``auth`` is a ``StaticTokenAuth`` (PIT / API key), an ``OAuthAuth`` or a
    ``LocationTokenAuth``. ``transport`` is the seam (None: the network). The budget is ``budget``
    if given, else ``budgets.get(location_id)`` (share one registry per process so every client
    of a location draws on one budget), else a private default (100 / 10 s, 200,000 / day).
    """

    def __init__(
        self,
        *,
        auth: AuthProvider,
        location_id: str,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx2.AsyncBaseTransport | None = None,
        budget: RateBudget | None = None,
        budgets: BudgetRegistry | None = None,
        policy: RetryPolicy | None = None,
        timeout: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if budget is None:
            budget = budgets.get(location_id) if budgets is not None else default_budget()
        self.location_id = location_id
        self.budget = budget
        self.requestor = Requestor(
            build_client(base_url, transport=transport, timeout=timeout),
            auth=auth,
            policy=policy,
            budget=budget,
            map_error=map_ghl_error,
            observe=budget_observer(budget),
            sleep=sleep,
        )
        self._core = core = GhlCore(self.requestor, location_id)
        self.contacts = ContactsApi(core)
        self.tags = TagsApi(core)
        self.followers = FollowersApi(core)
        self.campaigns = CampaignsApi(core)
        self.workflows = WorkflowsApi(core)
        self.tasks = TasksApi(core)
        self.notes = NotesApi(core)
        self.appointments = AppointmentsApi(core)
        self.businesses = BusinessesApi(core)
        self.custom_fields = CustomFieldsApi(core)
        self.users = UsersApi(core)

    async def invoke(self, name: str, values: Mapping[str, Any]) -> Any:
        """Perform catalog operation ``name`` from its declaration (see ``catalog``): the
        answer as its declared ``output``."""
        return await self._core.invoke(name, values)

    def __repr__(self) -> str:
        base = redact_url(str(self.requestor.client.base_url))
        return f"GhlClient(location_id={self.location_id!r}, base_url={base!r})"

    async def aclose(self) -> None:
        await self.requestor.client.aclose()

    async def __aenter__(self) -> GhlClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
