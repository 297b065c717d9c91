"""`admin_router()`: the admin API (design.md §7), mounted by the factory under /api/v1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter

from app.admin.auth import Authenticator, Guards
from app.admin.jobs import job_routes
from app.admin.media import media_routes
from app.admin.submissions import submission_routes
from app.admin.themes import theme_routes
from storage.blobs import BlobStore
from storage.db import Database


def admin_router(*, db: Database, blobs: BlobStore, clock: Callable[[], datetime]) -> APIRouter:
    """Every admin route, each guarded by its minimum role (see app/admin/auth.py)."""
    guards = Guards.build(Authenticator(db, clock))
    router = APIRouter()
    router.include_router(theme_routes(db=db, guards=guards))
    router.include_router(submission_routes(db=db, guards=guards, clock=clock))
    router.include_router(media_routes(db=db, blobs=blobs, guards=guards, clock=clock))
    router.include_router(job_routes(db=db, guards=guards, clock=clock))
    return router
