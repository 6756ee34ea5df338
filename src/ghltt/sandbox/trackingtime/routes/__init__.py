"""Handlers of the public API, one module per resource."""

from __future__ import annotations

from ghltt.sandbox.trackingtime.router import Router
from ghltt.sandbox.trackingtime.routes import (
    custom_fields,
    customers,
    events,
    identity,
    notifications,
    projects,
    reports,
    services,
    tags,
    task_import,
    tasks,
    user_groups,
    user_records,
    users,
    webhooks,
)


def build_router() -> Router:
    router = Router()
    for module in (
        identity,
        user_groups,
        user_records,
        users,
        customers,
        services,
        projects,
        tasks,
        task_import,
        tags,  # before events: "events/tags" must not be read as an event path
        events,
        custom_fields,
        webhooks,
        reports,
        notifications,
    ):
        router.include(module.router)
    return router
