"""`create_app()`: the FastAPI application, its lifespan, and the in-process worker."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app.admin.router import admin_router
from app.database import prepare_database
from app.errors import install_error_handlers
from app.health import health_router
from app.metrics import Metrics, RequestCounter
from app.services import Services
from app.worker.kinds import build_worker
from webhooks.committer import InboxCommitter
from webhooks.endpoint import PATH, LineWebhook, WebhookDeps


def create_app(services: Services, *, run_worker: bool = True) -> FastAPI:
    """The application over these services; the worker runs inside unless told otherwise."""
    secret, _ = services.settings.require_line_credentials()
    metrics = Metrics()
    metrics.watch_queue(services.db)
    committer = InboxCommitter(services.db, max_attempts=services.settings.job_max_attempts)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(prepare_database, services.db)
        worker = build_worker(services) if run_worker else None
        if worker is not None:
            worker.start()
        app.state.worker = worker
        # Everything long-lived exists now. Freezing it keeps the garbage collector's full
        # passes from walking these ~10^5 objects again and again, each pass a pause of
        # ~100 ms for every request in flight (measured in bench/).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await run_in_threadpool(committer.close)
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

    def answered(status: int) -> None:
        metrics.http.labels(PATH, str(status)).inc()

    webhook = WebhookDeps(
        channel_secret=secret.encode("utf-8"),
        inbox=committer,
        clock=services.clock,
        on_stored=stored,
        on_answer=answered,
    )
    app.include_router(health_router(services.db, metrics))
    app.include_router(
        admin_router(db=services.db, blobs=services.blobs, clock=services.clock),
        prefix="/api/v1",
    )
    install_error_handlers(app)
    app.add_middleware(RequestCounter, metrics=metrics)
    app.add_middleware(LineWebhook, deps=webhook)  # added last: the outermost layer
    return app
