"""The /admin routes of one photo: its face check (confirm, or upload a corrected blurred image)
and its images (the blurred-only rule, and the admin's audited override).

The rules and the work are the admin API's (app/admin/face_checks.py, app/admin/media.py,
app/admin/release.py); these functions only read forms, stream files and render pages.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures.

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.admin import face_checks
from app.admin.auth import Role
from app.admin.face_checks import UploadRefused, Uploads
from app.admin.fields import VariantName, not_found, plausible_id
from app.admin.media import (
    MAX_REASON_CHARS,
    Download,
    download_name,
    downloadable,
    needs_override,
    open_blob,
    record_override,
)
from app.workspace.form_upload import WRAPPING, FormError, boundary_of, read_form
from app.workspace.pages import item_page
from app.workspace.rendering import Render
from app.workspace.sessions import SessionKeeper, Visitor, form_fields, require_csrf
from media import Reason
from storage.blobs import BlobStore
from storage.db import Database

FILE_FIELD = "image"
NOT_SAVED = "the corrected blurred image was not saved"
KEPT = "Nothing changed: the previous blurred image (if any) is kept."
# The sanitiser's reasons (media/errors.py) in words for people.
REASONS = {
    Reason.EMPTY: "the file is empty",
    Reason.TOO_LARGE: "the file is too large",
    Reason.UNSUPPORTED_TYPE: "it is not a photo genba accepts (JPEG, PNG, WebP or HEIC)",
    Reason.TOO_MANY_PIXELS: "the picture has too many pixels",
    Reason.TOO_COMPLEX: "the picture is too complex to open safely",
    Reason.CORRUPT: "the file is damaged or incomplete and cannot be opened",
}


def media_router(
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    keeper: SessionKeeper,
    render: Render,
    uploads: Uploads,
) -> APIRouter:
    """The face check and image routes of the item page."""
    router = APIRouter(include_in_schema=False)

    def find_media(media_id: str, name: VariantName) -> Download | None:
        with db.read() as session:
            return downloadable(session, media_id, name)

    async def show_item(
        request: Request, visitor: Visitor, submission_id: str, status: int, **extra: Any
    ) -> Response:
        return await run_in_threadpool(
            lambda: item_page(db, render, request, visitor, submission_id, status, **extra)
        )

    # --- the face check ---------------------------------------------------------------------

    @router.post("/admin/items/{submission_id}/media/{media_id}/check")
    async def confirm_check(request: Request, submission_id: str, media_id: str) -> Response:
        visitor = await keeper.require(request, Role.REVIEWER)
        await form_fields(request, visitor.csrf_token)
        if not plausible_id(submission_id):
            raise not_found("submission")
        try:
            # Like the upload: the photo must belong to the submission in the address.
            record = await run_in_threadpool(
                lambda: face_checks.confirm_blur(
                    db, media_id, actor=visitor.email, clock=clock, submission_id=submission_id
                )
            )
        except HTTPException as exc:
            if exc.status_code == 404:
                raise
            return await show_item(
                request, visitor, submission_id, exc.status_code, error=str(exc.detail)
            )
        return RedirectResponse(f"/admin/items/{record.submission.id}", status_code=303)

    @router.post("/admin/items/{submission_id}/media/{media_id}/blurred")
    async def upload_blurred(request: Request, submission_id: str, media_id: str) -> Response:
        # The API's upload (PUT /api/v1/media/{id}/blurred) as a browser form: the same service,
        # so the same sanitising, check state and audit entry.
        visitor = await keeper.require(request, Role.REVIEWER)
        if not plausible_id(submission_id):
            raise not_found("submission")

        async def refused(status: int, error: str) -> Response:
            return await show_item(
                request, visitor, submission_id, status, error=error, about=media_id
            )

        try:
            # Refused before a byte of the body is read when there is nothing to upload for.
            await run_in_threadpool(
                face_checks.upload_target, db, media_id, submission_id=submission_id
            )
            boundary = boundary_of(request.headers.get("content-type", ""))
        except FormError as exc:
            return await refused(400, f"{NOT_SAVED}: {exc}. {KEPT}")
        except HTTPException as exc:
            if exc.status_code == 404:
                raise
            return await refused(exc.status_code, f"{NOT_SAVED}: {exc.detail}.")
        try:
            form = await read_form(
                face_checks.upload_chunks(request, uploads, wrapping=WRAPPING),
                boundary,
                folder=uploads.scratch,
                file_field=FILE_FIELD,
            )
        except StarletteHTTPException as exc:
            if exc.status_code != 413:
                raise
            page = await refused(413, too_large(uploads.limits.max_bytes))
            page.headers["Connection"] = "close"  # the rest of the body was never read
            return page
        except FormError as exc:
            page = await refused(400, f"{NOT_SAVED}: {exc}. {KEPT}")
            page.headers["Connection"] = "close"  # the rest of the body may be unread
            return page
        try:
            require_csrf(form.fields.get("csrf_token", ""), visitor.csrf_token)
            image = form.file
            if image is None or (not form.filename and _empty(image)):
                return await refused(422, f"{NOT_SAVED}: choose an image file first.")
            await run_in_threadpool(
                lambda: face_checks.upload_blurred(
                    db,
                    blobs,
                    media_id,
                    image,
                    uploads=uploads,
                    actor=visitor.email,
                    clock=clock,
                    submission_id=submission_id,
                )
            )
        except UploadRefused as exc:
            # Plain words only: the reason code and the sanitiser's detail are for the API.
            words = REASONS.get(exc.reason, exc.reason.value.replace("_", " "))
            return await refused(exc.status_code, f"{NOT_SAVED}: {words}. {KEPT}")
        except HTTPException as exc:
            if exc.status_code in (403, 404):
                raise
            return await refused(exc.status_code, f"{NOT_SAVED}: {exc.detail}.")
        finally:
            if form.file is not None:
                form.file.unlink(missing_ok=True)
        return RedirectResponse(f"/admin/items/{submission_id}?saved={media_id}", status_code=303)

    # --- images -----------------------------------------------------------------------------

    async def shown_media(media_id: str, variant: str) -> tuple[Download, VariantName]:
        """The stored variant a path names (404 for anything that is not one)."""
        try:
            name = VariantName(variant)
        except ValueError:
            raise not_found("media variant") from None
        if not plausible_id(media_id):
            raise not_found("media")
        found = await run_in_threadpool(find_media, media_id, name)
        if found is None:
            raise not_found("media variant")
        return found, name

    @router.get("/admin/media/{media_id}/{variant}")
    async def image(request: Request, media_id: str, variant: str) -> Response:
        await keeper.require(request, Role.VIEWER)
        found, name = await shown_media(media_id, variant)
        if needs_override(found, name):
            # The pages never show an unblurred image of a blur submission inline; an admin who
            # must see one gives a reason (image_override below, audited).
            raise HTTPException(403, detail="this photo is shown only blurred")
        blob = await run_in_threadpool(open_blob, blobs, found.variant.storage_key)
        return StreamingResponse(
            blob.chunks(),
            media_type=found.variant.content_type,
            headers={
                "Content-Length": str(blob.size),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    @router.post("/admin/media/{media_id}/{variant}/override")
    async def image_override(request: Request, media_id: str, variant: str) -> Response:
        # The one way the pages hand out an unblurred image of a blurred-only photo: an admin,
        # a reason, an audit entry (the API's rule: app/admin/media.py), as a download.
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        reason = " ".join(fields.get("reason", "").split())[:MAX_REASON_CHARS]
        found, name = await shown_media(media_id, variant)
        if not reason:
            raise HTTPException(422, detail="say why you need the unblurred photo")
        blob = await run_in_threadpool(open_blob, blobs, found.variant.storage_key)
        if needs_override(found, name):
            try:
                await run_in_threadpool(
                    record_override,
                    db,
                    found,
                    name,
                    actor=visitor.email,
                    reason=reason,
                    token_id=None,
                    now=clock(),
                )
            except BaseException:
                blob.close()
                raise
        return StreamingResponse(
            blob.chunks(),
            media_type=found.variant.content_type,
            headers={
                "Content-Length": str(blob.size),
                "Content-Disposition": f'attachment; filename="{download_name(found, name)}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    return router


def too_large(limit: int) -> str:
    """What the page says of a file over the limit (the server's 413, and the form's script)."""
    size = readable_size(limit)
    return f"{NOT_SAVED}: the file is larger than {size} (the most a photo may have). {KEPT}"


def _empty(path: Path) -> bool:
    return path.stat().st_size == 0


def readable_size(limit: int) -> str:
    """A byte count as people read it (50 MB, 100 kB)."""
    if limit >= 1_000_000:
        return f"{limit / 1_000_000:.3g} MB"
    return f"{limit / 1000:.3g} kB"
