"""The admin API (design.md §7), mounted by the factory under /api/v1 behind its token gate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, FastAPI

from app.admin.auth import Authenticator, Guards
from app.admin.gate import PREFIX, AdminGate
from app.admin.jobs import job_routes
from app.admin.media import media_routes
from app.admin.outreach import outreach_routes
from app.admin.submissions import submission_routes
from app.admin.themes import theme_routes
from app.admin.throttle import LIMIT, FailureThrottle
from app.admin.tokens import token_routes
from app.pushes.feedback import Feedback
from storage.blobs import BlobStore
from storage.db import Database


def admin_router(
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    feedback: Feedback | None = None,
) -> APIRouter:
    """Every admin route, each guarded by its minimum role (see app/admin/auth.py).

    Without `feedback` (tests of the review rules alone) nothing is pushed and the push,
    campaign and stats routes are left out.
    """
    guards = Guards.build()
    router = APIRouter()
    router.include_router(theme_routes(db=db, guards=guards))
    router.include_router(submission_routes(db=db, guards=guards, clock=clock, feedback=feedback))
    if feedback is not None:
        router.include_router(outreach_routes(db=db, guards=guards, clock=clock, feedback=feedback))
    router.include_router(media_routes(db=db, blobs=blobs, guards=guards, clock=clock))
    router.include_router(job_routes(db=db, guards=guards, clock=clock))
    router.include_router(token_routes(db=db, guards=guards, clock=clock))
    return router


def mount_admin_api(
    app: FastAPI,
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    failure_limit: int = LIMIT,
    feedback: Feedback | None = None,
) -> None:
    """Add the admin routes under /api/v1 and the gate that authenticates them first."""
    app.include_router(
        admin_router(db=db, blobs=blobs, clock=clock, feedback=feedback), prefix=PREFIX
    )
    app.add_middleware(
        AdminGate,
        authenticator=Authenticator(db, clock),
        throttle=FailureThrottle(clock, limit=failure_limit),
    )
