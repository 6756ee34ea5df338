"""The overview: every bridge with its mode, health and activity, and every connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ghltt.bridges import BridgeView
from ghltt.store.dashboard import Activity, DashboardQueries
from ghltt.vault import ConnectionView
from ghltt.web.auth import services
from ghltt.web.dashboard.context import bridge, render, require_session

router = APIRouter(dependencies=[Depends(require_session)])


@dataclass(frozen=True)
class BridgeCard:
    view: BridgeView
    activity: Activity
    ghl: ConnectionView | None
    tt: ConnectionView | None
    last_reconciled: datetime | None
    budget: dict[str, Any] | None

    @property
    def health(self) -> str:
        """broken: a connection cannot be used; failing: dead letters; ok otherwise."""
        if any(c is None or c.status != "active" for c in (self.ghl, self.tt)):
            return "broken"
        if self.activity.failed_day or self.activity.dead_letters:
            return "failing"
        return "ok"


def _cards(request: Request) -> list[BridgeCard]:
    svc = bridge(request)
    queries = DashboardQueries(services(request).db)
    views = svc.bridges.all()
    activity = queries.activity([v.id for v in views])
    reconciled = queries.last_reconciliations()
    connections = {c.id: c for c in svc.connections.all()}
    budgets = svc.clients.remotes.budgets
    cards = []
    for view in views:
        ghl = connections.get(view.ghl_connection_id or "")
        cards.append(
            BridgeCard(
                view=view,
                activity=activity.get(view.id, Activity()),
                ghl=ghl,
                tt=connections.get(view.tt_connection_id or ""),
                last_reconciled=reconciled.get(view.id),
                budget=budgets.seen(ghl.account_id) if ghl and ghl.account_id else None,
            )
        )
    return cards


@router.get("/")
async def overview(request: Request) -> Response:
    cards = await run_in_threadpool(_cards, request)
    connections = await run_in_threadpool(bridge(request).connections.all)
    expiries = await run_in_threadpool(bridge(request).connections.token_expiries)
    return render(request, "overview.html", cards=cards, connections=connections, expiries=expiries)
