"""`/media/{id}/check` and `PUT /media/{id}/blurred`: a reviewer's face check of one photo."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from app.admin import face_checks
from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.face_checks import Uploads
from app.admin.schemas import ErrorRead, SubmissionRead, submission_read
from storage.blobs import BlobStore
from storage.db import Database

CHECK_DESCRIPTION = """\
Records that a reviewer looked at the `blurred` variant the face detector made and that it
covers every face. Possible for a `blur` photo in which faces were found, and for a `no_face`
photo in which faces were found. A photo in which no face was found has no `blurred` variant:
upload one (`PUT /media/{id}/blurred`). The same check again answers 200 and changes nothing;
409 when there is nothing to confirm. Written to the audit log as `face_check`. Answers the
submission, with each photo's `face_check` state.
"""

UPLOAD_DESCRIPTION = """\
The body is the image itself (JPEG, PNG or WebP; its type is read from the bytes, whatever the
`Content-Type` says), at most the media limit's bytes and pixels. It is sanitised like any
photo (upright, sRGB, every metadata block removed) and stored as the photo's `blurred` variant
(with a new `blurred_thumb`); the photo's face check is then done (`corrected`). Refused: 413
for too many bytes, 415 for a type that is no image, 422 for an empty, damaged, over-large (in
pixels) or too complex image; 409 for a photo that is published as it is (nothing to blur)
or a video. The item page at /admin offers the same upload as a form, through the same service.
"""

NOT_FOUND = {"model": ErrorRead, "description": "No such media, or its submission is withdrawn"}
CONFLICT = {"model": ErrorRead, "description": "Nothing to check here"}


def check_routes(
    *,
    db: Database,
    blobs: BlobStore,
    guards: Guards,
    clock: Callable[[], datetime],
    uploads: Uploads,
) -> APIRouter:
    """The face check routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["media"])
    Reviewer = Annotated[Caller, Depends(guards.reviewer)]

    @router.post(
        "/media/{media_id}/check",
        description=CHECK_DESCRIPTION,
        responses={404: NOT_FOUND, 409: CONFLICT},
    )
    def confirm_check(caller: Reviewer, media_id: str) -> SubmissionRead:
        """Confirm the blur of one photo: its face check is done."""
        record = face_checks.confirm_blur(db, media_id, actor=caller.name, clock=clock)
        return submission_read(record)

    @router.put(
        "/media/{media_id}/blurred",
        description=UPLOAD_DESCRIPTION,
        responses={
            404: NOT_FOUND,
            409: CONFLICT,
            413: {"model": ErrorRead, "description": "The body is larger than the media limit"},
            415: {"model": ErrorRead, "description": "The bytes are not an accepted image"},
            422: {"model": ErrorRead, "description": "Empty, damaged or too many pixels"},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("image/jpeg", "image/png", "image/webp")
                },
            }
        },
    )
    async def upload_blurred(caller: Reviewer, media_id: str, request: Request) -> SubmissionRead:
        """Upload a corrected blurred image of one photo: its face check is done."""
        # Refused before a byte of the body is read when there is nothing to upload for.
        await run_in_threadpool(face_checks.upload_target, db, media_id)
        path = await face_checks.receive_upload(request, uploads)
        try:
            record = await run_in_threadpool(
                face_checks.upload_blurred,
                db,
                blobs,
                media_id,
                path,
                uploads=uploads,
                actor=caller.name,
                clock=clock,
            )
        finally:
            path.unlink(missing_ok=True)
        return submission_read(record)

    return router
