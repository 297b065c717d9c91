"""`create_app()`: the FastAPI application, its lifespan, and the in-process worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from app.admin.router import admin_router
from app.database import prepare_database
from app.errors import install_error_handlers
from app.health import health_router
from app.metrics import Metrics
from app.services import Services
from app.worker.kinds import build_worker
from app.worker.runner import Worker
from webhooks.endpoint import WebhookDeps, webhook_router


def create_app(
    services: Services,
    *,
    run_worker: bool = True,
    on_worker: Callable[[Worker], None] | None = None,
) -> FastAPI:
    """The application over these services; the worker runs inside unless told otherwise."""
    secret, _ = services.settings.require_line_credentials()
    metrics = Metrics()
    metrics.watch_queue(services.db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(prepare_database, services.db)
        worker = build_worker(services) if run_worker else None
        if worker is not None:
            worker.start()
            if on_worker is not None:
                on_worker(worker)
        app.state.worker = worker
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            services.close()

    app = FastAPI(
        title="genba",
        version="0.1.0",
        summary="Photos from the shop floor to the PR team, over LINE.",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.metrics = metrics

    def stored(new: int) -> None:
        metrics.webhook_events.inc(new)
        services.doorbell.ring()

    app.include_router(
        webhook_router(
            WebhookDeps(
                channel_secret=secret.encode("utf-8"),
                db=services.db,
                clock=services.clock,
                on_stored=stored,
                max_attempts=services.settings.job_max_attempts,
            )
        )
    )
    app.include_router(health_router(services.db, metrics))
    app.include_router(
        admin_router(db=services.db, blobs=services.blobs, clock=services.clock),
        prefix="/api/v1",
    )
    install_error_handlers(app)
    _count_requests(app, metrics)
    return app


def _count_requests(app: FastAPI, metrics: Metrics) -> None:
    @app.middleware("http")
    async def count_requests(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        route = request.scope.get("route")
        metrics.http.labels(getattr(route, "path", "unmatched"), str(response.status_code)).inc()
        return response
