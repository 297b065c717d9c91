"""`/healthz` (the process answers), `/readyz` (the database answers) and `/metrics`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from app.metrics import Metrics
from storage.db import Database


def health_router(db: Database, metrics: Metrics) -> APIRouter:
    """Routes for load balancers and monitoring."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @router.get("/readyz", responses={503: {"description": "database unreachable"}})
    async def readyz() -> Response:
        """The database answers."""
        try:
            await run_in_threadpool(db.ping)
        except Exception:
            return JSONResponse({"detail": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @router.get("/metrics")
    async def metrics_endpoint() -> Response:
        """Prometheus metrics."""
        body = await run_in_threadpool(metrics.render)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router
