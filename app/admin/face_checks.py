"""A reviewer's face check of one photo: confirm the detector's blur, or upload a corrected one.

The one service behind `POST /api/v1/media/{id}/check`, `PUT /api/v1/media/{id}/blurred` and
the /admin item page. The rules of what needs a check are in app/admin/release.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import HTTPException, Request
from sqlmodel import Session

from app.admin.fields import not_found, plausible_id
from app.admin.release import (
    BLURRED,
    BLURRED_THUMB,
    CheckState,
    explain,
    rule_of,
    upload_refusal,
)
from flows.types import SubmissionStatus
from media import ImageLimits, ImageVariant, MediaRejected, Reason, make_thumbnail, sanitize_image
from storage import audit, submissions
from storage import media as media_repo
from storage.blobs import BlobStore, media_prefix
from storage.db import Database
from storage.states import FaceCheck

# A clear 4xx for each way an uploaded image can be refused.
REJECTED_STATUS = {
    Reason.TOO_LARGE: 413,
    Reason.UNSUPPORTED_TYPE: 415,
    Reason.EMPTY: 422,
    Reason.TOO_MANY_PIXELS: 422,
    Reason.TOO_COMPLEX: 422,
    Reason.CORRUPT: 422,
}


class UploadRefused(HTTPException):
    """The sanitiser refused an uploaded image: its 4xx, and its stable reason for the pages."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(REJECTED_STATUS[reason], detail=f"{reason.value}: {detail}")
        self.reason = reason


@dataclass(frozen=True)
class Uploads:
    """Where an uploaded image waits while it is checked, and the limits it must fit."""

    limits: ImageLimits
    scratch: Path | None = None
    """A private folder (the data folder's scratch space); None: the system's temporary one."""


def _photo(
    session: Session, media_id: str
) -> tuple[submissions.SubmissionRecord, submissions.MediaRecord]:
    """The listed, not withdrawn submission holding this media item, and its record; else 404."""
    if not plausible_id(media_id):
        raise not_found("media")
    media = media_repo.get(session, media_id)
    record = None if media is None else submissions.get(session, media.submission_id)
    if record is None or record.submission.status == SubmissionStatus.WITHDRAWN:
        raise not_found("media")
    return record, next(m for m in record.media if m.media.id == media_id)


def confirm_blur(
    db: Database,
    media_id: str,
    *,
    actor: str,
    clock: Callable[[], datetime],
    submission_id: str | None = None,
) -> submissions.SubmissionRecord:
    """Record that a reviewer checked the detector's blur of this photo; 404/409 otherwise.

    With `submission_id` (the item page), a photo of another submission is a 404.
    """
    with db.write() as session:
        record, photo = _photo(session, media_id)
        if submission_id is not None and record.submission.id != submission_id:
            raise not_found("media")
        face = record.submission.face
        rule = rule_of(face, photo)
        if rule.check is CheckState.DONE:
            return record  # checked already: nothing changes, like the same status again
        if not rule.can_confirm:
            raise HTTPException(409, detail=f"nothing to confirm: {explain(face, photo)}")
        now = clock()
        if not media_repo.record_face_check(
            session, media_id, FaceCheck.CONFIRMED, actor=actor, now=now
        ):
            raise HTTPException(409, detail="the photo changed meanwhile; reload and try again")
        _audit(session, record, photo, FaceCheck.CONFIRMED, actor=actor, now=now)
    return _reread(db, record.submission.id)


