"""The /admin/privacy page (admins): a worker's deletion request and the retention purge.

Both are two steps without JavaScript: the first form shows what would go (a dry run), the
second, with `confirm=yes`, does it. The work is the admin API's (storage/erasure.py,
storage/retention.py); this module only reads forms.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures.

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from app.admin.auth import Role
from app.admin.fields import CONTROL
from app.workspace.rendering import render_page
from app.workspace.sessions import SessionKeeper, Visitor, form_fields
from storage import erasure, retention
from storage.blobs import BlobStore
from storage.db import Database

MAX_WORKER_CHARS = 64


def privacy_router(
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    keeper: SessionKeeper,
    templates: Jinja2Templates,
    retention_days: int | None,
) -> APIRouter:
    """The privacy page and its two actions."""
    router = APIRouter(include_in_schema=False)

    def page(request: Request, visitor: Visitor, status: int = 200, **extra: Any) -> Response:
        worker = request.query_params.get("worker", "")[:MAX_WORKER_CHARS]
        return render_page(
            templates,
            request,
            "privacy.html",
            visitor,
            status,
            worker=extra.pop("worker", worker),
            days=extra.pop("days", retention_days),
            setting=retention_days,
            **extra,
        )

    @router.get("/admin/privacy")
    async def privacy_page(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        return page(request, visitor)

    @router.post("/admin/privacy/erase")
    async def erase(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        worker = fields.get("worker", "").strip()
        if not worker or len(worker) > MAX_WORKER_CHARS or CONTROL.search(worker):
            return page(request, visitor, 422, error="give a submission code or contributor id")
        confirmed = fields.get("confirm") == "yes"
        done = await run_in_threadpool(
            lambda: erasure.erase_worker(
                db, blobs, worker, actor=visitor.email, now=clock(), dry_run=not confirmed
            )
        )
        if not done.found:
            message = (
                "this worker's data was deleted already"
                if done.already
                else "no stored data matches: nothing to delete"
            )
            return page(
                request, visitor, 404 if not done.already else 200, worker=worker, error=message
            )
        report = asdict(done)
        return page(
            request,
            visitor,
            worker=worker,
            erased=report if confirmed else None,
            erase_plan=None if confirmed else report,
        )

    @router.post("/admin/privacy/purge")
    async def purge(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        try:
            days = int(fields.get("days", ""))
        except ValueError:
            days = 0
        if not 1 <= days <= retention.MAX_DAYS:
            return page(request, visitor, 422, error=f"days must be from 1 to {retention.MAX_DAYS}")
        confirmed = fields.get("confirm") == "yes"
        done = await run_in_threadpool(
            lambda: retention.purge_expired(
                db, blobs, days=days, now=clock(), actor=visitor.email, dry_run=not confirmed
            )
        )
        report = asdict(done)
        return page(
            request,
            visitor,
            days=days,
            purged=report if confirmed else None,
            purge_plan=None if confirmed else report,
        )

    return router
