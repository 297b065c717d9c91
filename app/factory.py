"""`create_app()`: the FastAPI application, its lifespan, and the in-process worker."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import Counter
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app.admin.face_checks import Uploads
from app.admin.router import mount_admin_api
from app.body_cap import BodyCap
from app.database import prepare_database
from app.docs import install_docs
from app.errors import install_error_handlers
from app.health import health_router
from app.metrics import Metrics, RequestCounter
from app.public_media import public_media_routes, signer_for
from app.pushes.feedback import Feedback
from app.pushes.policy import PushPolicy
from app.pushes.shared_media import MediaLinks, shared_media_routes
from app.services import Services
from app.worker.kinds import build_worker
from app.workspace.form_upload import WRAPPING as FORM_WRAPPING
from app.workspace.mount import mount_workspace
from media import ImageLimits
from storage.inbox_writer import InboxWriter
from webhooks.endpoint import PATH, LineWebhook, WebhookDeps


def create_app(services: Services, *, run_worker: bool = True) -> FastAPI:
    """The application over these services; the worker runs inside unless told otherwise."""
    secret, _ = services.settings.require_line_credentials()
    metrics = Metrics()
    metrics.watch_queue(services.db)
    inbox = InboxWriter(services.db, max_attempts=services.settings.job_max_attempts)

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
            await run_in_threadpool(inbox.close)
            if worker is not None:
                await run_in_threadpool(worker.stop)
            services.close()

    # Each status's labelled counter, looked up once: labels() costs more than inc().
    http_answers: dict[int, Counter] = {}

    def stored(new: int) -> None:
        metrics.webhook_events.inc(new)
        services.doorbell.ring()

    def answered(status: int) -> None:
        counter = http_answers.get(status)
        if counter is None:
            counter = http_answers[status] = metrics.http.labels(PATH, str(status))
        counter.inc()

    app = WebhookFirst(
        WebhookDeps(
            channel_secret=secret.encode("utf-8"),
            inbox=inbox,
            clock=services.clock,
            on_stored=stored,
            on_answer=answered,
        ),
        title="genba",
        version="0.1.0",
        summary="Photos from the shop floor to the PR team, over LINE.",
        lifespan=lifespan,
        docs_url=None,  # install_docs() serves them without a CDN
        redoc_url=None,
    )
    app.state.services = services
    app.state.metrics = metrics
    app.include_router(health_router(services.db, metrics))
    install_docs(app)
    settings = services.settings
    limits = ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
    uploads = Uploads(limits=limits, scratch=settings.tmp_dir)
    links = MediaLinks.from_secret(secret, services.settings.public_url)
    feedback = Feedback(services.catalogue, PushPolicy.from_settings(services.settings), links)
    app.include_router(
        shared_media_routes(db=services.db, blobs=services.blobs, links=links, clock=services.clock)
    )
    # Middleware added later runs first: count, cap the body, then the admin token gate.
    mount_admin_api(
        app,
        db=services.db,
        blobs=services.blobs,
        clock=services.clock,
        failure_limit=services.settings.auth_failure_limit,
        uploads=uploads,
        retention_days=services.settings.retention_days,
        feedback=feedback,
    )
    mount_workspace(
        app,
        db=services.db,
        blobs=services.blobs,
        clock=services.clock,
        failure_limit=services.settings.auth_failure_limit,
        retention_days=services.settings.retention_days,
        feedback=feedback,
        uploads=uploads,
        zone=services.settings.zone,
    )
    app.include_router(
        public_media_routes(
            db=services.db,
            blobs=services.blobs,
            signer=signer_for(services.settings),
            clock=services.clock,
        )
    )
    install_error_handlers(app)
    app.add_middleware(BodyCap, upload_limit=limits.max_bytes, form_wrapping=FORM_WRAPPING)
    app.add_middleware(RequestCounter, metrics=metrics)
    return app


class WebhookFirst(FastAPI):
    """FastAPI, with `POST /callback` answered before any of the framework's own layers.

    As middleware it would sit inside Starlette's error layer and FastAPI's telemetry and body
    limit, which together cost the hottest path ~10 µs a request (bench/) and add nothing:
    the webhook answers every error itself, and caps its body while reading it.
    """

    def __init__(self, webhook: WebhookDeps, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._webhook = LineWebhook(super().__call__, webhook)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._webhook(scope, receive, send)
