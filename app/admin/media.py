"""`/media/{id}/{variant}`: downloads, with the admin-only, audited override for blur originals."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app.admin.auth import Caller, GuardedRoute, Guards, Role
from app.admin.fields import SafeText, VariantName, not_found, plausible_id
from app.admin.release import PhotoRule, rule_of
from app.admin.schemas import ErrorRead
from flows.types import SubmissionStatus
from storage import audit, submissions
from storage import media as media_store
from storage.blobs import BlobStore, BlobStoreError, OpenBlob
from storage.db import Database
from storage.models import MediaVariant
from storage.states import MediaStatus

MAX_REASON_CHARS = 500

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}

DESCRIPTION = f"""\
The bytes of one variant (`original` is the sanitised full size), with its real content type,
`Content-Disposition: attachment` and `X-Content-Type-Options: nosniff`. 404 when the media,
the variant or its file does not exist, or the media or its submission is withdrawn, deleted
or a draft.

For a photo of a submission whose face choice is `blur`, and for a `no_face` photo in which
faces were found (or not counted), the unblurred images (`original`, and the `thumbnail` made
from it) are only for an **admin** who passes a non-empty `reason` (at most {MAX_REASON_CHARS}
characters); the download is written to the audit log as `download_original`. Anyone else gets
403. `blurred` and `blurred_thumb` need no reason (they exist only where faces were found, or a
reviewer uploaded one). What may leave the PR team: `app/admin/release.py`.
"""


@dataclass(frozen=True)
class Download:
    """A variant that may be served, and what its file name and the blur rule need."""

    variant: MediaVariant
    code: str
    number: int
    face: str | None
    submission_id: str
    rule: PhotoRule


def media_routes(
    *, db: Database, blobs: BlobStore, guards: Guards, clock: Callable[[], datetime]
) -> APIRouter:
    """The media download route."""
    router = APIRouter(route_class=GuardedRoute, tags=["media"])
    Viewer = Annotated[Caller, Depends(guards.viewer)]

    @router.get(
        "/media/{media_id}/{variant}",
        response_class=StreamingResponse,
        description=DESCRIPTION,
        responses={
            200: {
                "description": "The file, as an attachment",
                "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}, "video/mp4": {}},
            },
            403: {"model": ErrorRead, "description": "An unblurred image without the override"},
            404: {"model": ErrorRead, "description": "No such media, variant or file"},
            503: {"model": ErrorRead, "description": "The media store cannot be reached"},
        },
    )
    def download_media(
        caller: Viewer,
        media_id: str,
        variant: VariantName,
        reason: Annotated[
            SafeText | None,
            Query(
                max_length=MAX_REASON_CHARS,
                description="Why an admin needs the unblurred original of a blur submission",
            ),
        ] = None,
    ) -> StreamingResponse:
        """Download one variant of a photo or video."""
        if not plausible_id(media_id):
            raise not_found("media")
        with db.read() as session:
            found = downloadable(session, media_id, variant)
        if found is None:
            raise not_found("media variant")
        override = needs_override(found, variant)
        if override and not (caller.reaches(Role.ADMIN) and reason and reason.strip()):
            raise HTTPException(
                403, detail="unblurred images of a blur submission need an admin and a reason"
            )
        blob = open_blob(blobs, found.variant.storage_key)
        if override:
            try:
                record_override(
                    db,
                    found,
                    variant,
                    actor=caller.name,
                    reason=reason or "",
                    token_id=caller.token_id,
                    now=clock(),
                )
            except BaseException:
                blob.close()
                raise
        content_type = found.variant.content_type
        filename = download_name(found, variant)
        return StreamingResponse(
            blob.chunks(),
            media_type=content_type,
            headers={
                "Content-Length": str(blob.size),
                "Content-Disposition": f'attachment; filename="{filename}"',
                "X-Content-Type-Options": "nosniff",
                # Photos of people: no shared cache may keep a copy.
                "Cache-Control": "private, no-store",
            },
        )

    return router


def record_override(
    db: Database,
    found: Download,
    variant: VariantName,
    *,
    actor: str,
    reason: str,
    token_id: str | None,
    now: datetime,
) -> None:
    """Audit an admin's look at an unblurred image of a blurred-only photo (API and pages)."""
    with db.write() as session:
        audit.record(
            session,
            actor=actor,
            action="download_original",
            target_type="media",
            target_id=found.variant.media_id,
            detail={
                "submission": found.submission_id,
                "variant": variant.value,
                "reason": reason,
                "token_id": token_id,
            },
            now=now,
        )


def needs_override(found: Download, variant: VariantName) -> bool:
    """True for the unblurred images of a blurred-only photo (admin, reason and audit needed)."""
    # design.md §4: a worker who chose "blur my face" is shown unblurred only to an admin who
    # gives a reason (audited). The thumbnail is made from the original, so it counts.
    return found.rule.blurred_only and variant not in (
        VariantName.BLURRED,
        VariantName.BLURRED_THUMB,
    )


def downloadable(session: Session, media_id: str, variant: VariantName) -> Download | None:
    """A ready variant of a listed, not withdrawn submission's media, or None."""
    media = media_store.get(session, media_id)
    if media is None or media.status != MediaStatus.READY:
        return None
    record = submissions.get(session, media.submission_id)  # None for drafts
    if record is None or record.submission.status == SubmissionStatus.WITHDRAWN:
        return None
    stored = media_store.variant(session, media_id, variant.value)
    if stored is None:
        return None
    # The number shown in file names follows the API's media order, so it is unique.
    number, found = next((i, m) for i, m in enumerate(record.media, 1) if m.media.id == media_id)
    return Download(
        variant=stored,
        code=record.submission.code,
        number=number,
        face=record.submission.face,
        submission_id=record.submission.id,
        rule=rule_of(record.submission.face, found),
    )


def open_blob(blobs: BlobStore, key: str) -> OpenBlob:
    """The stored file, opened; 404 when it is gone, 503 when the store is unreachable."""
    # Opened before the answer starts: a file gone missing is a 404, not a broken stream.
    try:
        blob = blobs.open(key)
    except BlobStoreError:
        raise HTTPException(
            503, detail="the media store cannot be reached", headers={"Retry-After": "5"}
        ) from None
    if blob is None:
        raise not_found("media file")
    return blob


def download_name(found: Download, variant: VariantName) -> str:
    """The file name a download is offered under: code, photo number, variant."""
    content_type = found.variant.content_type
    code = re.sub(r"[^A-Za-z0-9-]", "", found.code) or "media"
    ext = EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "bin")
    return f"{code}-{found.number}-{variant.value}.{ext}"