def upload_blurred(
    db: Database,
    blobs: BlobStore,
    media_id: str,
    upload: Path,
    *,
    uploads: Uploads,
    actor: str,
    clock: Callable[[], datetime],
    submission_id: str | None = None,
) -> submissions.SubmissionRecord:
    """Store a reviewer's own blurred image of this photo (sanitised like any upload).

    The face check is then done (`corrected`), audited as `face_check`; `UploadRefused` when
    the sanitiser refuses the image (nothing is stored, the previous blurred image stays).
    """
    record, photo = upload_target(db, media_id, submission_id=submission_id)
    work = Path(tempfile.mkdtemp(prefix="genba-upload-", dir=uploads.scratch))
    try:
        try:
            blurred = sanitize_image(upload, work, limits=uploads.limits)
            thumb = make_thumbnail(blurred.path, work / "thumb.jpg", limits=uploads.limits)
        except MediaRejected as exc:
            raise UploadRefused(exc.reason, exc.detail) from None
        # New keys for every upload: readers of the old variant never see a half-replaced file,
        # and the old file, no longer referred to, is removed by the orphan sweep.
        stored = [
            _put(blobs, media_id, name, variant, blurred.sha256)
            for name, variant in ((BLURRED, blurred), (BLURRED_THUMB, thumb))
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    now = clock()
    with db.write() as session:
        done = media_repo.record_face_check(
            session, media_id, FaceCheck.CORRECTED, actor=actor, now=now, replaced=stored
        )
        if done:
            _audit(session, record, photo, FaceCheck.CORRECTED, actor=actor, now=now, sha=blurred)
    if not done:
        for variant in stored:
            blobs.delete(variant.storage_key)
        raise not_found("media")
    return _reread(db, record.submission.id)


def upload_target(
    db: Database, media_id: str, *, submission_id: str | None = None
) -> tuple[submissions.SubmissionRecord, submissions.MediaRecord]:
    """The photo a blurred image may be uploaded for, or 404/409 (checked before the body, too).

    With `submission_id` (the item page), a photo of another submission is a 404.
    """
    with db.read() as session:
        record, photo = _photo(session, media_id)
    if submission_id is not None and record.submission.id != submission_id:
        raise not_found("media")
    refusal = upload_refusal(record.submission.face, photo)
    if refusal is not None:
        raise HTTPException(409, detail=refusal)
    return record, photo


async def receive_upload(request: Request, uploads: Uploads) -> Path:
    """The request body in a private temporary file, refused with 413 past the byte limit."""
    fd, name = tempfile.mkstemp(prefix="genba-upload-", dir=uploads.scratch)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in upload_chunks(request, uploads):
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


async def upload_chunks(
    request: Request, uploads: Uploads, *, wrapping: int = 0
) -> AsyncIterator[bytes]:
    """The request body as it arrives, refused with 413 past the byte limit.

    `wrapping`: bytes allowed beyond the image's limit (the item page's multipart form).
    """
    limit = uploads.limits.max_bytes + wrapping
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(
                413, detail=f"the image is larger than {uploads.limits.max_bytes} bytes"
            )
        yield chunk


def _put(
    blobs: BlobStore, media_id: str, name: str, variant: ImageVariant, sha256: str
) -> media_repo.StoredVariant:
    key = f"{media_prefix(media_id)}{name}-{sha256[:16]}"
    blobs.put_file(key, variant.path)
    return media_repo.StoredVariant(
        name=name,
        storage_key=key,
        content_type=variant.content_type,
        bytes=variant.byte_count,
        width=variant.width,
        height=variant.height,
        sha256=variant.sha256,
    )


def _audit(
    session: Session,
    record: submissions.SubmissionRecord,
    photo: submissions.MediaRecord,
    check: FaceCheck,
    *,
    actor: str,
    now: datetime,
    sha: ImageVariant | None = None,
) -> None:
    detail: dict[str, object] = {
        "submission": record.submission.id,
        "check": str(check),
        "faces": photo.media.faces,
    }
    if sha is not None:
        detail["sha256"] = sha.sha256
    audit.record(
        session,
        actor=actor,
        action="face_check",
        target_type="media",
        target_id=photo.media.id,
        detail=detail,
        now=now,
    )


def _reread(db: Database, submission_id: str) -> submissions.SubmissionRecord:
    with db.read() as session:
        record = submissions.get(session, submission_id)
    if record is None:
        raise not_found("submission")
    return record
