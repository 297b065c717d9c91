"""Example thumbnails at public, unguessable, expiring addresses, so LINE can show them in cards.

LINE fetches a card's image itself, without our admin token, so the address carries its own
proof: an HMAC of the media id and an expiry, keyed by a secret derived from the channel secret
(never stored, never sent). The route serves a ready photo of an example that is not withdrawn,
at thumbnail size, in the one variant app/admin/release.py lets leave (`thumbnail`, or a checked
`blurred_thumb`); anything else (an unchecked blur, a withdrawn item, a changed mind) is a 404,
even with a valid signature.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app.admin.release import allowed_variant
from app.settings import Settings
from storage import examples, submissions
from storage import media as media_store
from storage.blobs import BlobStore, BlobStoreError
from storage.db import Database
from storage.models import MediaVariant

PATH = "/public/examples/{media_id}.jpg"
LIFETIME = timedelta(days=30)
STEP = 86_400  # expiries fall on whole days, so a card keeps one address for a day


class Signer:
    """Signs and checks example thumbnail addresses."""

    def __init__(self, channel_secret: str, base_url: str | None) -> None:
        self._key = hmac.new(
            channel_secret.encode("utf-8"), b"genba example thumbnails v1", hashlib.sha256
        ).digest()
        self.base_url = base_url

    def _signature(self, media_id: str, expires: int) -> str:
        message = f"{media_id}|{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def url(self, media_id: str, now: datetime) -> str | None:
        """The signed address of a thumbnail, valid for about LIFETIME (None: no public URL)."""
        if self.base_url is None:
            return None
        end = int((now + LIFETIME).timestamp())
        expires = end - end % STEP + STEP
        path = PATH.format(media_id=media_id)
        return f"{self.base_url}{path}?e={expires}&s={self._signature(media_id, expires)}"

    def valid(self, media_id: str, expires: int, signature: str, now: datetime) -> bool:
        """Whether the signature is ours and the address has not expired."""
        if expires < now.timestamp():
            return False
        return hmac.compare_digest(self._signature(media_id, expires), signature)


def signer_for(settings: Settings) -> Signer:
    """The signer of this installation (keyed by its channel secret)."""
    secret = settings.line_channel_secret
    return Signer(secret.get_secret_value() if secret else "", settings.public_url)


def public_media_routes(
    *, db: Database, blobs: BlobStore, signer: Signer, clock: Callable[[], datetime]
) -> APIRouter:
    """The public example thumbnail route."""
    router = APIRouter(include_in_schema=False)

    @router.get(PATH)
    def example_thumbnail(media_id: str, e: int = 0, s: str = "") -> StreamingResponse:
        """The thumbnail of an example photo, for LINE to show in a card."""
        if len(media_id) > 40 or len(s) > 64 or not signer.valid(media_id, e, s, clock()):
            raise HTTPException(404, detail="not found")
        with db.read() as session:
            found = _shown_thumbnail(session, media_id)
        if found is None:
            raise HTTPException(404, detail="not found")
        try:
            blob = blobs.open(found.storage_key)
        except BlobStoreError:
            raise HTTPException(503, detail="the media store cannot be reached") from None
        if blob is None:
            raise HTTPException(404, detail="not found")
        return StreamingResponse(
            blob.chunks(),
            media_type=found.content_type,
            headers={
                "Content-Length": str(blob.size),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "public, max-age=3600",
            },
        )

    return router


def _shown_thumbnail(session: Session, media_id: str) -> MediaVariant | None:
    # An example's picture at thumbnail size, as the one rule of what may leave picks it
    # (app/admin/release.py): `thumbnail`, or a checked `blurred_thumb`; else nothing.
    media = media_store.get(session, media_id)
    record = submissions.get(session, media.submission_id) if media is not None else None
    if record is None or not record.submission.example:
        return None
    if record.submission.status in examples.HIDDEN:
        return None
    m = next((x for x in record.media if x.media.id == media_id), None)
    name = allowed_variant(record.submission.face, m, size="thumbnail") if m else None
    return media_store.variant(session, media_id, name) if name else None
