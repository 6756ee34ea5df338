"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import anyio
import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from ghltt import __version__
from ghltt.jobs import JobAdmin, JobRuntime
from ghltt.jobs.heartbeat import executors_alive
from ghltt.jobs.plans import load_plugins
from ghltt.settings import Settings
from ghltt.store import TokenRepository, open_database, prepare
from ghltt.store.database import reachable
from ghltt.store.tokens import ensure_first_token, token_file
from ghltt.web import (
    api,
    catalog_api,
    connections_api,
    dashboard,
    errors,
    hooks,
    imports_api,
    intake,
    oauth,
    openapi,
    pages,
    recipes_api,
)
from ghltt.web.auth import services
from ghltt.web.intake_writer import IntakeWriter
from ghltt.web.metrics import observe_store
from ghltt.web.middleware import BodyLimit, RequestId
from ghltt.web.responses import JSONResponse
from ghltt.web.services import Services

log = structlog.get_logger(__name__)


def create_app(
    settings: Settings,
    *,
    with_executor: bool = True,
    expects_executor: bool = False,
) -> FastAPI:
    """Build the app; ``with_executor`` also runs durable runs in this process.

    Readiness then requires a live executor (a fresh heartbeat in the store), as it does with
    ``expects_executor`` for an executor running elsewhere (``ghltt serve``'s child).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = await anyio.to_thread.run_sync(_start, settings, with_executor)
        svc.expects_executor = with_executor or expects_executor
        app.state.services = svc
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(_stop, svc)

    app = FastAPI(
        title="ghltt",
        version=__version__,
        lifespan=lifespan,
        default_response_class=JSONResponse,
        docs_url=None,  # pages.install serves it, with Swagger UI's files from ghltt itself
        redoc_url=None,  # ReDoc comes from a CDN only
    )
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestId)
    app.include_router(_health_router())
    app.include_router(api.router)
    app.include_router(oauth.router)
    app.include_router(connections_api.router)
    app.include_router(catalog_api.router)
    app.include_router(recipes_api.router)
    app.include_router(imports_api.router)
    pages.install(app)
    dashboard.install(app)
    # The hot paths go first: the router tries routes in order, and bursts hit these.
    app.router.routes[:0] = [*intake.routes(baseline=settings.bench_baseline), *hooks.routes()]
    openapi.install(app)
    return app


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    checks: dict[str, bool] = Field(description="store, and executor where one is expected")


def _start(settings: Settings, with_executor: bool) -> Services:
    load_plugins(settings.plugins)
    db = open_database(settings.store_url)
    prepare(db, upgrade_existing=settings.auto_migrate)
    if ensure_first_token(TokenRepository(db), settings.data_dir):
        log.warning(
            "created the API token; show it with 'ghltt token show'",
            file=str(token_file(settings.data_dir)),
        )
    runtime = JobRuntime(settings, db) if with_executor else None
    intake = IntakeWriter(
        db,
        batch_max=settings.intake_batch_max,
        queue_max=settings.intake_queue_max,
        on_commit=runtime.wake if runtime else None,
    )
    intake.start()
    if runtime is not None:
        runtime.start()
    admin = runtime.admin if runtime else JobAdmin(settings, db)
    return Services(settings=settings, db=db, intake=intake, admin=admin, runtime=runtime)


def _stop(svc: Services) -> None:
    svc.intake.stop()
    if svc.runtime is not None:
        svc.runtime.stop()
    else:
        svc.admin.close()
    svc.db.dispose()


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> Health:
        return Health(status="ok", version=__version__)

    @router.get(
        "/readyz",
        summary="The store is reachable and an executor drains the queue",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Not ready; retry after Retry-After"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        svc = services(request)
        checks: dict[str, bool] = {}
        with anyio.move_on_after(5):
            checks["store"] = await anyio.to_thread.run_sync(reachable, svc.db)
        checks["store"] = checks.get("store", False) and svc.intake.healthy
        if svc.expects_executor:
            # Any executor will do, wherever it runs: the heartbeats are in the store.
            with anyio.move_on_after(5):
                checks["executor"] = checks["store"] and await anyio.to_thread.run_sync(
                    executors_alive, svc.db
                )
            checks.setdefault("executor", False)
        ready = all(checks.values())
        body: dict[str, Any] = {"status": "ready" if ready else "unavailable", "checks": checks}
        headers = None if ready else {"Retry-After": "5"}
        return JSONResponse(body, status_code=200 if ready else 503, headers=headers)

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics(request: Request) -> Response:
        with anyio.move_on_after(5):
            await anyio.to_thread.run_sync(observe_store, services(request).db)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
