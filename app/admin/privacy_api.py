"""`/privacy/...`: a worker's deletion request (APPI) and the retention purge, for admins."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.fields import SafeText, UtcTime
from storage import erasure, retention
from storage.blobs import BlobStore
from storage.db import Database

ERASE_DESCRIPTION = """\
Delete everything of one worker: submissions (drafts too), photos and every variant and file,
conversation state, profile fields, the messages they sent and the replies to them. `worker`
is the contributor id the API shows, a submission code, or a LINE user id. One audit entry
stays, holding a hashed reference and counts only. Asking again is harmless: `already` says an
earlier deletion is on record (when `worker` was the contributor id). `dry_run` only counts.
"""

PURGE_DESCRIPTION = """\
Delete rejected submissions and drafts unchanged for `days` days (default: the
`GENBA_RETENTION_DAYS` setting; 422 when neither is given), with their photos and files.
`dry_run` only counts.
"""


class ErasureOrder(BaseModel):
    """Whose data to delete."""

    model_config = ConfigDict(extra="forbid")

    worker: Annotated[SafeText, Field(min_length=1, max_length=64)]
    dry_run: bool = False


class ErasureRead(BaseModel):
    """What the deletion removed."""

    reference: str = Field(description="The hashed reference written to the audit log")
    found: bool
    already: bool
    submissions: int
    media: int
    events: int
    jobs: int
    files: int
    dry_run: bool


class PurgeOrder(BaseModel):
    """How old is too old."""

    model_config = ConfigDict(extra="forbid")

    days: Annotated[int, Field(ge=1, le=retention.MAX_DAYS)] | None = None
    dry_run: bool = False


class PurgeRead(BaseModel):
    """What the purge removed."""

    days: int
    cutoff: UtcTime
    rejected: int
    drafts: int
    media: int
    files: int
    dry_run: bool


def privacy_routes(
    *,
    db: Database,
    blobs: BlobStore,
    guards: Guards,
    clock: Callable[[], datetime],
    retention_days: int | None,
) -> APIRouter:
    """The privacy routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["privacy"])
    Admin = Annotated[Caller, Depends(guards.admin)]

    @router.post("/privacy/erasures", description=ERASE_DESCRIPTION)
    def erase(caller: Admin, order: Annotated[ErasureOrder, Body()]) -> ErasureRead:
        """Delete a worker's data (a deletion request under APPI)."""
        done = erasure.erase_worker(
            db, blobs, order.worker, actor=caller.name, now=clock(), dry_run=order.dry_run
        )
        return ErasureRead(**asdict(done))

    @router.post("/privacy/purge", description=PURGE_DESCRIPTION)
    def purge(caller: Admin, order: Annotated[PurgeOrder, Body()]) -> PurgeRead:
        """Purge rejected items and stale drafts past the retention period."""
        days = order.days or retention_days
        if days is None:
            raise HTTPException(422, detail="give days, or set GENBA_RETENTION_DAYS")
        done = retention.purge_expired(
            db, blobs, days=days, now=clock(), actor=caller.name, dry_run=order.dry_run
        )
        return PurgeRead(**asdict(done))

    return router
