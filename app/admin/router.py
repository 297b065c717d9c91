"""The admin API (design.md §7), mounted by the factory under /api/v1 behind its token gate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, FastAPI

from app.admin.auth import Authenticator, Guards
from app.admin.checks import check_routes
from app.admin.export_api import export_routes
from app.admin.face_checks import Uploads
from app.admin.gate import PREFIX, AdminGate
from app.admin.guideline import guideline_routes
from app.admin.jobs import job_routes
from app.admin.media import media_routes
from app.admin.outreach import outreach_routes
from app.admin.privacy_api import privacy_routes
from app.admin.sites import site_routes
from app.admin.submissions import submission_routes
from app.admin.themes import theme_routes
from app.admin.throttle import LIMIT, FailureThrottle
from app.admin.tokens import token_routes
from app.pushes.feedback import Feedback
from media import DEFAULT_LIMITS
from storage.blobs import BlobStore
from storage.db import Database


def admin_router(
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    uploads: Uploads | None = None,
    retention_days: int | None = None,
    feedback: Feedback | None = None,
) -> APIRouter:
    """Every admin route, each guarded by its minimum role (see app/admin/auth.py).

    Without `feedback` (tests of the review rules alone) nothing is pushed and the push,
    campaign and stats routes are left out.
    """
    guards = Guards.build()
    uploads = uploads or Uploads(limits=DEFAULT_LIMITS)
    router = APIRouter()
    router.include_router(theme_routes(db=db, guards=guards, clock=clock))
    router.include_router(guideline_routes(db=db, guards=guards, clock=clock))
    router.include_router(submission_routes(db=db, guards=guards, clock=clock, feedback=feedback))
    if feedback is not None:
        router.include_router(outreach_routes(db=db, guards=guards, clock=clock, feedback=feedback))
    router.include_router(media_routes(db=db, blobs=blobs, guards=guards, clock=clock))
    router.include_router(
        check_routes(db=db, blobs=blobs, guards=guards, clock=clock, uploads=uploads)
    )
    router.include_router(job_routes(db=db, guards=guards, clock=clock))
    router.include_router(token_routes(db=db, guards=guards, clock=clock))
    router.include_router(site_routes(db=db, guards=guards, clock=clock))
    router.include_router(export_routes(db=db, blobs=blobs, guards=guards, clock=clock))
    router.include_router(
        privacy_routes(
            db=db, blobs=blobs, guards=guards, clock=clock, retention_days=retention_days
        )
    )
    return router


def mount_admin_api(
    app: FastAPI,
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    failure_limit: int = LIMIT,
    uploads: Uploads | None = None,
    retention_days: int | None = None,
    feedback: Feedback | None = None,
) -> None:
    """Add the admin routes under /api/v1 and the gate that authenticates them first."""
    app.include_router(
        admin_router(
            db=db,
            blobs=blobs,
            clock=clock,
            uploads=uploads,
            retention_days=retention_days,
            feedback=feedback,
        ),
        prefix=PREFIX,
    )
    app.add_middleware(
        AdminGate,
        authenticator=Authenticator(db, clock),
        throttle=FailureThrottle(clock, limit=failure_limit),
    )
