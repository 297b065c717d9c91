"""`POST /exports`: a ZIP of approved items in their allowed variant, with its manifests."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from app.admin import exports
from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.fields import FaceFilter, Rfc3339, SafeText
from app.admin.schemas import ErrorRead
from flows.types import SubmissionStatus
from storage import submissions
from storage.blobs import BlobStore
from storage.db import Database

DESCRIPTION = f"""\
A ZIP archive, streamed: each item's photos under `<code>/`, then `manifest.csv` and
`manifest.json` (code, status, theme, face choice, consent time, guideline version, credit
line, comment, files; "not yet" for what the data has no field for).

Choose items by `ids` (at most {exports.MAX_ITEMS}; more is a 422) or by the list filters
(`status` approved or published, default both; `limit` clamped to {exports.MAX_ITEMS}). Only
approved and published items are taken; others given by id are left out silently, and an item
withdrawn while the archive streams is left out from then on. A photo leaves only in the
variant the face choice allows (a `blur` item: its blurred variant); an item with a photo that
has no such variant yet is not in the archive and is listed in the manifests as "not ready".
Nothing exportable at all is a 404. Each export is written to the audit log.

Exports need the reviewer role: an export is a bulk release of people's photos, for those who
answer for the review; viewers can look, not release.
"""


class ExportOrder(BaseModel):
    """Which items to export: ids, or filters."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=exports.MAX_ITEMS, description="Submission ids, in archive order"
    )
    status: Literal["approved", "published"] | None = None
    theme: Annotated[SafeText, Field(max_length=40)] | None = None
    face: FaceFilter | None = None
    since: Rfc3339 | None = None
    until: Rfc3339 | None = None
    q: Annotated[SafeText, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1)] = exports.MAX_ITEMS


def export_routes(
    *, db: Database, blobs: BlobStore, guards: Guards, clock: Callable[[], datetime]
) -> APIRouter:
    """The export route."""
    router = APIRouter(route_class=GuardedRoute, tags=["exports"])
    Reviewer = Annotated[Caller, Depends(guards.reviewer)]

    @router.post(
        "/exports",
        response_class=StreamingResponse,
        description=DESCRIPTION,
        responses={
            200: {"description": "The ZIP archive", "content": {"application/zip": {}}},
            404: {"model": ErrorRead, "description": "Nothing exportable in the selection"},
        },
    )
    def export(caller: Reviewer, order: Annotated[ExportOrder, Body()]) -> StreamingResponse:
        """Export approved items as a ZIP with CSV and JSON manifests."""
        if order.ids is not None:
            chosen = exports.choose(db, ids=order.ids)
        else:
            wanted = submissions.SubmissionFilter(
                status=None if order.status is None else SubmissionStatus(order.status),
                theme=order.theme,
                face=order.face,
                since=order.since,
                until=order.until,
                q=order.q or None,
            )
            chosen = exports.choose(db, wanted=wanted, limit=order.limit)
        return zip_response(db, blobs, chosen, actor=caller.name, clock=clock)

    return router


def zip_response(
    db: Database,
    blobs: BlobStore,
    chosen: exports.Chosen,
    *,
    actor: str,
    clock: Callable[[], datetime],
) -> StreamingResponse:
    """The streamed archive of `chosen` (404 when it is empty), audited before it starts."""
    if not chosen.ids:
        raise HTTPException(404, detail="nothing exportable: only approved items can be exported")
    now = clock()
    export_id = exports.start(db, chosen, actor=actor, now=now)
    return StreamingResponse(
        exports.export_zip(db, blobs, chosen, export_id=export_id, clock=clock),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{exports.filename(export_id, now)}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
